import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { TYPESCRIPT_LOADER } from '../../helpers/typescript-loader.js'

const CHILD = fileURLToPath(new URL('./rows-die-young-child.ts', import.meta.url))
const ROWS = 300_000
// The rows' values alone are about 70 MB here; rows pretenured by V8 (chunk.getRows()) sent ~70 MB to the old generation.
const OLD_GENERATION_LIMIT_MB = 20

t.test("the rows a DuckDB read hands over die young: they do not fill V8's old generation", async (t) => {
  const directory = await mkdtemp(join(tmpdir(), 'b24bi-rows-young-'))
  t.teardown(() => rm(directory, { recursive: true, force: true }))
  // The young generation fixed at a busy server's size: V8 pretenures an allocation site only when it is at its largest.
  const child = spawn(process.execPath, [...TYPESCRIPT_LOADER, '--min-semi-space-size=16', '--max-semi-space-size=16', CHILD, directory, String(ROWS)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' }
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  t.equal(code, 0, stderr)
  const { rows, oldGenerationMb } = JSON.parse(stdout.trim().split('\n').at(-1)!) as { rows: number, oldGenerationMb: number }
  t.equal(rows, ROWS, 'every row read')
  t.comment(`${oldGenerationMb.toFixed(1)} MB reached the old generation while ${ROWS} rows were read`)
  t.ok(oldGenerationMb < OLD_GENERATION_LIMIT_MB, `${oldGenerationMb.toFixed(1)} MB reached the old generation (under ${OLD_GENERATION_LIMIT_MB} MB)`)
})
