// Rewrites the type mapping tables in README.md from the engines' rule arrays (run after `npm run build`).
import { readFileSync, writeFileSync } from 'node:fs'
const { typeTables } = await import('../dist/src/cli/type-tables.js')
let readme = readFileSync('README.md', 'utf8')
for (const { id, table } of typeTables()) {
  const start = `<!-- types:${id}:start -->`
  const end = `<!-- types:${id}:end -->`
  if (!readme.includes(start) || !readme.includes(end)) throw new Error(`README.md has no ${start} ... ${end} block`)
  readme = readme.slice(0, readme.indexOf(start)) + `${start}\n${table}\n${end}` + readme.slice(readme.indexOf(end) + end.length)
}
writeFileSync('README.md', readme)
console.log('type tables written to README.md')
