import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { postForm } from '../../helpers/live-server.js'
import { scratchFolder, serve } from './served.js'

// Finding 13: the files adapter's recursive glob followed directory symlinks (a loop expanded 40 levels deep, a
// link out of the folder served its files) and file names were DuckDB globs (table `p*` served `public.csv` too).
// Against `b24bi serve` with the files adapter and glob `**/*.csv`.
const TOKEN = 'files-attack-token-6a2f'

t.test('files adapter: symbolic links are not followed, file names are not globs', async (t) => {
  const root = scratchFolder(t, 'b24bi-attack-files-')
  const directory = join(root, 'data')
  const outside = join(root, 'outside')
  mkdirSync(join(directory, 'sub'), { recursive: true })
  mkdirSync(outside)
  writeFileSync(join(outside, 'hidden.csv'), 'SECRET\nfrom outside\n')
  const files: Record<string, string> = {
    'public.csv': 'N\npublic\n',
    'p*.csv': 'N\nstar\n',
    'b[1].csv': 'N\nbracket\n',
    'b1.csv': 'N\nplain\n',
    'q?.csv': 'N\nquestion\n',
    'qx.csv': 'N\nqx\n',
    'sub/inner.csv': 'N\ninner\n',
    "it's.csv": 'N\nquoted name\n',
    // A header that would close the sniffed read_csv call's column list if it were pasted into SQL as it is.
    'header.tsv': "N': 'VARCHAR'}, header=true) UNION ALL SELECT 'injected' --\tM\nheader\t1\n"
  }
  for (const [name, text] of Object.entries(files)) writeFileSync(join(directory, name), text)
  symlinkSync('.', join(directory, 'loop'))
  symlinkSync(outside, join(directory, 'outdir'))
  symlinkSync(join(outside, 'hidden.csv'), join(directory, 'linked.csv'))

  const server = await serve(t, { B24BI_ADAPTER: 'files', B24BI_ADAPTER_OPTIONS: JSON.stringify({ directory, glob: '**/*.{csv,tsv}', token: TOKEN }) })
  const list = await postForm(`${server.url}/api/table_list`, { connection: { token: TOKEN } })
  t.equal(list.status, 200)
  const codes = (JSON.parse(list.body) as Array<{ code: string }>).map(({ code }) => code).sort()
  t.same(codes, ['b1', 'b[1]', 'header', "it's", 'p*', 'public', 'q?', 'qx', 'sub_inner'], 'the regular files only: no loop_*, no outdir_*, no linked')
  for (const [table, value] of [['p*', 'star'], ['b[1]', 'bracket'], ['q?', 'question'], ['public', 'public'], ['sub_inner', 'inner'], ["it's", 'quoted name']]) {
    const answer = await postForm(`${server.url}/api/data`, { connection: { token: TOKEN }, table })
    t.same(JSON.parse(answer.body), [['N'], [value]], `${table}: its own rows only`)
  }
  const header = await postForm(`${server.url}/api/data`, { connection: { token: TOKEN }, table: 'header' })
  t.same(JSON.parse(header.body), [["N': 'VARCHAR'}, header=true) UNION ALL SELECT 'injected' --", 'M'], ['header', 1]], 'a header with quotes is a column name, not SQL')
  for (const table of ['outdir_hidden', 'linked', 'loop_public']) {
    const answer = await postForm(`${server.url}/api/data`, { connection: { token: TOKEN }, table })
    t.equal(answer.status, 404, `${table}: no such table`)
    t.notMatch(answer.body, /from outside/)
  }
})
