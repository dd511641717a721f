import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { chmod, copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import t, { type Test } from 'tap'
import pg from 'pg'
import { Redis } from 'ioredis'
import { FileTokenStore } from '../../../src/bitrix/token-store/file-token-store.js'
import { MemoryTokenStore } from '../../../src/bitrix/token-store/memory-token-store.js'
import { PostgresTokenStore } from '../../../src/bitrix/token-store/postgres-token-store.js'
import { RedisTokenStore } from '../../../src/bitrix/token-store/redis-token-store.js'
import { POSTGRES, REDIS } from '../../helpers/services.js'
import { checkTokenStore, redactTokens, replaceTokens, type PortalTokens, type TokenStore } from '../../../src/bitrix/token-store/token-store.js'

const suffix = `${process.pid}_${Date.now()}`

function tokens (memberId: string, accessToken = 'access-1'): PortalTokens {
  return {
    memberId,
    domain: 'example.bitrix24.com',
    restEndpoint: 'https://example.bitrix24.com/rest/',
    accessToken,
    refreshToken: 'refresh-1',
    expiresAt: 1_700_000_000_000,
    applicationToken: 'app-secret'
  }
}

function postgresPool (): pg.Pool {
  return new pg.Pool({ connectionString: POSTGRES.url, max: 2 })
}

const engines: Array<{ name: string, open: (t: Test) => Promise<TokenStore> }> = [
  { name: 'memory', open: async () => new MemoryTokenStore() },
  {
    name: 'file',
    open: async (t) => {
      const dir = await mkdtemp(join(tmpdir(), 'b24bi-tokens-'))
      t.teardown(async () => await rm(dir, { recursive: true, force: true }))
      return new FileTokenStore(join(dir, 'nested', 'tokens.json'))
    }
  },
  {
    name: 'postgres',
    open: async (t) => {
      const pool = postgresPool()
      const table = `b24bi_tokens_test_${suffix}_${Math.floor(Math.random() * 1e6)}`
      t.teardown(async () => {
        await pool.query(`DROP TABLE IF EXISTS ${table}`)
        await pool.end()
      })
      return new PostgresTokenStore({ client: pool, table })
    }
  },
  {
    name: 'redis',
    open: async (t) => {
      const redis = new Redis(REDIS.url, { lazyConnect: true, maxRetriesPerRequest: 1 })
      await redis.connect()
      const key = `b24bi:test:${suffix}:${Math.random()}`
      t.teardown(async () => {
        await redis.del(key)
        await redis.quit()
      })
      return new RedisTokenStore({ client: redis, key })
    }
  }
]

for (const engine of engines) {
  t.test(`${engine.name} store: set, get, replace, list, delete`, async (t) => {
    const store = await engine.open(t)
    t.equal(await store.get('m1'), undefined, 'nothing stored yet')
    t.same(await store.list(), [])
    await store.set(tokens('m1'))
    await store.set(tokens('m2'))
    t.same(await store.get('m1'), tokens('m1'))
    await store.set(tokens('m1', 'access-2'))
    t.equal((await store.get('m1'))?.accessToken, 'access-2', 'set replaces')
    t.same((await store.list()).sort(), ['m1', 'm2'])
    await store.delete('m1')
    await store.delete('missing')
    t.equal(await store.get('m1'), undefined)
    t.same(await store.list(), ['m2'])
  })

  t.test(`${engine.name} store: concurrent writes all land`, async (t) => {
    const store = await engine.open(t)
    await Promise.all(Array.from({ length: 20 }, async (_, i) => await store.set(tokens(`p${i}`))))
    t.equal((await store.list()).length, 20)
  })

  t.test(`${engine.name} store: replace is a compare-and-set on the refresh and application tokens`, async (t) => {
    const store = await engine.open(t)
    const first = tokens('m1')
    await store.set(first)
    const renewed = { ...first, accessToken: 'access-2', refreshToken: 'refresh-2' }
    t.equal(await replaceTokens(store, first, renewed), true, 'the expected record is replaced')
    t.same(await store.get('m1'), renewed)
    t.equal(await replaceTokens(store, first, { ...first, accessToken: 'stale' }), false, 'a stale pair is refused')
    t.equal(await replaceTokens(store, { ...renewed, applicationToken: 'old-app' }, { ...renewed, accessToken: 'stale' }), false, 'another applicationToken is refused')
    t.same(await store.get('m1'), renewed, 'nothing was written')
    const { applicationToken: _, ...withoutApp } = renewed
    await store.set(withoutApp)
    t.equal(await replaceTokens(store, renewed, { ...renewed, accessToken: 'x' }), false, 'an absent applicationToken is not the expected one')
    t.equal(await replaceTokens(store, withoutApp, { ...withoutApp, accessToken: 'access-3' }), true, 'absent matches absent')
    await store.delete('m1')
    t.equal(await replaceTokens(store, withoutApp, { ...withoutApp, accessToken: 'x' }), false, 'a deleted record is not brought back')
    t.equal(await store.get('m1'), undefined)
  })

  t.test(`${engine.name} store: is checked writable`, async (t) => {
    const store = await engine.open(t)
    await t.resolves(checkTokenStore(store))
    t.same(await store.list(), [], 'the check leaves nothing behind')
  })

  t.test(`${engine.name} store: a returned record is a copy`, async (t) => {
    const store = await engine.open(t)
    await store.set(tokens('m1'))
    const got = await store.get('m1')
    if (got !== undefined) got.accessToken = 'changed'
    t.equal((await store.get('m1'))?.accessToken, 'access-1')
  })
}

t.test('file store writes mode 0600 atomically and leaves no temporary file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'b24bi-tokens-'))
  t.teardown(async () => await rm(dir, { recursive: true, force: true }))
  const path = join(dir, 'tokens.json')
  const store = new FileTokenStore(path)
  await store.set(tokens('m1'))
  t.equal((await stat(path)).mode & 0o777, 0o600)
  t.same(await readdir(dir), ['tokens.json'])
  t.equal(JSON.parse(await readFile(path, 'utf8')).portals.m1.memberId, 'm1')
  t.equal(await new FileTokenStore(path).get('m1').then((x) => x?.refreshToken), 'refresh-1', 'a second instance reads it')
})

t.test('file store rejects a corrupt file with a coded error', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'b24bi-tokens-'))
  t.teardown(async () => await rm(dir, { recursive: true, force: true }))
  const path = join(dir, 'tokens.json')
  await writeFile(path, '{not json')
  await t.rejects(new FileTokenStore(path).get('m1'), { code: 'B24BI_ERR_TOKEN_STORE' })
})

t.test('postgres store refuses an unsafe table name', async (t) => {
  t.throws(() => new PostgresTokenStore({ client: { query: async () => ({ rows: [] }) }, table: 'x; drop table y' }),
    { code: 'B24BI_ERR_CONFIG_INVALID' })
})

t.test('postgres store retries creating the table after a failure', async (t) => {
  let calls = 0
  const store = new PostgresTokenStore({
    client: {
      query: async (text) => {
        calls++
        if (calls === 1) throw new TypeError('connection refused')
        return { rows: text.startsWith('SELECT member_id') ? [{ member_id: 'm1' }] : [] }
      }
    }
  })
  await t.rejects(store.list(), { code: 'B24BI_ERR_TOKEN_STORE' })
  t.same(await store.list(), ['m1'])
})

t.test('redactTokens hides every secret', async (t) => {
  const text = JSON.stringify(redactTokens(tokens('m1')))
  t.notMatch(text, /access-1|refresh-1|app-secret/)
  t.match(text, /example\.bitrix24\.com/)
})

// Separate processes, as replicas or a server and a CLI on one host are: each imports the built store.
const FILE_STORE = new URL('../../../dist/src/bitrix/token-store/file-token-store.js', import.meta.url).href

async function runNode (script: string, options: { uid?: number, gid?: number, node?: string } = {}): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const { node = process.execPath, ...ids } = options
  const args = ['--input-type=module', '-e', script]
  // Another user runs without tap's NODE_OPTIONS (tap adds them to every child): they make it write tap's files.
  const child = ids.uid === undefined
    ? spawn(node, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('env', ['-u', 'NODE_OPTIONS', node, ...args], { ...ids, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const [code] = await once(child, 'close') as [number | null]
  return { code, stdout, stderr }
}

t.test('file store: 30 concurrent installs from 3 processes keep 30', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'b24bi-tokens-'))
  t.teardown(async () => await rm(dir, { recursive: true, force: true }))
  const path = join(dir, 'tokens.json')
  const runs = await Promise.all([0, 1, 2].map(async (process) => await runNode(`
    const { FileTokenStore } = await import(${JSON.stringify(FILE_STORE)})
    const store = new FileTokenStore(${JSON.stringify(path)})
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.set({ ...${JSON.stringify(tokens('x'))}, memberId: 'p${process}_' + i })))
  `)))
  t.same(runs.map((run) => run.code), [0, 0, 0], runs.map((run) => run.stderr).join(''))
  t.equal((await new FileTokenStore(path).list()).length, 30)
  t.same(await readdir(dir), ['tokens.json'], 'no lock or temporary file is left')
})

t.test('file store: a lock left by a dead process is broken once expired', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'b24bi-tokens-'))
  t.teardown(async () => await rm(dir, { recursive: true, force: true }))
  const path = join(dir, 'tokens.json')
  await writeFile(`${path}.lock`, JSON.stringify({ holder: 'dead', expiresAt: Date.now() - 1 }))
  await new FileTokenStore(path).set(tokens('m1'))
  t.equal((await new FileTokenStore(path).get('m1'))?.memberId, 'm1')
  t.same(await readdir(dir), ['tokens.json'])
})

async function copyForNobody (t: Test): Promise<{ node: string, store: string }> {
  const root = await mkdtemp(join(tmpdir(), 'b24bi-nobody-'))
  t.teardown(async () => await rm(root, { recursive: true, force: true }))
  const built = fileURLToPath(new URL('../../../dist/src/', import.meta.url))
  await mkdir(join(root, 'src', 'core'), { recursive: true })
  await mkdir(join(root, 'src', 'bitrix', 'token-store'), { recursive: true })
  for (const file of ['core/errors.js', 'bitrix/token-store/file-token-store.js', 'bitrix/token-store/file-lock.js', 'bitrix/token-store/token-store.js']) {
    await copyFile(join(built, file), join(root, 'src', file))
  }
  // errors.js builds its classes with @fastify/error: the one package these modules import.
  const errorPackage = fileURLToPath(new URL('../../../node_modules/@fastify/error/', import.meta.url))
  await mkdir(join(root, 'node_modules', '@fastify', 'error'), { recursive: true })
  for (const file of ['package.json', 'index.js']) await copyFile(join(errorPackage, file), join(root, 'node_modules', '@fastify', 'error', file))
  await copyFile(process.execPath, join(root, 'node'))
  for (const path of [root, join(root, 'src'), join(root, 'src', 'core'), join(root, 'src', 'bitrix'), join(root, 'src', 'bitrix', 'token-store'),
    join(root, 'node_modules'), join(root, 'node_modules', '@fastify'), join(root, 'node_modules', '@fastify', 'error')]) await chmod(path, 0o755)
  await chmod(join(root, 'node'), 0o755)
  return { node: join(root, 'node'), store: pathToFileURL(join(root, 'src', 'bitrix', 'token-store', 'file-token-store.js')).href }
}

t.test('file store: a read-only folder fails check() with a coded error', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'b24bi-tokens-'))
  t.teardown(async () => {
    await chmod(dir, 0o700)
    await rm(dir, { recursive: true, force: true })
  })
  const asRoot = process.getuid?.() === 0
  // root writes anywhere: the check runs as nobody, as the container's user would, from copies of node and of the
  // store's modules that nobody can read (the checkout and node may sit in a folder only root enters).
  const copy = asRoot ? await copyForNobody(t) : undefined
  await chmod(dir, 0o555)
  for (const path of [join(dir, 'tokens.json'), join(dir, 'nested', 'tokens.json')]) {
    if (copy !== undefined) {
      const run = await runNode(`
        const { FileTokenStore } = await import(${JSON.stringify(copy.store)})
        await new FileTokenStore(${JSON.stringify(path)}).check().then(() => console.log('writable'), (error) => console.log(error.code, error.message))
      `, { uid: 65534, gid: 65534, node: copy.node })
      t.equal(run.stderr, '', path)
      t.match(run.stdout, /^B24BI_ERR_TOKEN_STORE_UNWRITABLE The token store cannot be written: the folder '.*' of the token file is not writable \(EACCES\)/, path)
    } else {
      await t.rejects(new FileTokenStore(path).check(), { code: 'B24BI_ERR_TOKEN_STORE_UNWRITABLE', message: /not writable \(EACCES\)/ }, path)
    }
  }
})
