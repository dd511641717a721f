/**
 * The app page's ES module (served as `app.js`; no framework, no build). It handshakes with the portal through
 * the vendor's SDK (`B24Js`), reads the page API with the session from `<meta name="b24bi-session">`, renders
 * the sections, fits the frame after every render and sets the frame's title.
 */
export const CLIENT_SCRIPT = String.raw`
const meta = (name) => document.querySelector('meta[name="' + name + '"]')?.getAttribute('content') ?? ''
const strings = JSON.parse(document.getElementById('b24bi-strings')?.textContent || '{}')
const t = (key) => strings[key] ?? key
const session = meta('b24bi-session')
const apiBase = meta('b24bi-api')
const title = meta('b24bi-title') || document.title
let frame

function el (tag, attrs, ...children) {
  const node = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue
    if (key === 'onclick') node.addEventListener('click', value)
    else if (key === 'text') node.textContent = String(value)
    else node.setAttribute(key, value === true ? '' : String(value))
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue
    node.append(child instanceof Node ? child : document.createTextNode(String(child)))
  }
  return node
}

function content (id) {
  return document.querySelector('#' + id + ' .content')
}

function fill (id, ...children) {
  content(id).replaceChildren(...children.flat(Infinity).filter((child) => child !== null && child !== undefined && child !== false))
  fit()
}

function fit () {
  if (frame === undefined) return
  requestAnimationFrame(() => { frame.parent.fitWindow().catch(() => {}) })
}

function table (head, rows, attrs) {
  return el('table', attrs || {},
    el('thead', {}, el('tr', {}, head.map((cell) => el('th', { text: cell })))),
    el('tbody', {}, rows))
}

function when (ms) {
  return ms === null || ms === undefined ? '' : new Date(ms).toLocaleString()
}

// A preview cell is the JSON literal the portal receives: strings are shown without quotes, numbers verbatim.
function shown (literal) {
  if (literal === 'null') return el('span', { class: 'muted', text: 'null' })
  return literal.startsWith('"') ? JSON.parse(literal) : literal
}

async function api (path, method) {
  const response = await fetch(apiBase + path, { method: method || 'GET', headers: { authorization: 'Bearer ' + session }, cache: 'no-store' })
  const body = await response.json().catch(() => ({}))
  if (response.status === 401) {
    expired()
    throw new Error(body.error || 'B24BI_ERR_PAGE_SESSION')
  }
  if (!response.ok) throw new Error(body.message || body.error || String(response.status))
  return body
}

function expired () {
  const box = document.getElementById('expired')
  box.hidden = false
  box.replaceChildren(t('expired') + ' ', el('button', { type: 'button', onclick: () => frame ? frame.parent.reloadWindow() : location.reload(), text: t('reload') }))
  fit()
}

function failed (id, error) {
  fill(id, el('p', { class: 'error', text: t('error') + ': ' + error.message }))
}

async function loadStatus () {
  const status = await api('/status')
  const c = status.connector
  const badge = document.getElementById('badge')
  const drift = c.drift.length
  badge.textContent = !c.registered ? t('notRegistered') : drift > 0 ? t('drift') : t('upToDate')
  badge.className = 'badge ' + (!c.registered ? 'bad' : drift > 0 ? 'warn' : 'ok')
  badge.dataset.drift = String(drift)
  const server = status.server
  const facts = [
    [t('registered'), c.registered ? c.title + ' #' + c.id : t('notRegistered')],
    [t('oauth'), status.oauth.ok ? t('tokenOk') + ' ' + when(status.oauth.expiresAt) : t('tokenBad') + ' (' + status.oauth.error + ')'],
    [t('publicUrl'), status.publicUrl.url.replace(/\/health$/, '') + ' ' + (status.publicUrl.ok ? t('answers') + ' (' + status.publicUrl.ms + ' ' + t('ms') + ')' : t('noAnswer') + ' (' + (status.publicUrl.status ?? status.publicUrl.error) + ')')],
    [t('server'), [server.host, server.adapter, server.timeZone, server.deadlineSeconds == null ? '' : 'deadline ' + server.deadlineSeconds + ' s', server.maxRows == null ? '' : 'maxRows ' + server.maxRows].filter(Boolean).join(' · ')]
  ]
  fill('status',
    el('dl', { class: 'facts' }, facts.map(([key, value]) => [el('dt', { text: key }), el('dd', { text: value })])),
    drift > 0 ? table([t('field'), t('inPortal'), t('thisServer')], c.drift.map((item) => el('tr', { 'data-field': item.field }, el('td', { text: item.field }), el('td', { text: item.registered }), el('td', { text: item.expected }))), { id: 'drift' }) : null,
    !c.registered || drift > 0 ? el('button', { id: 'reregister', type: 'button', class: 'primary', onclick: reregister, text: t('reregister') }) : null)
}

async function reregister (event) {
  event.target.disabled = true
  try {
    await api('/register', 'POST')
    await loadStatus()
  } catch (error) {
    failed('status', error)
  }
}

async function loadTables () {
  const answer = await api('/tables')
  document.getElementById('table-count').textContent = String(answer.tables.length)
  document.getElementById('tables').dataset.count = String(answer.tables.length)
  const rows = answer.tables.map((item) => el('tr', { 'data-table': item.code },
    el('td', {}, el('code', { text: item.code })),
    el('td', { text: item.title }),
    el('td', { text: item.fields === null ? item.error : item.fields + ' ' + t('fields') }, item.invalid > 0 ? el('span', { class: 'warn-mark', title: t('notDatasetName'), text: ' ⚠ ' + item.invalid }) : null),
    el('td', {},
      el('button', { type: 'button', class: 'link', 'data-action': 'fields', onclick: () => showFields(item.code), text: t('fieldCount') }),
      el('button', { type: 'button', class: 'link', 'data-action': 'preview', onclick: () => showPreview(item.code), text: t('preview') }))))
  fill('tables', table([t('code'), t('name'), t('fieldCount'), ''], rows, { id: 'table-list' }), el('div', { id: 'table-detail' }))
}

function detail (...children) {
  document.getElementById('table-detail').replaceChildren(...children.filter(Boolean))
  fit()
}

async function showFields (code) {
  try {
    const answer = await api('/tables/' + encodeURIComponent(code))
    detail(el('h3', { text: code + ': ' + t('fields') }), table([t('code'), t('name'), t('type'), ''], answer.fields.map((field) => el('tr', { class: field.suggestion ? 'warn' : '' },
      el('td', {}, el('code', { text: field.code })), el('td', { text: field.name }), el('td', { text: field.type }),
      el('td', { text: field.suggestion ? '⚠ ' + t('notDatasetName') + ' ' + field.suggestion : '' }))), { id: 'fields', 'data-table': code }))
  } catch (error) {
    detail(el('p', { class: 'error', text: error.message }))
  }
}

async function showPreview (code) {
  try {
    const answer = await api('/tables/' + encodeURIComponent(code) + '/preview')
    detail(el('h3', { text: code + ': ' + t('preview') + ' (' + t('previewNote') + ')' }),
      el('div', { class: 'scroll' }, table(answer.header, answer.rows.map((row) => el('tr', {}, row.map((value) => el('td', {}, shown(value))))), { id: 'preview', 'data-table': code, 'data-rows': answer.rows.length })))
  } catch (error) {
    detail(el('p', { class: 'error', text: error.message }))
  }
}

async function loadSources () {
  const answer = await api('/sources')
  const sources = answer.sources.length === 0
    ? el('p', { class: 'muted', id: 'no-sources', text: t('noSources') })
    : table(['#', t('name'), ''], answer.sources.map((source) => el('tr', { 'data-source': source.id },
      el('td', { text: source.id }), el('td', { text: source.title }), el('td', { text: source.active ? t('active') : t('inactive') }))), { id: 'source-list' })
  const tables = answer.tables === undefined
    ? null
    : [el('h3', { text: t('portalTables') }),
        table(['#', t('code'), t('name')], answer.tables.map((item) => el('tr', {}, el('td', { text: item.id }), el('td', {}, el('code', { text: item.code })), el('td', { text: item.title }))), { id: 'portal-tables' }),
        answer.missing && answer.missing.length > 0 ? el('button', { id: 'create-missing', type: 'button', onclick: createMissing, text: t('createMissing') + ' (' + answer.missing.length + ')' }) : null]
  fill('sources', sources, tables)
}

async function createMissing (event) {
  event.target.disabled = true
  try {
    await api('/tables/create-missing', 'POST')
    await loadSources()
  } catch (error) {
    failed('sources', error)
  }
}

async function loadActivity () {
  const answer = await api('/activity')
  const counts = answer.counts
  const summary = el('p', { class: 'muted', text: answer.host + ' · ' + t('since') + ' ' + when(answer.since) + ' · urlData ' + counts.answers + ' · deadline ' + counts.deadline + ' · disconnect ' + counts.disconnect + ' · error ' + counts.error })
  fill('activity', summary, answer.entries.length === 0
    ? el('p', { class: 'muted', id: 'no-activity', text: t('noActivity') })
    : table([t('time'), t('table'), t('rows'), t('rate'), '', t('hint')], answer.entries.map((entry) => el('tr', { 'data-kind': entry.kind, 'data-code': entry.code },
      el('td', { text: when(entry.at) }), el('td', {}, el('code', { text: entry.table })), el('td', { text: entry.rows }), el('td', { text: entry.rowsPerSecond }),
      el('td', {}, el('span', { class: 'tag ' + entry.kind, text: entry.kind })), el('td', { text: entry.hint }))), { id: 'activity-list' }))
}

function showTest () {
  fill('test', el('p', { class: 'muted', text: t('testNote') }), el('button', { id: 'run-test', type: 'button', class: 'primary', onclick: runTest, text: t('testRun') }), el('div', { id: 'test-report' }))
}

async function runTest (event) {
  event.target.disabled = true
  const box = document.getElementById('test-report')
  box.replaceChildren(el('p', { class: 'muted', text: t('loading') }))
  try {
    const report = await api('/test', 'POST')
    box.replaceChildren(
      el('p', { id: 'test-result', class: report.ok ? 'ok' : 'error', 'data-ok': String(report.ok), text: (report.ok ? t('passed') : t('failed')) + ': ' + report.baseUrl + ' · ' + report.steps.length + ' · ' + report.errors + ' errors, ' + report.warnings + ' warnings' }),
      table([t('step'), 'HTTP', t('ms'), t('result')], report.steps.map((step) => el('tr', { class: step.violations.some((v) => v.severity === 'error') ? 'bad' : step.violations.length > 0 ? 'warn' : '' },
        el('td', { text: step.name }), el('td', { text: step.status }), el('td', { text: step.ms }),
        el('td', {}, step.summary, step.violations.map((v) => el('div', { class: v.severity, text: v.severity + ': ' + v.message }))))), { id: 'test-steps' }))
  } catch (error) {
    box.replaceChildren(el('p', { class: 'error', text: error.message }))
  }
  event.target.disabled = false
  fit()
}

async function start () {
  try {
    frame = await window.B24Js.initializeB24Frame()
    document.body.dataset.frame = 'ready'
    frame.parent.setTitle(title).catch(() => {})
  } catch (error) {
    document.body.dataset.frame = 'none'
    console.warn('b24bi: not inside a Bitrix24 frame', error && error.message)
  }
  if (!session) {
    fit()
    return
  }
  showTest()
  const sections = [['status', loadStatus], ['tables', loadTables], ['sources', loadSources], ['activity', loadActivity]]
  await Promise.all(sections.map(([id, load]) => load().catch((error) => failed(id, error))))
  document.body.dataset.loaded = 'true'
  fit()
}

start()
`
