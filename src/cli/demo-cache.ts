import { chmod, lstat, mkdir } from 'node:fs/promises'
import { homedir, tmpdir, userInfo } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { ERR_DEMO_CACHE } from '../core/errors.js'

/** Errors that say a folder cannot be created or written here (a read-only home, a missing one): try the next. */
export const UNWRITABLE = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENOENT'])

/** Anyone but the owner may write: the group or world write bit. */
const WRITABLE_BY_OTHERS = 0o022

/** This process's uid; undefined where there is none (Windows), where ownership and modes are not checked. */
export function currentUid (): number | undefined {
  return process.getuid?.()
}

function home (): string | undefined {
  try {
    const path = homedir()
    return path === '' ? undefined : path
  } catch {
    return undefined // no HOME and no passwd entry (an arbitrary container uid)
  }
}

/**
 * The folders the demo data may be cached in, best first: `$XDG_CACHE_HOME/b24bi` (an absolute path, as the XDG
 * spec asks), else `~/.cache/b24bi`; then `<os temp>/b24bi-<uid>` for a home that is missing or read-only (a
 * read-only container with a tmpfs /tmp).
 */
export function demoCacheCandidates (env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const candidates: string[] = []
  const xdg = env.XDG_CACHE_HOME
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : home() === undefined ? undefined : join(home()!, '.cache')
  if (base !== undefined) candidates.push(join(base, 'b24bi'))
  candidates.push(join(tmpdir(), `b24bi-${currentUid() ?? userInfo().username}`))
  return candidates
}

/**
 * Creates `path` (mode 0700) unless it exists, and checks it is a real folder owned by this user. A folder of
 * another user, or a symlink, is refused with `ERR_DEMO_CACHE` (it could hold what that user put there);
 * one of ours that others may write is closed to them (chmod 0700): what they may have put inside is then
 * refused file by file by the manifest check. Returns false when the folder cannot be created here.
 */
export async function openCacheFolder (path: string, uid = currentUid()): Promise<boolean> {
  try {
    await mkdir(path, { recursive: true, mode: 0o700 })
  } catch (error) {
    if (UNWRITABLE.has((error as NodeJS.ErrnoException).code ?? '')) return false
    throw error
  }
  const stats = await lstat(path)
  if (!stats.isDirectory()) throw new ERR_DEMO_CACHE(path, 'it is not a folder (a symlink or a file); remove it or set XDG_CACHE_HOME')
  if (uid === undefined) return true
  if (stats.uid !== uid) {
    throw new ERR_DEMO_CACHE(path, `it belongs to uid ${stats.uid}, not to this user (uid ${uid}); remove it or set XDG_CACHE_HOME`)
  }
  if ((stats.mode & WRITABLE_BY_OTHERS) === 0) return true
  try {
    await chmod(path, 0o700)
  } catch (error) {
    if (UNWRITABLE.has((error as NodeJS.ErrnoException).code ?? '')) return false // cannot close it: not used
    throw error
  }
  return true
}
