// npm run docs: rewrites the generated blocks of docs/ (errors, type tables, configuration) from the code.
import { readFileSync, writeFileSync } from 'node:fs'
const { docFiles, fillBlocks } = await import('../dist/src/cli/doc-blocks.js')
for (const { file, blocks } of docFiles()) {
  const before = readFileSync(file, 'utf8')
  const after = fillBlocks(before, blocks)
  if (after !== before) writeFileSync(file, after)
  console.log(`${file}: ${blocks.length} generated block${blocks.length === 1 ? '' : 's'}${after === before ? ', unchanged' : ', rewritten'}`)
}
