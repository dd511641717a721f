import { TimeZone } from '../core/time-zone.js'
import type { ExactValue } from '../util/exact-json.js'
import { type CheckName, type ConformanceFixture, type KitContext, valueText } from './kit-context.js'

function nearest (expected: string, present: readonly string[]): string | undefined {
  const target = Number(expected)
  let best: string | undefined
  for (const text of present) {
    if (Number.isNaN(Number(text))) continue
    if (best === undefined || Math.abs(Number(text) - target) < Math.abs(Number(best) - target)) best = text
  }
  return best
}

async function checkFixture (kit: KitContext, fixture: ConformanceFixture): Promise<void> {
  const server = fixture.timeZone === undefined ? kit.server : await kit.startServer({ timeZone: fixture.timeZone })
  const fields = await kit.fields(fixture.table)
  const field = fields?.find((item) => item.code === fixture.field)
  const numeric = field !== undefined && ['int', 'double', 'money'].includes(field.type)
  const check: CheckName = numeric ? 'exact-numbers' : 'time-zones'
  const read = await kit.read({ table: fixture.table, select: [fixture.field] }, server)
  if (field === undefined || typeof read === 'string') {
    kit.report(check, false, `fixture ${fixture.table}.${fixture.field}: ${field === undefined ? 'no such field' : read}`)
    return
  }
  const present = read.rows.map((row) => valueText(row[0]))
  const zone = fixture.timeZone ?? kit.options.runtime?.timeZone ?? 'UTC'
  for (const value of fixture.values) {
    const ok = present.includes(value)
    const problem = numeric
      ? `exact number mangled: ${fixture.table}.${fixture.field} must hold ${value} digit for digit` +
        (ok ? '' : ` (nearest in the answer: ${nearest(value, present) ?? 'none'}; was it read through a JS double?)`)
      : `zone shift: ${fixture.table}.${fixture.field} must hold '${value}' with the server in ${zone}` +
        (ok ? '' : ` (the answer holds ${present.slice(0, 4).map((text) => `'${text}'`).join(', ')}...)`)
    kit.report(check, ok, problem)
  }
}

/** The values the sample declares (exact numbers, datetimes in a zone) reach the answer verbatim. */
export async function checkFixtures (kit: KitContext): Promise<void> {
  for (const fixture of kit.options.fixtures ?? []) await checkFixture(kit, fixture)
}

// A zone without daylight saving time since 1945 (+05:30), so every wall time maps to one instant.
const OTHER_ZONE = 'Asia/Kolkata'

function column (rows: readonly ExactValue[][], index: number): string[] {
  return rows.map((row) => row[index]).filter((value) => value !== null).map(valueText)
}

/**
 * Changing the server's zone moves zone-aware datetimes by the zone's offset and nothing else:
 * dates and naive datetimes are shown as stored.
 */
export async function checkZoneInvariance (kit: KitContext): Promise<void> {
  const reference = kit.reference! // the step needs 'sample'
  if (kit.options.runtime?.datetimeFormat === 'iso') {
    kit.notRun('time-zones', 'the zone shift check compares Y-m-d H:i:s wall times; the runtime writes iso')
    return
  }
  const timed = reference.fields.map((field, index) => ({ field, index })).filter(({ field }) => field.type === 'date' || field.type === 'datetime')
  if (timed.length === 0) {
    kit.notRun('time-zones', `the sample table '${kit.sampleTable}' has no date or datetime field`)
    return
  }
  const home = new TimeZone(kit.options.runtime?.timeZone ?? 'UTC')
  const otherName = home.name === OTHER_ZONE ? 'UTC' : OTHER_ZONE
  const other = new TimeZone(otherName)
  const read = await kit.read({ table: kit.sampleTable }, await kit.startServer({ timeZone: otherName }))
  if (typeof read === 'string') {
    kit.report('time-zones', false, `reading '${kit.sampleTable}' with the server in ${otherName} ${read}`)
    return
  }
  const described = await kit.runtimeFields(kit.sampleTable!)
  for (const { field, index } of timed) {
    const zoned = field.type === 'datetime' && described.find((item) => item.code === field.code)?.zoned === true
    const here = column(reference.read.rows, index).sort()
    const there = column(read.rows, index).map((wall) => zoned ? home.wallTime(other.instant(wall)) : wall).sort()
    const same = JSON.stringify(here) === JSON.stringify(there)
    const kind = zoned ? 'a zone-aware datetime must move with the zone' : `a ${field.type === 'date' ? 'date' : 'naive datetime'} must not move`
    const example = same ? '' : ` (e.g. '${here.find((value) => !there.includes(value)) ?? '?'}' became '${there.find((value) => !here.includes(value)) ?? '?'}')`
    kit.report('time-zones', same, `zone shift: ${kit.sampleTable}.${field.code} read with the server in ${home.name} and in ${otherName}: ${kind}${example}`)
  }
}
