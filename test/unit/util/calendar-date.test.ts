import t from 'tap'
import { isAnswerDate, isAnswerDateTime } from '../../../src/protocol/answer-values.js'
import { isCalendarDate } from '../../../src/util/calendar-date.js'
import { readDateTimeText } from '../../../src/filter/portal-date.js'
import { inferFields } from '../../../adapters/http/json-values.js'

const DAYS: Array<[string, boolean]> = [
  ['2024-02-29', true], ['2025-02-29', false], ['2000-02-29', true], ['1900-02-29', false], ['2025-04-31', false],
  ['2025-12-31', true], ['2025-13-01', false], ['2025-00-10', false], ['2025-01-00', false], ['0001-01-01', true],
  ['0000-01-01', false], ['0050-01-01', true], ['0099-12-31', true], ['9999-12-31', true]
]

function filterAccepts (text: string): boolean {
  try {
    readDateTimeText('D', text)
    return true
  } catch {
    return false
  }
}

t.test('one calendar check: answer values and filter values get the same verdict', async (t) => {
  for (const [text, valid] of DAYS) {
    const [year, month, day] = text.split('-').map(Number) as [number, number, number]
    t.equal(isCalendarDate(year, month, day), valid, `${text} calendar`)
    t.equal(isAnswerDate(text), valid, `${text} as an answer date`)
    t.equal(isAnswerDateTime(`${text} 10:00:00`, false), valid, `${text} as an answer datetime`)
    t.equal(filterAccepts(text), valid, `${text} as a filter value`)
  }
})

t.test('regression: years 1-99 were refused in answers (Date.UTC reads them as 1900-1999) but accepted in filters', async (t) => {
  t.ok(isAnswerDate('0050-01-01'))
  t.ok(isAnswerDateTime('0099-12-31T23:59:59Z', true))
  t.ok(filterAccepts('0050-01-01'))
})

t.test('the HTTP adapter infers date only for calendar days (was: any NNNN-NN-NN text)', async (t) => {
  const [real, shaped] = inferFields([{ day: '2024-02-29', code: '2025-02-30' }])
  t.equal(real?.type, 'date')
  t.equal(shaped?.type, 'string', '2025-02-30 is text shaped like a date, not a date')
})
