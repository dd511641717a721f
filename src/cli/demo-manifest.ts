import { createHash } from 'node:crypto'
import { constants } from 'node:fs'
import { lstat, open, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * The manifest's file name inside the demo data folder: the SHA-256 of every data file (JSON), written last. No
 * extension the files adapter reads, so it is never served as a table.
 */
export const MANIFEST = '.b24bi-manifest'

interface Manifest {
  version: string
  files: Record<string, string>
}

// O_NOFOLLOW: a file swapped for a symlink is refused, not followed (the flag is 0 where it does not exist).
const READ_NO_SYMLINK = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0)

/** The content of a regular file owned by `uid` (any owner when undefined); throws for anything else. */
async function readOwnFile (path: string, uid: number | undefined): Promise<Buffer> {
  const handle = await open(path, READ_NO_SYMLINK)
  try {
    const stats = await handle.stat()
    if (!stats.isFile() || (uid !== undefined && stats.uid !== uid)) throw new Error(`${path} is not a regular file of this user`)
    return await handle.readFile()
  } finally {
    await handle.close()
  }
}

const sha256 = (content: Buffer): string => createHash('sha256').update(content).digest('hex')

/** Writes the manifest of `files` in `directory` (after they are generated, before the folder is installed). */
export async function writeManifest (directory: string, version: string, files: readonly string[]): Promise<void> {
  const manifest: Manifest = { version, files: {} }
  for (const file of files) manifest.files[file] = sha256(await readOwnFile(join(directory, file), undefined))
  await writeFile(join(directory, MANIFEST), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600, flag: 'wx' })
}

/**
 * True when `directory` is exactly a demo data set of `version`: a folder of this user that no one else may write,
 * holding the manifest and `files` and nothing else (every file in it would be served), each a regular file of this
 * user whose SHA-256 is the manifest's. Anything else (a tampered, missing or extra file, a symlink, an old
 * version, a half-written set) is false: the caller regenerates.
 */
export async function verifyManifest (directory: string, version: string, files: readonly string[], uid: number | undefined): Promise<boolean> {
  try {
    const stats = await lstat(directory)
    if (!stats.isDirectory()) return false
    if (uid !== undefined && (stats.uid !== uid || (stats.mode & 0o022) !== 0)) return false
    const present = (await readdir(directory)).sort()
    if (present.join('\n') !== [...files, MANIFEST].sort().join('\n')) return false
    const manifest = JSON.parse((await readOwnFile(join(directory, MANIFEST), uid)).toString('utf8')) as Partial<Manifest>
    if (manifest.version !== version || typeof manifest.files !== 'object' || manifest.files === null) return false
    if (Object.keys(manifest.files).sort().join('\n') !== [...files].sort().join('\n')) return false
    for (const file of files) {
      if (sha256(await readOwnFile(join(directory, file), uid)) !== manifest.files[file]) return false
    }
    return true
  } catch {
    // Unreadable, vanished mid-check, not JSON: not a set to serve. Regenerating then fails loudly if the folder is at fault.
    return false
  }
}
