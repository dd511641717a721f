// Fails `npm test` when the coverage of the whole suite falls below the floors we hold honestly:
// lines (the argument, default 90), branches 85 and functions 90. tap measures coverage on every run; this reads its
// report instead of demanding 100%.
import { readFileSync } from 'node:fs'

const floors = { lines: Number(process.argv[2] ?? 90), branches: 85, functions: 90 }
const summary = JSON.parse(readFileSync('.tap/report/coverage-summary.json', 'utf8'))
let failed = false
for (const [metric, floor] of Object.entries(floors)) {
  const pct = summary.total[metric].pct
  console.log(`coverage: ${pct}% of ${metric} (floor ${floor}%)`)
  if (pct < floor) {
    console.error(`coverage of ${metric} ${pct}% is below the floor of ${floor}%`)
    failed = true
  }
}
if (failed) process.exit(1)
