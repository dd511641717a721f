import t from 'tap'
import { demoServer, form, TOKEN } from '../../helpers/demo-server.js'

const connection = { token: TOKEN }

t.test('the four endpoints answer portal-shaped form bodies', async (t) => {
  const app = await demoServer()
  t.teardown(() => app.close())

  const check = await app.inject({ method: 'POST', url: '/api/check', ...form({ connection }) })
  t.equal(check.statusCode, 200)
  t.ok(check.body.length > 0, 'check answers a non-empty body')

  const list = await app.inject({ method: 'POST', url: '/api/table_list', ...form({ connection, searchString: '' }) })
  t.equal(list.statusCode, 200)
  const tables = list.json() as Array<{ code: string, title: string }>
  t.same(tables.map((table) => table.code), ['activities', 'companies', 'contacts', 'deals', 'exact_values'])
  for (const table of tables) t.ok(table.code !== '' && table.title !== '', `${table.code} has code and title`)

  const search = await app.inject({ method: 'POST', url: '/api/table_list', ...form({ connection, searchString: 'DEA' }) })
  t.same(search.json(), [{ code: 'deals', title: 'deals' }], 'search is case-insensitive')

  for (const table of tables) {
    const description = await app.inject({ method: 'POST', url: '/api/table_description', ...form({ connection, table: table.code }) })
    t.equal(description.statusCode, 200, `${table.code} described`)
    const fields = description.json() as Array<{ code: string, name: string, type: string }>
    t.ok(fields.length > 0)
    for (const field of fields) t.match(field, { code: /^[A-Z][A-Z0-9_]*$/, name: /.+/, type: /^(int|string|double|date|datetime|money)$/ })

    const preview = await app.inject({ method: 'POST', url: '/api/data', ...form({ connection, table: table.code, limit: '20' }) })
    t.equal(preview.statusCode, 200)
    const [header, ...rows] = preview.json() as unknown[][]
    t.same(header, fields.map((field) => field.code), `${table.code} preview has all fields in description order`)
    t.ok(rows.length <= 20 && rows.length > 0)
    for (const row of rows) {
      fields.forEach((field, index) => {
        const value = row[index]
        if (value === null) return
        switch (field.type) {
          case 'int': t.ok(Number.isInteger(value), `${field.code} int`); break
          case 'double': case 'money': t.equal(typeof value, 'number', `${field.code} number`); break
          case 'date': t.match(value, /^\d{4}-\d{2}-\d{2}$/, `${field.code} date`); break
          case 'datetime': t.match(value, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, `${field.code} datetime`); break
          default: t.equal(typeof value, 'string')
        }
      })
    }
  }

  const byName = await app.inject({ method: 'POST', url: '/api/table_description', ...form({ connection, name: 'deals' }) })
  t.equal(byName.statusCode, 200, 'the old `name` key is accepted')
})

t.test('data: select order, filter and limit; JSON means the same as form', async (t) => {
  const app = await demoServer()
  t.teardown(() => app.close())
  const body = {
    connection,
    table: 'deals',
    select: ['TITLE', 'ID', 'STAGE_ID', 'OPPORTUNITY'],
    filter: { '>=OPPORTUNITY': '500000', '!STAGE_ID': ['LOSE', 'APOLOGY'], '<ID': '2000' },
    limit: '50'
  }
  const viaForm = await app.inject({ method: 'POST', url: '/api/data', ...form(body) })
  t.equal(viaForm.statusCode, 200)
  const [header, ...rows] = viaForm.json() as unknown[][]
  t.same(header, ['TITLE', 'ID', 'STAGE_ID', 'OPPORTUNITY'])
  t.ok(rows.length > 0 && rows.length <= 50)
  for (const row of rows) {
    t.ok((row[3] as number) >= 500000 && (row[1] as number) < 2000 && !['LOSE', 'APOLOGY'].includes(row[2] as string))
  }
  const viaJson = await app.inject({ method: 'POST', url: '/api/data', payload: { ...body, limit: 50 } })
  t.equal(viaJson.body, viaForm.body, 'JSON body gives the same answer byte for byte')
})

t.test('exact values reach the portal digit for digit', async (t) => {
  const app = await demoServer()
  t.teardown(() => app.close())
  const answer = await app.inject({ method: 'POST', url: '/api/data', ...form({ connection, table: 'exact_values' }) })
  t.equal(answer.statusCode, 200)
  for (const digits of ['9223372036854775807', '-9223372036854775808', '9007199254740993', '12345678901234567.89', '0.1']) {
    t.ok(answer.body.includes(digits), `${digits} is in the raw answer`)
  }
  t.match(answer.body, /"2026-10-25 00:30:00".*"2026-10-25 01:30:00"/s, 'zone-aware datetimes in UTC by default')
})

t.test('bad input gets a coded 4xx, never 5xx', async (t) => {
  const app = await demoServer({ bodyLimit: 4096 })
  t.teardown(() => app.close())
  const cases: Array<[string, Record<string, unknown>, number, string]> = [
    ['limit=abc', { method: 'POST', url: '/api/data', ...form({ connection, table: 'deals', limit: 'abc' }) }, 400, 'B24BI_ERR_REQUEST_INVALID'],
    ['negative limit', { method: 'POST', url: '/api/data', ...form({ connection, table: 'deals', limit: '-1' }) }, 400, 'B24BI_ERR_REQUEST_INVALID'],
    ['missing connection', { method: 'POST', url: '/api/data', ...form({ table: 'deals' }) }, 400, 'B24BI_ERR_REQUEST_INVALID'],
    ['missing token', { method: 'POST', url: '/api/check', ...form({ connection: { other: 'x' } }) }, 400, 'B24BI_ERR_SETTING_MISSING'],
    ['wrong token', { method: 'POST', url: '/api/table_list', ...form({ connection: { token: 'nope' } }) }, 401, 'B24BI_ERR_AUTH_REJECTED'],
    ['unknown table', { method: 'POST', url: '/api/data', ...form({ connection, table: 'nope' }) }, 404, 'B24BI_ERR_TABLE_NOT_FOUND'],
    ['unknown field', { method: 'POST', url: '/api/data', ...form({ connection, table: 'deals', select: ['ID', 'NOPE'] }) }, 400, 'B24BI_ERR_FIELD_NOT_FOUND'],
    ['unknown filter op', { method: 'POST', url: '/api/data', ...form({ connection, table: 'deals', filter: { '?ID': '1' } }) }, 400, 'B24BI_ERR_'],
    ['invalid date', { method: 'POST', url: '/api/data', ...form({ connection, table: 'deals', filter: { '>=CLOSEDATE': '31.02.2025' } }) }, 400, 'B24BI_ERR_FILTER_VALUE'],
    ['malformed JSON', { method: 'POST', url: '/api/check', payload: '{"connection":', headers: { 'content-type': 'application/json' } }, 400, 'B24BI_ERR_REQUEST_MALFORMED'],
    ['wrong media type', { method: 'POST', url: '/api/check', payload: 'x', headers: { 'content-type': 'text/plain' } }, 415, 'B24BI_ERR_REQUEST_MEDIA_TYPE'],
    ['oversized body', { method: 'POST', url: '/api/check', ...form({ connection, pad: 'x'.repeat(10_000) }) }, 413, 'B24BI_ERR_REQUEST_TOO_LARGE'],
    ['too deep', { method: 'POST', url: '/api/data', payload: `table=deals&connection[token]=${TOKEN}&filter${'[a]'.repeat(40)}=1`, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 400, 'B24BI_ERR_REQUEST_MALFORMED'],
    ['no table in description', { method: 'POST', url: '/api/table_description', ...form({ connection }) }, 400, 'B24BI_ERR_REQUEST_INVALID']
  ]
  for (const [name, request, status, code] of cases) {
    const answer = await app.inject(request as never)
    t.equal(answer.statusCode, status, `${name}: status`)
    const body = answer.json() as { error: string, message: string }
    t.ok(body.error.startsWith(code), `${name}: ${body.error}`)
    t.notMatch(answer.body, /at .*\.(ts|js):\d+/, `${name}: no stack trace`)
    t.notMatch(answer.body, new RegExp(TOKEN), `${name}: no secret`)
  }
})
