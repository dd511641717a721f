import { readFile } from 'node:fs/promises'
import { request } from 'undici'
import { ERR_CLI_USAGE } from '../../core/errors.js'
import { answerDifferences, parseTranscript, readAnswer, restoreBody, type TranscriptEntry } from '../transcript.js'
import { pairs, parseCommandArgs } from '../args.js'
import type { CliIo, Command } from '../command.js'

const usage = `Usage: b24bi replay <file.ndjson> <connector base URL> --setting <code>=<value> ... [--header <name>=<value> ...]

Sends every request of a transcript (written by b24bi record) to the connector and compares each answer with the
recorded one (status, complete or broken, every byte). Prints each difference; exits 1 when any answer differs.
--setting puts the real connection values back in place of the transcript's markers.
`

/** One replayed request whose answer differs. */
export interface ReplayDifference {
  /** 1-based line in the transcript. */
  line: number
  path: string
  /** The table asked for, when the body names one. */
  table: string | undefined
  differences: string[]
}

async function send (entry: TranscriptEntry, base: string, settings: Record<string, string>, headers: Record<string, string>): Promise<Pick<TranscriptEntry, 'status' | 'answerSha256' | 'answerBytes' | 'answer' | 'complete'>> {
  const answer = await request(new URL(entry.path, base), {
    method: entry.method as 'POST',
    headers: { ...headers, ...(entry.contentType !== '' ? { 'content-type': entry.contentType } : {}) },
    body: entry.method === 'GET' ? undefined : restoreBody(entry.body, entry.contentType, settings)
  })
  return { status: answer.statusCode, ...await readAnswer(answer.body as AsyncIterable<Buffer>) }
}

function tableOf (entry: TranscriptEntry): string | undefined {
  if (/json/i.test(entry.contentType)) {
    try {
      const table = (JSON.parse(entry.body) as { table?: unknown }).table
      return typeof table === 'string' ? table : undefined
    } catch {
      return undefined
    }
  }
  return new URLSearchParams(entry.body).get('table') ?? undefined
}

/** Replays transcript entries against `base`, one after the other; returns the answers that differ. */
export async function replayTranscript (entries: readonly TranscriptEntry[], base: string, settings: Record<string, string>, headers: Record<string, string> = {}): Promise<ReplayDifference[]> {
  const found: ReplayDifference[] = []
  for (const [index, entry] of entries.entries()) {
    const differences = answerDifferences(entry, await send(entry, base, settings, headers))
    if (differences.length > 0) found.push({ line: index + 1, path: entry.path, table: tableOf(entry), differences })
  }
  return found
}

async function run (args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(args, { setting: { type: 'string', multiple: true }, header: { type: 'string', multiple: true } })
  const [file, base] = parsed.positionals
  if (file === undefined || base === undefined) throw new ERR_CLI_USAGE('give the transcript file and the connector base URL')
  const entries = parseTranscript(await readFile(file, 'utf8'))
  const found = await replayTranscript(entries, base, pairs(parsed.values.setting as string[] | undefined, 'setting'), pairs(parsed.values.header as string[] | undefined, 'header'))
  for (const difference of found) {
    io.stdout.write(`line ${difference.line} ${difference.path}${difference.table === undefined ? '' : ` (${difference.table})`}:\n`)
    for (const text of difference.differences) io.stdout.write(`  ${text}\n`)
  }
  io.stdout.write(`${entries.length} requests replayed, ${found.length} answers differ\n`)
  return found.length === 0 ? 0 : 1
}

export const command: Command = { usage, run }
