// Rewrites the errors table in README.md from the registry (run after `npm run build`).
import { readFileSync, writeFileSync } from 'node:fs'
const { listErrors } = await import('../dist/src/core/errors.js')
const rows = listErrors().map((error) => `| \`${error.code}\` | ${error.statusCode} | ${error.template.replaceAll('%s', '…').replaceAll('|', '\\|')} |`)
const table = ['<!-- errors:start -->', '| code | status | message |', '|---|---|---|', ...rows, '<!-- errors:end -->'].join('\n')
const readme = readFileSync('README.md', 'utf8')
writeFileSync('README.md', readme.replace(/<!-- errors:start -->[\s\S]*<!-- errors:end -->/, table))
console.log(`${rows.length} error codes written to README.md`)
