import { readFileSync } from 'node:fs'
import t from 'tap'
import { ENV_VARS } from '../../../src/cli/config-env.js'

// The shipped deploy files (compose.yaml, Caddyfile, postgres-init.sql) and docs/deploy.md say the same
// thing: N replicas share the token store, the counts, the hash key and the tokens, and the balancer routes every
// path the portal calls.

const read = (file: string): string => readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8')

/** The `KEY: value` lines of one compose service's `environment` (comments dropped). */
function environmentOf (compose: string, service: string): Map<string, string> {
  const block = new RegExp(`^  ${service}:\\n([\\s\\S]*?)(?=^  \\S|^\\S)`, 'm').exec(compose)?.[1] ?? ''
  const environment = /^ {4}environment:\n((?: {6}.*\n| *#.*\n)+)/m.exec(block)?.[1] ?? ''
  const entries = [...environment.matchAll(/^ {6}([A-Z0-9_]+): *(.*?)(?: +#.*)?$/gm)].map((match) => [match[1]!, match[2]!.replace(/^'(.*)'$/, '$1')] as const)
  return new Map(entries)
}

t.test('the Caddyfile routes the four connector paths and /bitrix24/* (install, events, the app page) to the connector', async (t) => {
  const caddyfile = read('Caddyfile')
  const matcher = /^\s*@connector path (.+)$/m.exec(caddyfile)?.[1]?.split(/\s+/) ?? []
  for (const path of ['/api/check', '/api/table_list', '/api/table_description', '/api/data', '/bitrix24/*']) t.ok(matcher.includes(path), path)
  t.match(caddyfile, /handle @connector \{\s*[\s\S]*?reverse_proxy \{[\s\S]*?dynamic a \{\s*name connector/, 'the matched paths go to every connector replica')
})

t.test('compose keeps the tokens in PostgreSQL, in a database of their own that postgres-init.sql creates', async (t) => {
  const compose = read('compose.yaml')
  const connector = environmentOf(compose, 'connector')
  const store = connector.get('B24BI_TOKEN_STORE') ?? ''
  const match = /^postgres:\/\/b24bi:\$\{POSTGRES_PASSWORD[^}]*\}@postgres:5432\/([a-z0-9_]+)$/.exec(store)
  t.ok(match, `B24BI_TOKEN_STORE is the compose PostgreSQL: ${store}`)
  const tokensDatabase = match?.[1] ?? ''
  const dataUrl = /"url":"postgres:\/\/[^"]*@postgres:5432\/([a-z0-9_]+)"/.exec(connector.get('B24BI_ADAPTER_OPTIONS') ?? '')?.[1]
  t.ok(dataUrl !== undefined && dataUrl !== tokensDatabase, `the data database (${String(dataUrl)}) is not the tokens' (${tokensDatabase}): the token tables are never listed to the portal`)
  t.match(read('postgres-init.sql'), new RegExp(`^CREATE DATABASE ${tokensDatabase};$`, 'm'), 'the init script creates it')
  t.match(compose, /- \.\/postgres-init\.sql:\/docker-entrypoint-initdb\.d\/[\w-]+\.sql:ro/, 'mounted where the postgres image runs it on a new volume')
  t.equal(connector.get('B24BI_SINGLE_INSTANCE'), undefined, 'no single-instance flag: compose scales')
  // eslint-disable-next-line no-template-curly-in-string -- compose's own ${VAR} syntax
  t.equal(connector.get('B24BI_PUBLIC_URL'), 'https://${B24BI_DOMAIN:?set B24BI_DOMAIN}', 'the install flow registers the public URL Caddy serves')
})

t.test('compose gives every replica the shared settings, and docs/deploy.md names each and the single-instance flag', async (t) => {
  const connector = environmentOf(read('compose.yaml'), 'connector')
  t.match(connector.get('B24BI_SHARED_STORE'), /^redis:\/\/redis:6379\//, 'B24BI_SHARED_STORE is the compose Redis')
  for (const name of ['B24BI_HASH_KEY', 'CONNECTOR_TOKEN', 'CONNECTOR_TOKENS', 'B24BI_CLIENT_ID', 'B24BI_CLIENT_SECRET']) t.ok(connector.has(name), `compose sets ${name}`)
  const known = new Set(ENV_VARS.map(([name]) => name))
  for (const name of connector.keys()) t.ok(known.has(name), `${name} is a setting serve reads`)

  const deploy = read('docs/deploy.md')
  t.match(deploy, /docker compose up -d --build --scale connector=3/, 'N replicas with one command')
  for (const name of ['B24BI_TOKEN_STORE', 'B24BI_SHARED_STORE', 'B24BI_HASH_KEY', 'CONNECTOR_TOKEN', 'CONNECTOR_TOKENS', 'B24BI_SINGLE_INSTANCE']) {
    t.match(deploy, new RegExp(`\`${name}[=\`]`), `docs/deploy.md names ${name}`)
  }
})
