import Fastify, { type FastifyInstance } from 'fastify'
import formbody from '@fastify/formbody'
import pg from 'pg'
import { buildServer } from '../src/server/index.js'
import type { Adapter } from '../src/core/adapter.js'
import { ClickHouseAdapter } from '../adapters/clickhouse/index.js'
import { FilesAdapter } from '../adapters/files/index.js'
import { MysqlAdapter } from '../adapters/mysql/index.js'
import { PostgresAdapter } from '../adapters/postgres/index.js'
import { SqliteAdapter } from '../adapters/sqlite/index.js'
import { benchUrls } from './engines.js'
import { BENCH_TOKEN, benchSelect, pgConfig } from './seed.js'

/** Which server a benchmark child runs (`b24bi` is the postgres adapter). */
export type BenchServerKind = 'b24bi' | 'naive' | 'bare' | 'files' | 'clickhouse' | 'mysql' | 'sqlite'

// `rows` as the third argument: the adapter without its source-written path, every answer through readRows.
const rowPathOnly = process.argv[4] === 'rows'

async function serve (adapter: Adapter, deadlineSeconds?: number): Promise<FastifyInstance> {
  if (rowPathOnly) Object.defineProperty(adapter, 'readEncoded', { value: undefined })
  return await buildServer({ adapter, logger: false, ...(deadlineSeconds === undefined ? {} : { runtime: { deadlineSeconds } }) })
}

async function b24biServer (tables: string[]): Promise<FastifyInstance> {
  const config = pgConfig()
  return await serve(new PostgresAdapter({
    url: `postgres://${encodeURIComponent(String(config.user))}${config.password !== undefined ? `:${encodeURIComponent(config.password as string)}` : ''}@${config.host}:${config.port}/${config.database}`,
    token: BENCH_TOKEN,
    exposure: { tables: { allow: tables } }
  }))
}

async function clickhouseServer (tables: string[]): Promise<FastifyInstance> {
  return await serve(new ClickHouseAdapter({ url: benchUrls().clickhouse, token: BENCH_TOKEN, exposure: { tables: { allow: tables } } }))
}

async function mysqlServer (tables: string[]): Promise<FastifyInstance> {
  return await serve(new MysqlAdapter({ url: benchUrls().mysql, token: BENCH_TOKEN, exposure: { tables: { allow: tables } } }))
}

// The SQLite file, given in place of the table list.
async function sqliteServer ([path]: string[]): Promise<FastifyInstance> {
  return await serve(new SqliteAdapter({ url: path!, token: BENCH_TOKEN }))
}

// The connector most people write first: every row in memory, one JSON.stringify, one send.
async function naiveServer (tables: string[]): Promise<FastifyInstance> {
  const pool = new pg.Pool({ ...pgConfig(), max: 4 })
  const fastify = Fastify({ logger: false })
  await fastify.register(formbody)
  fastify.post('/api/data', async (request, reply) => {
    const body = request.body as { table?: string }
    if (body.table === undefined || !tables.includes(body.table)) return await reply.code(404).send({ error: 'unknown table' })
    const result = await pool.query({ text: benchSelect(body.table), rowMode: 'array' })
    const answer = [result.fields.map((field) => field.name.toUpperCase()), ...result.rows]
    return await reply.type('application/json').send(JSON.stringify(answer))
  })
  fastify.addHook('onClose', async () => await pool.end())
  return fastify
}

// The floor for small calls: Fastify, the form parser and a constant answer.
async function bareServer (tables: string[]): Promise<FastifyInstance> {
  const fastify = Fastify({ logger: false })
  await fastify.register(formbody)
  fastify.post('/api/check', async () => ({ status: 'ok' }))
  fastify.post('/api/table_list', async () => tables.map((code) => ({ code, title: code })))
  return fastify
}

// The files adapter over one folder, given in place of the table list. No deadline: a 10M-row read may take longer
// than 55 s on a busy machine, and its memory is what is measured.
async function filesServer ([directory]: string[]): Promise<FastifyInstance> {
  return await serve(new FilesAdapter({ directory: directory!, token: BENCH_TOKEN }), 3600)
}

const BUILDERS: Record<BenchServerKind, (tables: string[]) => Promise<FastifyInstance>> = {
  b24bi: b24biServer, naive: naiveServer, bare: bareServer, files: filesServer, clickhouse: clickhouseServer, mysql: mysqlServer, sqlite: sqliteServer
}

/** Runs one benchmark server on a loopback port and prints `{"port":N}` on stdout (the parent reads it). */
async function main (): Promise<void> {
  const [kind, tableList = ''] = process.argv.slice(2)
  const build = BUILDERS[kind as BenchServerKind]
  if (build === undefined) {
    process.stderr.write('usage: server.js b24bi|clickhouse|mysql|naive|bare table1,table2 [rows] | sqlite file [rows] | files folder [rows]\n')
    process.exit(2)
  }
  const fastify = await build(tableList.split(',').filter((table) => table !== ''))
  await fastify.listen({ host: '127.0.0.1', port: 0 })
  const address = fastify.server.address()
  process.stdout.write(JSON.stringify({ port: typeof address === 'object' && address !== null ? address.port : 0 }) + '\n')
  const stop = (): void => { fastify.close().then(() => process.exit(0), () => process.exit(1)) }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}

await main()
