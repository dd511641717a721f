// The container image serves every built-in adapter, so in the image (only there) the drivers, which the package
// declares as optional peer dependencies, become plain dependencies: `npm prune --omit=dev` then keeps them.
import { readFileSync, writeFileSync } from 'node:fs'

const pkg = JSON.parse(readFileSync('package.json', 'utf8'))
for (const [name, range] of Object.entries(pkg.peerDependencies ?? {})) {
  pkg.dependencies[name] = range
  delete pkg.devDependencies?.[name]
}
writeFileSync('package.json', JSON.stringify(pkg, null, 2) + '\n')
console.log(`image dependencies: ${Object.keys(pkg.peerDependencies ?? {}).join(', ')}`)
