import fc from 'fast-check'
import t from 'tap'
import { valueFormatter } from '../../../src/core/value-format.js'
import { TimeZone } from '../../../src/core/time-zone.js'

// The UTC shortcut for zero-offset datetime strings must answer exactly what the general path (Date.parse) answers.
t.test('a zero-offset datetime in a UTC answer equals the same instant written with another offset', async (t) => {
  for (const datetimeFormat of ['Y-m-d H:i:s', 'iso'] as const) {
    const format = valueFormatter({ code: 'AT', type: 'datetime', zoned: true }, { timeZone: new TimeZone('UTC'), datetimeFormat })
    fc.assert(fc.property(fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) }), fc.constantFrom('+00', 'Z', '+00:00', '+0000'), (ms, zero) => {
      const second = Math.floor(ms / 1000) * 1000
      const utc = new Date(second).toISOString().slice(0, 19).replace('T', ' ')
      const shifted = new Date(second + 3600_000).toISOString().slice(0, 19).replace('T', ' ')
      return format(`${utc}${zero}`) === format(`${shifted}+01:00`) && format(`${utc}${zero}`) === format(new Date(second))
    }), { numRuns: 500 })
    t.pass(`${datetimeFormat}: 500 instants agree`)
  }
})
