import { randomBytes } from 'node:crypto'
import { link, open, readFile, rename, rm, stat } from 'node:fs/promises'
import { ERR_TOKEN_STORE } from '../../core/errors.js'
import { withLease } from './token-store.js'

interface LockRecord {
  holder: string
  expiresAt: number
}

/**
 * Runs `fn` holding a lock shared by the processes of one host: the file `path`, created exclusively (O_EXCL)
 * with its holder and expiry. A lock whose holder died is broken once expired (after `ttlMs`); polling and
 * the wait limit are `withLease`'s. Not for network file systems whose exclusive create is not atomic.
 */
export async function withFileLock<T> (path: string, ttlMs: number, fn: () => Promise<T>, waitMs?: number): Promise<T> {
  const holder = `${process.pid}.${randomBytes(8).toString('hex')}`
  return await withLease(path, {
    take: async () => await take(path, holder, ttlMs),
    release: async () => {
      if ((await readLock(path))?.holder === holder) await rm(path, { force: true })
    }
  }, fn, waitMs)
}

async function take (path: string, holder: string, ttlMs: number): Promise<boolean> {
  let handle
  try {
    handle = await open(path, 'wx', 0o600)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new ERR_TOKEN_STORE('the token file lock cannot be created', { cause: error })
    await breakExpired(path, ttlMs)
    return false
  }
  try {
    await handle.writeFile(JSON.stringify({ holder, expiresAt: Date.now() + ttlMs } satisfies LockRecord))
  } finally {
    await handle.close()
  }
  return true
}

/** The lock's record; undefined when there is no lock, `{ holder: '' }` while its holder is still writing it. */
async function readLock (path: string): Promise<LockRecord | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    return undefined
  }
  try {
    const record = JSON.parse(text) as Partial<LockRecord>
    if (typeof record.holder === 'string' && typeof record.expiresAt === 'number') return { holder: record.holder, expiresAt: record.expiresAt }
  } catch {}
  return { holder: '', expiresAt: NaN }
}

/**
 * Removes an expired lock: renamed aside first (atomic, so one process wins), then checked again; a lock that
 * turns out to be a live one taken in between is put back.
 */
async function breakExpired (path: string, ttlMs: number): Promise<void> {
  const seen = await readLock(path)
  if (seen === undefined) return
  let expiresAt = seen.expiresAt
  if (Number.isNaN(expiresAt)) {
    // Still being written, or written by a process that died at that moment: its age decides.
    expiresAt = await stat(path).then((info) => info.mtimeMs + ttlMs, () => Infinity)
  }
  if (expiresAt > Date.now()) return
  const aside = `${path}.${randomBytes(6).toString('hex')}.stale`
  try {
    await rename(path, aside)
  } catch {
    return
  }
  const moved = await readLock(aside)
  if (moved !== undefined && moved.holder !== '' && moved.holder !== seen.holder) await link(aside, path).catch(() => undefined)
  await rm(aside, { force: true })
}
