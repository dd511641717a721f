/** What the templates are filled with. */
export interface ScaffoldValues {
  /** The npm package name, e.g. `sales-connector`. */
  name: string
  /** The adapter class name, e.g. `SalesConnectorAdapter`. */
  className: string
  /** The `b24bi` dependency spec: a version range or a `file:` path relative to the project. */
  b24bi: string
  /** True when b24bi is a packed file under `vendor/` (the Dockerfile copies it). */
  vendor: boolean
  /** Dependency versions taken from b24bi's own package.json. */
  versions: { tap: string, typescript: string, typesNode: string, typebox: string, fastCheck: string }
}

const adapter = ({ className }: ScaffoldValues): string => `import {
  Adapter, ERR_CONFIG_INVALID,
  type FieldInfo, type ReadPlan, type RequestContext, type Row, type Setting, type TableInfo
} from 'b24bi'
import { safeEqual } from 'b24bi/adapter-kit'

/** Options of {@link ${className}}. */
export interface ${className}Options {
  /** The token the portal user types in the source's settings (at least 12 characters). */
  token: string
}

const ORDER_FIELDS: FieldInfo[] = [
  { code: 'ID', name: 'Order id', type: 'int' },
  { code: 'CUSTOMER', name: 'Customer', type: 'string' },
  { code: 'AMOUNT', name: 'Amount', type: 'money' },
  { code: 'ORDERED_ON', name: 'Ordered on', type: 'date' },
  { code: 'UPDATED_AT', name: 'Updated at', type: 'datetime' }
]

const CUSTOMERS = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli']

/** Sample rows; replace with reads from your source. Money travels as a decimal string to stay exact. */
function * orders (): Generator<Record<string, unknown>> {
  for (let id = 1; id <= 500; id++) {
    const day = String(1 + (id % 28)).padStart(2, '0')
    const month = String(1 + (id % 12)).padStart(2, '0')
    yield {
      ID: id,
      CUSTOMER: CUSTOMERS[id % CUSTOMERS.length],
      AMOUNT: \`\${(id * 37) % 1000}.\${String(id % 100).padStart(2, '0')}\`,
      ORDERED_ON: \`2025-\${month}-\${day}\`,
      UPDATED_AT: id % 10 === 0 ? null : \`2025-\${month}-\${day} \${String(id % 24).padStart(2, '0')}:15:00\`
    }
  }
}

/**
 * The connector's adapter: lists the tables, describes their fields and yields their rows.
 * The b24bi runtime does the rest (validation, filters, limits, formats, errors), so this stays the happy path.
 */
export class ${className} extends Adapter {
  override readonly settings: readonly Setting[] = [{ code: 'token', name: 'Access token', type: 'STRING', secret: true }]
  readonly #token: string

  constructor (options: ${className}Options) {
    super()
    if (options.token.length < 12) throw new ERR_CONFIG_INVALID('token', 'use at least 12 characters')
    this.#token = options.token
  }

  override async check ({ connection }: RequestContext): Promise<boolean> {
    return safeEqual(connection.token ?? '', this.#token)
  }

  async listTables (): Promise<TableInfo[]> {
    return [{ code: 'orders', title: 'Orders', description: 'One row per order' }]
  }

  async describeTable (table: string): Promise<FieldInfo[] | undefined> {
    return table === 'orders' ? ORDER_FIELDS : undefined
  }

  async * readRows (plan: ReadPlan): AsyncIterable<Row[]> {
    let batch: Row[] = []
    for (const row of orders()) {
      if (plan.signal.aborted) return
      batch.push(row)
      if (batch.length === 100) {
        yield batch
        batch = []
      }
    }
    if (batch.length > 0) yield batch
  }
}
`

const server = ({ className }: ScaffoldValues): string => `import { buildServer } from 'b24bi/server'
import { ${className} } from './adapter.js'

// The edge: environment variables are read here only.
const token = process.env.CONNECTOR_TOKEN ?? ''
const port = Number(process.env.PORT ?? 3000)

// The server \`b24bi serve\` runs: log redaction, coded errors, rate limit, pressure check, /health, /ready, /metrics.
const app = await buildServer({
  adapter: new ${className}({ token }),
  logger: { level: process.env.LOG_LEVEL ?? 'info' },
  rateLimit: { max: 300, windowSeconds: 60 },
  underPressure: { maxEventLoopDelayMs: 1000 }
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => { void app.close() })
await app.listen({ port, host: process.env.HOST ?? '0.0.0.0' })
`

const test = ({ className }: ScaffoldValues): string => `import t from 'tap'
import { conformance } from 'b24bi/testing'
import { ${className} } from '../src/adapter.js'

const TOKEN = 'a-long-test-token-7f3a'

t.test('the adapter speaks the Bitrix24 BI connector protocol', async (t) => {
  const report = await conformance(t, {
    adapter: new ${className}({ token: TOKEN }),
    connection: { token: TOKEN },
    thresholds: { minRowsPerSecond: 100 }
  })
  t.same(report.failures, [], 'no check failed')
})

t.test('a short token is refused at start-up', async (t) => {
  t.throws(() => new ${className}({ token: 'short' }), { code: 'B24BI_ERR_CONFIG_INVALID' })
})
`

const packageJson = (values: ScaffoldValues): string => JSON.stringify({
  name: values.name,
  version: '0.1.0',
  private: true,
  type: 'module',
  engines: { node: '>=22.12.0' },
  scripts: {
    build: 'tsc -p tsconfig.json',
    start: 'node dist/src/server.js',
    test: 'tap',
    typecheck: 'tsc -p tsconfig.json --noEmit'
  },
  dependencies: { b24bi: values.b24bi, typebox: values.versions.typebox },
  // fast-check: the conformance kit's random filters (an optional peer dependency of b24bi, needed by the tests only).
  devDependencies: { '@types/node': values.versions.typesNode, 'fast-check': values.versions.fastCheck, tap: values.versions.tap, typescript: values.versions.typescript }
}, null, 2) + '\n'

const tsconfig = `{
  "compilerOptions": {
    "target": "ES2024",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "noImplicitOverride": true,
    "skipLibCheck": true,
    "outDir": "dist",
    "rootDir": ".",
    "types": ["node"]
  },
  "include": ["src", "test"]
}
`

const dockerfile = ({ vendor }: ScaffoldValues): string => `FROM node:24-slim AS build
WORKDIR /app
COPY package*.json ./
${vendor ? 'COPY vendor ./vendor\n' : ''}RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:24-slim
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/server.js"]
`

const readme = ({ name, className }: ScaffoldValues): string => `# ${name}

A Bitrix24 BI Builder connector built on [b24bi](https://www.npmjs.com/package/b24bi).
The adapter is \`src/adapter.ts\` (\`${className}\`): replace the sample \`orders\` table with your source.

## Quick start

\`\`\`sh
npm install
npm test                                   # the b24bi conformance suite against your adapter
npm run build
CONNECTOR_TOKEN=choose-a-long-secret npm start
npx b24bi probe http://localhost:3000 --setting token=choose-a-long-secret   # plays the portal
\`\`\`

## Register it in a portal

The portal must reach the connector at a public https URL. Connector methods work only for an application:
create a local application in the portal, then either add the b24bi install plugin to the server
(it registers the connector when the portal installs the application) or run

\`\`\`sh
B24BI_CLIENT_ID=... B24BI_CLIENT_SECRET=... npx b24bi register --title "${name}" \\
  --public-url https://connector.example.com --setting "token:Access token" \\
  --domain example.bitrix24.com --access-token ... --refresh-token ...
\`\`\`

## Docker

\`\`\`sh
docker build -t ${name} .
docker run -p 3000:3000 -e CONNECTOR_TOKEN=choose-a-long-secret ${name}
\`\`\`

## Configuration

| variable | meaning | default |
|---|---|---|
| \`CONNECTOR_TOKEN\` | the token a source must give (at least 12 characters) | none: refused at start |
| \`PORT\` / \`HOST\` | where to listen | \`3000\` / \`0.0.0.0\` |
| \`LOG_LEVEL\` | pino level | \`info\` |
`

/** Every file of a new connector project, by relative path. */
export function scaffoldFiles (values: ScaffoldValues): Record<string, string> {
  return {
    'package.json': packageJson(values),
    'tsconfig.json': tsconfig,
    '.taprc': 'allow-incomplete-coverage: true\ntimeout: 240\n',
    '.gitignore': 'node_modules/\ndist/\n.tap/\ncoverage/\n.b24bi/\n',
    '.dockerignore': 'node_modules\ndist\n.tap\ncoverage\n.git\n.b24bi\n',
    'src/adapter.ts': adapter(values),
    'src/server.ts': server(values),
    'test/adapter.test.ts': test(values),
    Dockerfile: dockerfile(values),
    'README.md': readme(values)
  }
}
