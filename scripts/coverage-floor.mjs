// Fails `npm test` when line coverage of the whole suite falls below the floor we hold honestly.
// tap measures coverage on every run; this reads its report instead of demanding 100%.
import { readFileSync } from 'node:fs'

const floor = Number(process.argv[2] ?? 80)
const summary = JSON.parse(readFileSync('.tap/report/coverage-summary.json', 'utf8'))
const lines = summary.total.lines.pct
console.log(`coverage: ${lines}% of lines (floor ${floor}%)`)
if (lines < floor) {
  console.error(`coverage ${lines}% is below the floor of ${floor}%`)
  process.exit(1)
}
