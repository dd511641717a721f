import { expect, test } from 'tstyche'
import type { Adapter } from 'b24bi'
import * as clickhouse from 'b24bi/clickhouse'
import { ClickHouseAdapter, type ClickHouseAdapterOptions } from 'b24bi/clickhouse'
import * as files from 'b24bi/files'
import { FilesAdapter, type FilesAdapterOptions } from 'b24bi/files'
import * as http from 'b24bi/http'
import { HttpAdapter, type HttpAdapterOptions, type HttpField, type HttpFilterParam, type HttpTable, type Pagination } from 'b24bi/http'
import * as mysql from 'b24bi/mysql'
import { MysqlAdapter, type MysqlAdapterOptions } from 'b24bi/mysql'
import * as postgres from 'b24bi/postgres'
import { PostgresAdapter, type PostgresAdapterOptions } from 'b24bi/postgres'
import * as sql from 'b24bi/sql'
import { SqlAdapter, type SqlAdapterOptions, type SqlEngineDefinition } from 'b24bi/sql'
import * as sqlite from 'b24bi/sqlite'
import { SqliteAdapter, type SqliteAdapterOptions } from 'b24bi/sqlite'

// Each adapter subpath is its adapter class and its options type: no engine, type table or helper.

test('each adapter subpath holds one value, its adapter class', () => {
  expect<keyof typeof postgres>().type.toBe<'PostgresAdapter'>()
  expect<keyof typeof mysql>().type.toBe<'MysqlAdapter'>()
  expect<keyof typeof sqlite>().type.toBe<'SqliteAdapter'>()
  expect<keyof typeof clickhouse>().type.toBe<'ClickHouseAdapter'>()
  expect<keyof typeof files>().type.toBe<'FilesAdapter'>()
  expect<keyof typeof http>().type.toBe<'HttpAdapter'>()
  expect<keyof typeof sql>().type.toBe<'SqlAdapter' | 'compileOnlyBuilder' | 'utcWall'>()
})

test('each adapter class is an Adapter constructed from its options type', () => {
  expect<ConstructorParameters<typeof PostgresAdapter>>().type.toBe<[options: PostgresAdapterOptions]>()
  expect<ConstructorParameters<typeof MysqlAdapter>>().type.toBe<[options: MysqlAdapterOptions]>()
  expect<ConstructorParameters<typeof SqliteAdapter>>().type.toBe<[options: SqliteAdapterOptions]>()
  expect<ConstructorParameters<typeof ClickHouseAdapter>>().type.toBe<[options: ClickHouseAdapterOptions]>()
  expect<ConstructorParameters<typeof FilesAdapter>>().type.toBe<[options: FilesAdapterOptions]>()
  expect<ConstructorParameters<typeof HttpAdapter>>().type.toBe<[options: HttpAdapterOptions]>()
  expect<ConstructorParameters<typeof SqlAdapter>>().type.toBe<[engine: SqlEngineDefinition, options: SqlAdapterOptions]>()
  for (const adapter of [
    new PostgresAdapter({ url: 'postgres://reader@db/sales', token: 'a-long-token' }),
    new MysqlAdapter({ url: 'mysql://reader@db/shop', token: 'a-long-token' }),
    new SqliteAdapter({ url: '/var/lib/app.db', token: 'a-long-token' }),
    new ClickHouseAdapter({ url: 'http://default@ch:8123/default', token: 'a-long-token' }),
    new FilesAdapter({ directory: '/srv/exports', glob: '**/*.csv', token: 'a-long-token' }),
    new HttpAdapter({ baseUrl: 'https://api.example.com', tables: [{ code: 'items', url: '/items' }] })
  ]) expect(adapter).type.toBeAssignableTo<Adapter>()
})

test('the SQL adapters take the shared SQL options; SQLite only server mode', () => {
  expect<PostgresAdapterOptions>().type.toBe<SqlAdapterOptions>()
  expect<MysqlAdapterOptions>().type.toBe<SqlAdapterOptions>()
  expect<ClickHouseAdapterOptions>().type.toBe<SqlAdapterOptions>()
  expect(PostgresAdapter).type.toBeConstructableWith({ portal: { allowHosts: ['10.0.0.0/8'], maxPools: 20 } })
  expect(SqliteAdapter).type.not.toBeConstructableWith({ token: 'a-long-token' })
  expect(SqliteAdapter).type.not.toBeConstructableWith({ url: '/var/lib/app.db', portal: {} })
})

test('a wrong option does not compile', () => {
  expect(PostgresAdapter).type.not.toBeConstructableWith({ url: 'postgres://db/x', token: 'a-long-token', noSuchOption: 1 })
  expect(PostgresAdapter).type.not.toBeConstructableWith({ url: 5 })
  expect(FilesAdapter).type.not.toBeConstructableWith({ glob: '*.csv' })
  expect(FilesAdapter).type.not.toBeConstructableWith({ directory: '/srv', threads: 'four' })
  expect(HttpAdapter).type.not.toBeConstructableWith({ baseUrl: 'https://api.example.com' })
  expect(HttpAdapter).type.not.toBeConstructableWith({ tables: [{ code: 'items' }] })
})

test("an HTTP table is written in the subpath's own types", () => {
  const pagination: Pagination = { style: 'none' }
  const fields: HttpField[] = [{ code: 'ID', type: 'int' }, { code: 'CREATED', type: 'datetime', path: 'created_at', zoned: true }]
  const filters: HttpFilterParam[] = [{ field: 'CREATED', op: 'gte', param: 'created_from' }]
  const table: HttpTable = { code: 'items', url: '/items', rows: 'data', fields, filters, pagination }
  expect(HttpAdapter).type.toBeConstructableWith({ tables: [table], settings: [{ code: 'apiKey', name: 'API key', type: 'STRING' }] })
  expect<HttpFilterParam>().type.not.toBeAssignableFrom({ field: 'ID', op: 'between', param: 'x' })
})
