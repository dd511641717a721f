import { exactStringify, type ExactValue } from '../util/exact-json.js'
import { type KitContext, valueText } from './kit-context.js'
import { rowMultiset } from './protocol-checks.js'

// The read checks run only with the sample read (their step needs 'sample'), hence `kit.reference!`.

/** Selecting the fields in reverse order answers the same rows with the values in that order. */
export async function checkSelectOrder (kit: KitContext): Promise<void> {
  const reference = kit.reference!
  if (reference.fields.length < 2) {
    kit.notRun('select-order', `the sample table '${kit.sampleTable}' has fewer than two fields to reorder`)
    return
  }
  const select = reference.fields.map((field) => field.code).reverse()
  const read = await kit.read({ table: kit.sampleTable, select })
  if (typeof read === 'string') {
    kit.report('select-order', false, `wrong header order? select [${select.join(', ')}] ${read}, while the full read succeeded: ` +
      'are the values written in plan.fields order?')
    return
  }
  kit.report('select-order', JSON.stringify(read.header) === JSON.stringify(select),
    `wrong header order: the header lists the selected fields in the order asked (${select.join(', ')})`)
  const expected = rowMultiset(reference.read.rows.map((row) => [...row].reverse()))
  const got = rowMultiset(read.rows)
  const same = JSON.stringify(expected) === JSON.stringify(got)
  const example = same ? '' : `; e.g. expected ${expected.find((row) => !got.includes(row)) ?? '?'}, got ${got.find((row) => !expected.includes(row)) ?? '?'}`
  kit.report('select-order', same,
    `wrong header order: select [${select.join(', ')}] answers the full read's values in that order (values must follow plan.fields)${example}`)
}

/** Limits answer exactly min(limit, rows) (0: all rows); an adapter that declares limit pushdown reads no more than the limit. */
export async function checkLimit (kit: KitContext): Promise<void> {
  const reference = kit.reference!
  const total = reference.read.rows.length
  const pushes = kit.observed.capabilities().limit === true
  for (const limit of [0, 1, Math.max(2, Math.min(5, total - 1))]) {
    const before = kit.observed.reads.length
    const read = await kit.read({ table: kit.sampleTable, limit })
    if (typeof read === 'string') {
      kit.report('limit', false, `limit ${limit} ${read}`)
      continue
    }
    // limit 0 is the portal's "no limit": every row.
    const expected = limit === 0 ? total : Math.min(limit, total)
    kit.report('limit', read.rows.length === expected, `limit ${limit} answers ${expected} rows (got ${read.rows.length})`)
    const yielded = kit.observed.reads.slice(before).reduce((sum, item) => sum + item.rowsYielded, 0)
    if (pushes && limit > 0) {
      kit.report('limit', yielded <= limit,
        `ignores limit: the adapter declares limit pushdown, so for limit ${limit} it must read at most ${limit} rows (it yielded ${yielded})`)
    }
  }
}

/** Picks a field and a value it holds in the reference rows, for a filter every row of the answer must match. */
function equalityProbe (kit: KitContext): { code: string, index: number, value: ExactValue } | undefined {
  const reference = kit.reference!
  const order = ['int', 'string', 'date']
  const candidates = reference.fields
    .map((field, index) => ({ field, index }))
    .filter(({ field }) => order.includes(field.type))
    .sort((a, b) => order.indexOf(a.field.type) - order.indexOf(b.field.type))
  for (const { field, index } of candidates) {
    const counts = new Map<string, number>()
    for (const row of reference.read.rows) if (row[index] !== null) counts.set(valueText(row[index]), (counts.get(valueText(row[index])) ?? 0) + 1)
    const rare = [...counts.entries()].find(([, count]) => count < reference.read.rows.length)
    if (rare !== undefined) return { code: field.code, index, value: reference.read.rows.find((row) => valueText(row[index]) === rare[0])![index]! }
  }
  return undefined
}

/** An equality filter answers exactly the rows holding the value: an adapter that pushes filters must apply them. */
export async function checkFilterApplied (kit: KitContext): Promise<void> {
  const reference = kit.reference!
  const probe = equalityProbe(kit)
  if (probe === undefined) {
    kit.notRun('filter', `no int, string or date field of '${kit.sampleTable}' holds a value only some rows have`)
    return
  }
  const text = valueText(probe.value)
  const read = await kit.read({ table: kit.sampleTable, filter: { [probe.code]: text } })
  if (typeof read === 'string') {
    kit.report('filter', false, `filter {${probe.code}: '${text}'} ${read}`)
    return
  }
  const expected = reference.read.rows.filter((row) => valueText(row[probe.index]) === text).length
  const wrong = read.rows.filter((row) => valueText(row[probe.index]) !== text)
  const pushed = kit.observed.capabilities().filter !== undefined && kit.observed.capabilities().filter !== false
  kit.report('filter', wrong.length === 0 && read.rows.length === expected,
    `${pushed ? 'ignores filter: ' : ''}filter {${probe.code}: '${text}'} answers the ${expected} rows holding it (got ${read.rows.length}, ${wrong.length} not matching` +
    `${wrong.length > 0 ? `, e.g. ${exactStringify(wrong[0]!)}` : ''})`)
}

const LEAK = [
  { name: 'a stack trace', pattern: /\n\s+at |\bat [\w.<>]+ \(/ },
  { name: 'a file path', pattern: /(?:^|[\s'"(])(?:\/(?:home|srv|var|tmp|usr|opt|etc|root|app|data|mnt)\/|[A-Z]:\\)/ },
  { name: 'a system error', pattern: /\bE(?:NOENT|CONNREFUSED|ACCES|TIMEDOUT|ADDRINUSE|HOSTUNREACH|PERM)\b/ },
  { name: 'an address', pattern: /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/ },
  { name: 'SQL', pattern: /\b(?:SELECT|INSERT|UPDATE|DELETE)\b.+\b(?:FROM|INTO|SET)\b|syntax error at|SQLITE_/i }
]

/** Unknown tables and fields, broken bodies: 4xx with a coded JSON error, never a 5xx, never an internal message. */
export async function checkBadInput (kit: KitContext): Promise<void> {
  const table = kit.sampleTable ?? kit.tables[0] ?? 'unknown'
  const field = kit.reference?.fields[0]?.code
  const cases: Array<{ what: string, status: number, send: () => ReturnType<KitContext['server']['post']> }> = [
    { what: 'describing an unknown table', status: 404, send: async () => await kit.server.post('tableDescription', kit.body({ table: 'no_such_table_b24bi' })) },
    { what: 'reading an unknown table', status: 404, send: async () => await kit.server.post('data', kit.body({ table: 'no_such_table_b24bi' })) },
    { what: 'selecting an unknown field', status: 400, send: async () => await kit.server.post('data', kit.body({ table, select: ['NO_SUCH_FIELD_B24BI'] })) },
    { what: 'filtering on an unknown field', status: 400, send: async () => await kit.server.post('data', kit.body({ table, filter: { '>=NO_SUCH_FIELD_B24BI': '1' } })) },
    { what: 'an unknown filter operator', status: 400, send: async () => await kit.server.post('data', kit.body({ table, filter: { [`@@${field ?? 'X'}`]: '1' } })) },
    { what: 'a body without table', status: 400, send: async () => await kit.server.post('data', kit.body()) },
    { what: 'a negative limit', status: 400, send: async () => await kit.server.post('data', kit.body({ table, limit: -1 })) },
    { what: 'a body that is not JSON', status: 400, send: async () => await kit.server.post('data', undefined, { raw: '{"table": ' }) }
  ]
  for (const item of cases) {
    const answer = await item.send()
    const coded = answer.json !== undefined && typeof (answer.json as Record<string, unknown>).error === 'string' &&
      String((answer.json as Record<string, unknown>).error).startsWith('B24BI_ERR_')
    kit.report('bad-input', answer.status === item.status && coded,
      `${item.what} answers ${item.status} with a coded JSON error (got ${answer.status}: ${answer.text.slice(0, 200)})`)
    const leak = LEAK.find(({ pattern }) => pattern.test(answer.text))
    kit.report('bad-input', leak === undefined,
      `leaks an exception message: the answer to ${item.what} must not contain ${leak?.name ?? 'internal details'}` +
      (leak === undefined ? '' : ` (got ${answer.text.slice(0, 200)})`))
  }
}
