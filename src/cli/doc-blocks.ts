import { listErrors } from '../core/errors.js'
import { configReference } from './config-reference.js'
import { typeTables } from './type-tables.js'

/** A generated part of a doc: the Markdown between `<!-- <marker>:start -->` and `<!-- <marker>:end -->`. */
export interface DocBlock {
  marker: string
  markdown: string
}

/** A doc file (relative to the package root) and the blocks generated into it. */
export interface DocFile {
  file: string
  blocks: DocBlock[]
}

/** The errors table: every registered code, its status and its message with `…` for each parameter. */
export function errorsTable (): string {
  const rows = listErrors().map((error) =>
    `| \`${error.code}\` | ${error.statusCode} | ${error.template.replaceAll('%s', '…').replaceAll('|', '\\|')} |`)
  return ['| code | status | message |', '|---|---|---|', ...rows].join('\n')
}

/**
 * Every generated block of the docs, by file: `npm run docs` (scripts/docs.mjs) writes them, and
 * test/unit/project/doc-blocks.test.ts fails when a committed file differs from what this generates.
 */
export function docFiles (): DocFile[] {
  return [
    { file: 'docs/errors.md', blocks: [{ marker: 'errors', markdown: errorsTable() }] },
    { file: 'docs/adapters.md', blocks: typeTables().map(({ id, table }) => ({ marker: `types:${id}`, markdown: table })) },
    { file: 'docs/configuration.md', blocks: configReference() }
  ]
}

/** The markers of the generated blocks in `text`, in order. */
export function markersIn (text: string): string[] {
  return [...text.matchAll(/<!-- ([a-z0-9:-]+):start -->/g)].map((match) => match[1]!)
}

/**
 * `text` with each block's Markdown between its markers. Throws when a marker pair is missing, so a block the
 * generator writes always has its place in the doc.
 */
export function fillBlocks (text: string, blocks: readonly DocBlock[]): string {
  let out = text
  for (const { marker, markdown } of blocks) {
    const start = `<!-- ${marker}:start -->`
    const end = `<!-- ${marker}:end -->`
    const from = out.indexOf(start)
    const to = out.indexOf(end)
    if (from < 0 || to < from) throw new Error(`no ${start} ... ${end} block`)
    out = out.slice(0, from) + `${start}\n${markdown}\n${end}` + out.slice(to + end.length)
  }
  return out
}
