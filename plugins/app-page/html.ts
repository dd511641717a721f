import type { PageAssets } from './assets.js'
import { STRINGS, type PageLang } from './strings.js'

/** Escapes text for HTML content and attribute values. */
export function escapeHtml (value: string): string {
  return value.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char)
}

/** JSON safe inside a `<script type="application/json">` element. */
function scriptJson (value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
}

interface ShellOptions {
  lang: PageLang
  title: string
  prefix: string
  assets: PageAssets
  body: string
  /** Loads the SDK and app.js (the admin page and the non-admin notice); the denied page loads nothing. */
  scripts: boolean
  meta?: Record<string, string>
}

function shell (options: ShellOptions): string {
  const { lang, prefix, assets } = options
  const meta = Object.entries(options.meta ?? {}).map(([name, content]) => `<meta name="${escapeHtml(name)}" content="${escapeHtml(content)}">`).join('')
  const scripts = options.scripts
    ? `<script src="${escapeHtml(assets.url(prefix, 'b24jssdk.js'))}"></script>` +
      `<script type="module" src="${escapeHtml(assets.url(prefix, 'app.js'))}"></script>` +
      `<script type="application/json" id="b24bi-strings">${scriptJson(STRINGS[lang])}</script>`
    : ''
  return '<!DOCTYPE html>' +
    `<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(options.title)}</title><link rel="icon" href="data:,">${meta}` +
    `<link rel="stylesheet" href="${escapeHtml(assets.url(prefix, 'app.css'))}">${scripts}</head>` +
    `<body data-frame="pending">${options.body}</body></html>`
}

/** The admin page: empty sections app.js fills from the page API with the session in `b24bi-session`. */
export function adminPage (options: { lang: PageLang, title: string, prefix: string, assets: PageAssets, session: string }): string {
  const s = STRINGS[options.lang]
  const section = (id: string, heading: string, extra = ''): string =>
    `<section id="${id}" class="card"><h2>${escapeHtml(heading)}${extra}</h2><div class="content"><p class="muted">${escapeHtml(s.loading ?? '')}</p></div></section>`
  const body = `<main id="page" data-role="admin"><header class="top"><h1>${escapeHtml(options.title)}</h1><span id="badge" class="badge"></span></header>` +
    section('status', s.status ?? '') +
    section('tables', s.tables ?? '', ' <span id="table-count" class="count"></span>') +
    section('sources', s.sources ?? '') +
    section('activity', s.activity ?? '') +
    section('test', s.test ?? '') +
    '<div id="expired" class="notice" hidden></div></main>'
  return shell({ ...options, scripts: true, body, meta: { 'b24bi-session': options.session, 'b24bi-api': `${options.prefix}/api`, 'b24bi-title': options.title } })
}

/** What a user who does not manage the application sees: a notice, no data. */
export function nonAdminPage (options: { lang: PageLang, title: string, prefix: string, assets: PageAssets }): string {
  const s = STRINGS[options.lang]
  const body = `<main id="page" data-role="user"><header class="top"><h1>${escapeHtml(options.title)}</h1></header>` +
    `<p id="admins-only" class="notice">${escapeHtml(s.adminsOnly ?? '')}</p></main>`
  return shell({ ...options, scripts: true, body, meta: { 'b24bi-title': options.title } })
}

/** The refusal: a fixed reason code, nothing else. */
export function deniedPage (options: { lang: PageLang, prefix: string, assets: PageAssets, reason: string }): string {
  const s = STRINGS[options.lang]
  const body = `<main id="denied" data-reason="${escapeHtml(options.reason)}"><h1>${escapeHtml(s.denied ?? '')}</h1>` +
    `<p>${escapeHtml(s.deniedReason ?? '')}: <code>${escapeHtml(options.reason)}</code></p></main>`
  return shell({ ...options, title: s.denied ?? '', scripts: false, body })
}
