import importX, { createNodeResolver } from 'eslint-plugin-import-x'
import neostandard from 'neostandard'

// The layers of src/LAYERS.md, bottom up, and what each may import besides itself. A folder not listed for a
// layer is closed to it: an import running back up (or sideways into a floor it does not need) fails lint.
const LAYERS = {
  'src/core': [],
  'src/util': ['src/core'],
  'src/policy': ['src/core', 'src/util'],
  'src/filter': ['src/core', 'src/util'],
  'src/protocol': ['src/core', 'src/util'],
  'src/runtime': ['src/core', 'src/util', 'src/policy', 'src/filter', 'src/protocol'],
  'src/bitrix': ['src/core', 'src/util', 'src/policy', 'src/filter', 'src/protocol', 'src/runtime'],
  'src/probe': ['src/core', 'src/util', 'src/policy', 'src/filter', 'src/protocol', 'src/runtime'],
  'src/fastify': ['src/core', 'src/util', 'src/policy', 'src/filter', 'src/protocol', 'src/runtime', 'src/bitrix'],
  'src/adapter-kit': ['src/core', 'src/util', 'src/policy', 'src/filter'],
  adapters: ['src/core', 'src/adapter-kit'],
  plugins: ['src/core', 'src/util', 'src/policy', 'src/filter', 'src/protocol', 'src/runtime', 'src/bitrix', 'src/probe', 'src/fastify'],
  'src/server': ['src/core', 'src/util', 'src/policy', 'src/filter', 'src/protocol', 'src/runtime', 'src/bitrix', 'src/probe', 'src/fastify', 'plugins'],
  'src/testing': ['src/core', 'src/util', 'src/policy', 'src/filter', 'src/protocol', 'src/runtime', 'src/bitrix', 'src/probe', 'src/fastify', 'src/server'],
  'src/cli': ['src/core', 'src/util', 'src/policy', 'src/filter', 'src/protocol', 'src/runtime', 'src/bitrix', 'src/probe', 'src/fastify', 'plugins', 'src/server', 'src/testing', 'adapters'],
  'src/index.ts': ['src/core', 'plugins']
}

const layerZones = Object.entries(LAYERS).map(([layer, allowed]) => ({
  target: `./${layer}`,
  from: Object.keys(LAYERS).filter((other) => other !== layer && !allowed.includes(other)).map((other) => `./${other}`),
  message: `${layer} may import only ${allowed.length === 0 ? 'itself' : allowed.join(', ')} (src/LAYERS.md).`
}))

// Of src/core, adapters import the contract itself; the tools they share with third-party adapters come from the kit.
const kitZone = {
  target: './adapters',
  from: ['./src/core/value-format.ts', './src/core/text-rows.ts', './src/core/time-zone.ts', './src/core/typed-adapter.ts', './src/core/adapter-shape.ts'],
  message: 'adapters take this from src/adapter-kit (src/LAYERS.md).'
}

export default [
  ...neostandard({
    ts: true,
    ignores: ['dist/**', '.tap/**', 'coverage/**', '**/node_modules/**']
  }),
  {
    rules: {
      // `void promise;` marks a promise deliberately not awaited (a reply header, a background close).
      'no-void': ['error', { allowAsStatement: true }],
      // TypeBox's idiom is a schema and its type under one name (`const X = Type.Object(...)`, `type X = Static<typeof X>`);
      // tsc itself rejects a real redeclaration.
      '@typescript-eslint/no-redeclare': 'off'
    }
  },
  {
    files: ['test/**', 'bench/**'],
    rules: {
      // Load loops run `while (running)` until a timer or another request's callback clears the flag.
      'no-unmodified-loop-condition': 'off'
    }
  },
  {
    files: ['src/**/*.ts', 'plugins/**/*.ts', 'adapters/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      // Sources import each other as `./x.js`; the file on disk is `x.ts`.
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } })],
      'import-x/extensions': ['.ts', '.js']
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: [...layerZones, kitZone] }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }]
    }
  }
]
