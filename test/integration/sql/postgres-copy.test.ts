import pg from 'pg'
import t from 'tap'
import { copyStatement } from '../../../adapters/postgres/postgres-copy.js'
import { URL } from '../../helpers/sql/postgres-fixture.js'

t.test('each $n becomes the literal pg would send, outside quotes and comments', async (t) => {
  t.equal(copyStatement({ sql: 'select "a" from "t" where "b" = $1 and "c" = any(cast($2 as text[]))', parameters: ["it's \\ here", ['x', 'y"z', null, 'w\\v']] }),
    'COPY (select "a" from "t" where "b" = E\'it\'\'s \\\\ here\' and "c" = any(cast(E\'{"x","y\\\\"z",NULL,"w\\\\\\\\v"}\' as text[]))) TO STDOUT')
  t.equal(copyStatement({ sql: 'select "$1", \'$1\', "a$1" -- $1\nfrom t where x = $1 /* $2 */', parameters: [5] }),
    'COPY (select "$1", \'$1\', "a$1" -- $1\nfrom t where x = E\'5\' /* $2 */) TO STDOUT')
  t.equal(copyStatement({ sql: 'select 1 where $1 and $2 is null and $3 = $10', parameters: [true, null, 12n, ...Array.from({ length: 6 }, (_, i) => i), 'ten'] }),
    "COPY (select 1 where E'true' and NULL is null and E'12' = E'ten') TO STDOUT")
  t.equal(copyStatement({ sql: 'select "a""$1" from t where x = $1', parameters: ['v'] }), 'COPY (select "a""$1" from t where x = E\'v\') TO STDOUT')
})

t.test('what the scanner cannot be sure of is read through the cursor instead', async (t) => {
  for (const [sql, parameters, why] of [
    ['select $$ $1 $$ where x = $1', ['a'], 'a dollar-quoted string'],
    ['select $tag$ x $tag$', [], 'a tagged dollar quote'],
    ["select E'\\'' where x = $1", ['a'], 'an escape string'],
    ['select 1 /* outer /* inner */ $1 */', ['a'], 'a nested comment'],
    ['select 1 where x = $2', ['a'], 'a parameter past the list'],
    ['select "unclosed', [], 'an unclosed identifier'],
    ['select 1 where x = $1', [new Date(0)], 'a Date (pg would write it in local time)'],
    ['select 1 where x = $1', [{ a: 1 }], 'an object'],
    ['select 1 where x = $1', [Number.NaN], 'NaN'],
    ['select 1 where x = $1', ['nul\0byte'], 'a NUL byte'],
    ['select 1 where x = $1', [[[1]]], 'a nested array']
  ] as Array<[string, unknown[], string]>) {
    t.equal(copyStatement({ sql, parameters }), undefined, why)
  }
})

t.test('PostgreSQL reads the inlined literals as it reads the parameters', async (t) => {
  const client = new pg.Client(URL)
  await client.connect()
  t.teardown(async () => { await client.end() })
  const values = ["O'Brien \\ \"x\"", '9223372036854775807', '12345678901234567.89', '2026-03-29T01:30:00.000Z']
  const sql = 'SELECT $1::text AS a, $2::bigint AS b, $3::numeric AS c, $4::timestamptz AS d, $5 = ANY(CAST($6 AS text[])) AS e'
  const parameters = [...values, 'y"z', ['x', 'y"z', null, 'w\\v']]
  const bound = await client.query({ text: sql, values: parameters, rowMode: 'array', types: { getTypeParser: () => (value: string) => value } as never })
  const inlined = copyStatement({ sql, parameters })!.replace(/^COPY \((.*)\) TO STDOUT$/s, '$1')
  const literal = await client.query({ text: inlined, rowMode: 'array', types: { getTypeParser: () => (value: string) => value } as never })
  t.same(literal.rows, bound.rows)
  t.same(bound.rows, [[values[0], values[1], values[2], '2026-03-29 01:30:00+00', 't']])
})
