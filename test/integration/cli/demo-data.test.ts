import { spawn } from 'node:child_process'
import { chmodSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { demoCacheCandidates, openCacheFolder } from '../../../src/cli/demo-cache.js'
import { DEMO_FOLDER } from '../../../src/cli/demo-data.js'
import { MANIFEST, verifyManifest } from '../../../src/cli/demo-manifest.js'
import { demoDataDirectory } from '../../../src/cli/demo.js'
import { TYPESCRIPT_LOADER } from '../../helpers/typescript-loader.js'

const FILES = ['activities.parquet', 'companies.csv', 'contacts.parquet', 'deals.parquet', 'exact_values.parquet']
const uid = process.getuid!()

function cacheFolder (t: Test): string {
  const folder = mkdtempSync(join(tmpdir(), 'b24bi-demodata-cache-'))
  t.teardown(() => rmSync(folder, { recursive: true, force: true }))
  return folder
}

const manifestOf = (data: string): Record<string, string> =>
  (JSON.parse(readFileSync(join(data, MANIFEST), 'utf8')) as { files: Record<string, string> }).files

async function timed<T> (t: Test, what: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now()
  const result = await work()
  t.comment(`${what}: ${(performance.now() - started).toFixed(0)} ms`)
  return result
}

// One generated set, shared by the tests that only read it or compare hashes with it.
const reference = await (async () => {
  const folder = mkdtempSync(join(tmpdir(), 'b24bi-demodata-cache-'))
  t.teardown(() => rmSync(folder, { recursive: true, force: true }))
  const started = performance.now()
  const data = await demoDataDirectory(folder)
  return { folder, data, manifest: manifestOf(data), firstMs: performance.now() - started }
})()

t.test('first start: the data is generated in <cache>/demo-v1, mode 0700, with a SHA-256 manifest of exactly its files', async (t) => {
  t.comment(`first start (generation): ${reference.firstMs.toFixed(0)} ms`)
  t.equal(reference.data, join(reference.folder, DEMO_FOLDER))
  t.equal(statSync(reference.data).mode & 0o777, 0o700)
  t.same(readdirSync(reference.data).sort(), [MANIFEST, ...FILES].sort())
  t.same(Object.keys(reference.manifest).sort(), FILES)
  for (const hash of Object.values(reference.manifest)) t.match(hash, /^[0-9a-f]{64}$/)
  t.same(readdirSync(reference.folder), [DEMO_FOLDER], 'no staging folder is left behind')
})

t.test('second start: the checked set is used as it is, not regenerated', async (t) => {
  const before = statSync(join(reference.data, 'deals.parquet'))
  t.equal(await timed(t, 'second start (hash check only)', async () => await demoDataDirectory(reference.folder)), reference.data)
  const after = statSync(join(reference.data, 'deals.parquet'))
  t.equal(after.ino, before.ino, 'same file')
  t.equal(after.mtimeMs, before.mtimeMs, 'not rewritten')
})

t.test('a tampered file is detected by its hash and the set regenerated, with the same content as before (deterministic)', async (t) => {
  const folder = cacheFolder(t)
  const data = await demoDataDirectory(folder)
  t.same(manifestOf(data), reference.manifest, 'two generations give the same bytes')
  const deals = join(data, 'deals.parquet')
  const content = readFileSync(deals)
  const middle = content.length >> 1
  content[middle] = content[middle]! ^ 0xff // same size, one byte flipped
  writeFileSync(deals, content)
  t.notOk(await verifyManifest(data, '1', FILES, uid), 'the tampered set fails the check')
  await timed(t, 'start after tampering (regeneration)', async () => await demoDataDirectory(folder))
  t.ok(await verifyManifest(data, '1', FILES, uid))
  t.same(manifestOf(data), reference.manifest)
})

t.test('an extra file or a file swapped for a symlink is not served: the set is regenerated', async (t) => {
  const folder = cacheFolder(t)
  const data = await demoDataDirectory(folder)
  writeFileSync(join(data, 'evil.csv'), 'ID\n1\n')
  t.notOk(await verifyManifest(data, '1', FILES, uid), 'an extra file fails the check')
  rmSync(join(data, 'companies.csv'))
  symlinkSync(join(reference.data, 'companies.csv'), join(data, 'companies.csv')) // same content, through a link
  t.notOk(await verifyManifest(data, '1', FILES, uid), 'a symlink fails the check even with the right content')
  await demoDataDirectory(folder)
  t.same(readdirSync(data).sort(), [MANIFEST, ...FILES].sort())
  t.ok(lstatSync(join(data, 'companies.csv')).isFile())
  t.ok(await verifyManifest(data, '1', FILES, uid))
})

t.test('a data folder others may write is replaced by a fresh 0700 one; a cache folder of ours is closed to them', async (t) => {
  const folder = cacheFolder(t)
  const data = await demoDataDirectory(folder)
  chmodSync(data, 0o777)
  const old = statSync(data).ino
  t.notOk(await verifyManifest(data, '1', FILES, uid), 'a world-writable data folder fails the check')
  await demoDataDirectory(folder)
  t.equal(statSync(data).mode & 0o777, 0o700)
  t.not(statSync(data).ino, old, 'a new folder')
  t.ok(await verifyManifest(data, '1', FILES, uid))

  chmodSync(folder, 0o777)
  t.equal(await openCacheFolder(folder), true)
  t.equal(statSync(folder).mode & 0o777, 0o700, 'the cache folder is chmod 0700')
})

t.test('a cache folder of another user, or a symlink, is refused with a coded error', async (t) => {
  const folder = cacheFolder(t)
  await t.rejects(openCacheFolder(folder, uid + 1), { code: 'B24BI_ERR_DEMO_CACHE', message: new RegExp(`belongs to uid ${uid}, not to this user \\(uid ${uid + 1}\\)`) })
  const link = join(cacheFolder(t), 'b24bi')
  symlinkSync(folder, link)
  await t.rejects(demoDataDirectory(link), { code: 'B24BI_ERR_DEMO_CACHE', message: /not a folder/ })
})

t.test('where the cache lives: XDG_CACHE_HOME, else ~/.cache, then <tmp>/b24bi-<uid> when the home cannot be written', async (t) => {
  t.equal(demoCacheCandidates({ XDG_CACHE_HOME: '/srv/cache' })[0], '/srv/cache/b24bi')
  t.match(demoCacheCandidates({ XDG_CACHE_HOME: 'relative' })[0], /\/\.cache\/b24bi$/, 'a relative XDG_CACHE_HOME is ignored (XDG spec)')
  t.equal(demoCacheCandidates({}).at(-1), join(tmpdir(), `b24bi-${uid}`))
  const file = join(cacheFolder(t), 'not-a-folder')
  writeFileSync(file, '')
  t.equal(await openCacheFolder(join(file, 'b24bi')), false, 'a folder that cannot be created is skipped, not an error')
})

t.test('three concurrent first starts (separate processes) end with one valid set and no leftovers', async (t) => {
  const folder = cacheFolder(t)
  const script = fileURLToPath(new URL('./demo-data-child.ts', import.meta.url))
  const start = async (): Promise<{ code: number | null, out: string }> => await new Promise((resolve) => {
    const child = spawn(process.execPath, [...TYPESCRIPT_LOADER, script, folder], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { out += chunk.toString() })
    child.once('exit', (code) => resolve({ code, out }))
  })
  const results = await timed(t, 'three concurrent first starts', async () => await Promise.all([start(), start(), start()]))
  for (const { code, out } of results) {
    t.equal(code, 0, out)
    t.equal(out.trim(), join(folder, DEMO_FOLDER))
  }
  t.same(readdirSync(folder), [DEMO_FOLDER], 'no staging or moved-aside folder is left')
  t.ok(await verifyManifest(join(folder, DEMO_FOLDER), '1', FILES, uid))
  t.same(manifestOf(join(folder, DEMO_FOLDER)), reference.manifest)
})
