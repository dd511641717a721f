import { join } from 'node:path'
import { ESLint } from 'eslint'
import t from 'tap'

// The project's own eslint.config.js, with only the import rule under test running (the others cost time and
// are not what these tests are about). Each planted file is linted as text under a path inside the tree.
const root = join(import.meta.dirname, '../../..')

async function findings (rule: string, path: string, text: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root, ruleFilter: ({ ruleId }) => ruleId === rule })
  const [result] = await eslint.lintText(text, { filePath: join(root, path) })
  return (result?.messages ?? []).map((message) => `${message.ruleId ?? 'parse'}: ${message.message}`)
}

const UP = 'import-x/no-restricted-paths'

t.test('an import running back up fails lint', async (t) => {
  const core = await findings(UP, 'src/core/planted.ts', "import { buildServer } from '../server/build-server.js'\nexport const planted = buildServer\n")
  t.match(core, [/^import-x\/no-restricted-paths: .*src\/core may import only itself/], 'the contract importing the server')
  const plugin = await findings(UP, 'plugins/planted.ts', "import { PostgresAdapter } from '../adapters/postgres/index.js'\nexport const planted = PostgresAdapter\n")
  t.match(plugin, [/^import-x\/no-restricted-paths: /], 'a plugin importing an adapter')
  const adapter = await findings(UP, 'adapters/sql/planted.ts', "import { globToRegExp } from '../../src/util/glob.js'\nexport const planted = globToRegExp\n")
  t.match(adapter, [/^import-x\/no-restricted-paths: .*adapters may import only src\/core, src\/adapter-kit/], 'an adapter going around the kit')
  const tool = await findings(UP, 'adapters/sql/planted.ts', "import { formatRow } from '../../src/core/value-format.js'\nexport const planted = formatRow\n")
  t.match(tool, [/^import-x\/no-restricted-paths: .*adapters take this from src\/adapter-kit/], 'an adapter taking a kit tool from core')
})

t.test('imports down the layers pass', async (t) => {
  t.same(await findings(UP, 'adapters/sql/planted.ts', "import { globToRegExp } from '../../src/adapter-kit/index.js'\nimport { ERR_CONFIG_INVALID } from '../../src/core/errors.js'\nexport const planted = [globToRegExp, ERR_CONFIG_INVALID]\n"), [])
  t.same(await findings(UP, 'src/server/planted.ts', "import { connectorPlugin } from '../../plugins/connector.js'\nexport const planted = connectorPlugin\n"), [])
})

t.test('a circle fails lint', async (t) => {
  // host-guard.ts imports ip-ranges.ts; ip-ranges.ts importing host-guard.ts back closes a circle inside one layer.
  const text = "import { HostGuard } from './host-guard.js'\nexport const planted = HostGuard\n"
  t.match(await findings('import-x/no-cycle', 'src/policy/ip-ranges.ts', text), [/^import-x\/no-cycle: /])
  t.same(await findings('import-x/no-cycle', 'src/policy/planted.ts', text), [], 'the same import without the way back')
})
