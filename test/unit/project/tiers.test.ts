import { createServer, connect, type AddressInfo } from 'node:net'
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import t from 'tap'
import { POSTGRES } from '../../helpers/services.js'
import { unitTier } from '../../setup/unit-tier.js'

// A test's tier is the folder it lives in (CONTRIBUTING.md, Test tiers): test/unit, test/integration, test/e2e.
const root = resolve(import.meta.dirname, '../../..')
const TIERS = ['unit', 'integration', 'e2e']

/** Every file under `folder`, as paths relative to the repository. */
function walk (folder: string): string[] {
  return readdirSync(join(root, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name)
    return entry.isDirectory() ? walk(path) : [path]
  })
}

const folders = (path: string): string[] => readdirSync(join(root, path), { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name)

t.test('every test file sits in a tier: test/unit, test/integration or test/e2e', async (t) => {
  const tests = walk('test').filter((path) => /\.test\.[cm]?[jt]s$/.test(path))
  t.ok(tests.length > 100, `${tests.length} test files`)
  const outside = tests.filter((path) => !TIERS.some((tier) => path.startsWith(join('test', tier) + sep)))
  t.same(outside, [], 'none outside the tiers (move each into the tier of what it needs)')
  for (const tier of TIERS) t.ok(tests.some((path) => path.startsWith(join('test', tier) + sep)), `${tier} has tests`)
})

t.test('unit and integration folders mirror the source; end-to-end folders name what they drive', async (t) => {
  // src/<layer>, adapters/<adapter>, plugins and examples, plus `project` for the repository itself (docs, lint,
  // deploy files, this layout).
  const mirrors = new Set([...folders('src'), ...folders('adapters'), 'plugins', 'examples', 'project'])
  for (const tier of ['unit', 'integration']) {
    const strays = folders(join('test', tier)).filter((name) => !mirrors.has(name))
    t.same(strays, [], `test/${tier}/ holds only folders named after src/, adapters/, plugins, examples or project`)
  }
  const outsides = ['browser', 'cli', 'package', 'replicas', 'security']
  t.same(folders('test/e2e').filter((name) => !outsides.includes(name)), [], `test/e2e/ holds only ${outsides.join(', ')}`)
  const loose = readdirSync(join(root, 'test'), { withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => entry.name)
  t.same(loose, [], 'no file loose in test/')
})

t.test('a tier imports no file of another tier: shared code lives in test/helpers', async (t) => {
  const crossings: string[] = []
  const tierOf = (path: string): string | undefined => TIERS.find((tier) => path.startsWith(join('test', tier) + sep))
  for (const file of walk('test').filter((path) => /\.[cm]?[jt]s$/.test(path))) {
    const text = readFileSync(join(root, file), 'utf8')
    for (const [, specifier] of text.matchAll(/(?:from |import\(|new URL\()'(\.\.?\/[^']+)'/g)) {
      const target = relative(root, resolve(root, dirname(file), specifier!))
      const [from, to] = [tierOf(file), tierOf(target)]
      if (to !== undefined && from !== to) crossings.push(`${file} -> ${target}`)
    }
  }
  t.same(crossings, [])
})

t.test('a unit test opens no socket to a service or off this machine, and starts no process', async (t) => {
  t.ok(unitTier.active, 'the guard is on in this file (.taprc loads test/setup/unit-tier.ts)')
  t.throws(() => connect(Number(POSTGRES.port), '127.0.0.1'), { code: 'B24BI_TEST_UNIT_TIER', message: /PostgreSQL/ }, 'PostgreSQL')
  t.throws(() => connect({ host: '192.0.2.1', port: 443 }), { code: 'B24BI_TEST_UNIT_TIER', message: /off this machine/ }, 'another host')
  t.throws(() => spawnSync('true'), { code: 'B24BI_TEST_UNIT_TIER', message: /child process/ }, 'a child process')
  t.equal(unitTier.take().length, 3, 'each refusal recorded: the file fails at exit even when a caller swallows one')

  const server = createServer((socket) => socket.end('ok'))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1')
    let text = ''
    socket.on('data', (chunk) => { text += String(chunk) }).on('end', () => resolve(text)).on('error', reject)
  })
  t.equal(answer, 'ok', "the test's own server on a loopback port answers")
})
