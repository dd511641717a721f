// The container image serves every built-in adapter and every feature of `b24bi serve` (the docs UI, the install
// flow and its page), so in the image (only there) the optional peer dependencies become plain dependencies:
// `npm prune --omit=dev` then keeps them. fast-check is the conformance kit's, which the image never runs.
import { readFileSync, writeFileSync } from 'node:fs'

const KIT_ONLY = new Set(['fast-check'])
const pkg = JSON.parse(readFileSync('package.json', 'utf8'))
const promoted = Object.entries(pkg.peerDependencies ?? {}).filter(([name]) => !KIT_ONLY.has(name))
for (const [name, range] of promoted) {
  pkg.dependencies[name] = range
  delete pkg.devDependencies?.[name]
}
writeFileSync('package.json', JSON.stringify(pkg, null, 2) + '\n')
console.log(`image dependencies: ${promoted.map(([name]) => name).join(', ')}`)
