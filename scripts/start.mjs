// npm start: runs the built CLI (`b24bi serve`), building first only when a source file is newer than the last build
// (dist/.tsbuildinfo, written by the incremental `npm run build` that npm ci's prepare ran).
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

function newest (dir) {
  let latest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : entry.name.endsWith('.ts') ? statSync(path).mtimeMs : 0)
  }
  return latest
}

const stamp = 'dist/.tsbuildinfo'
const sources = Math.max(...['src', 'plugins', 'adapters', 'bench'].map(newest), statSync('tsconfig.json').mtimeMs)
if (!existsSync(stamp) || !existsSync('dist/src/cli/main.js') || statSync(stamp).mtimeMs < sources) {
  console.error('b24bi: sources changed since the last build; building (npm run build)')
  const built = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' })
  if (built.status !== 0) process.exit(built.status ?? 1)
}
// As the container runs it: a small young generation frees a streamed answer's buffers every few MB, yet holds a row
// batch or two of the row path without promoting them (docs/performance.md, memory).
const served = spawn(process.execPath, ['--max-semi-space-size=8', 'dist/src/cli/main.js', 'serve', ...process.argv.slice(2)], { stdio: 'inherit' })
// The server drains on SIGTERM/SIGINT: pass them on and exit with its code.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => served.kill(signal))
served.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 0)))
