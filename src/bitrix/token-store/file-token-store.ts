import { createHash, randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { ERR_TOKEN_STORE, ERR_TOKEN_STORE_UNWRITABLE } from '../../core/errors.js'
import { withFileLock } from './file-lock.js'
import { parsePortalTokens, sameTokenRecord, TOKEN_LOCK_TTL_MS, type PortalTokens, type TokenStore } from './token-store.js'

/** The default file, relative to the working directory. */
export const DEFAULT_TOKEN_FILE = '.b24bi/tokens.json'

interface TokenFile {
  version: 1
  portals: Record<string, PortalTokens>
}

/** How long a write may hold the file's lock before another process breaks it, milliseconds. */
const WRITE_LOCK_TTL_MS = 10_000

/**
 * Tokens in one JSON file (mode 0600, directory 0700), replaced atomically (write a temporary file, then rename),
 * so a crash never leaves half a file. Every change is a read-modify-write under a lock file (`<file>.lock`,
 * created exclusively), so several processes of one host (the server and a CLI command, or processes sharing a
 * volume on one host) never lose each other's writes; renewal locks are `<file>.<hash>.renew.lock`.
 * It is for ONE replica: replicas on several hosts need the PostgreSQL or Redis store (`b24bi serve` refuses the
 * file store with the install flow unless `install.singleInstance` is set).
 */
export class FileTokenStore implements TokenStore {
  readonly #path: string
  #queue: Promise<unknown> = Promise.resolve()

  /** @param path the JSON file; default `.b24bi/tokens.json` */
  constructor (path: string = DEFAULT_TOKEN_FILE) {
    this.#path = path
  }

  async get (memberId: string): Promise<PortalTokens | undefined> {
    return await this.#serialised(async () => {
      const tokens = (await this.#read()).portals[memberId]
      return tokens === undefined ? undefined : parsePortalTokens({ ...tokens })
    })
  }

  async set (tokens: PortalTokens): Promise<void> {
    await this.#change((file) => {
      file.portals[tokens.memberId] = { ...tokens }
      return true
    })
  }

  async delete (memberId: string): Promise<void> {
    await this.#change((file) => {
      if (!Object.hasOwn(file.portals, memberId)) return false
      delete file.portals[memberId]
      return true
    })
  }

  async replace (expected: PortalTokens, next: PortalTokens): Promise<boolean> {
    return await this.#change((file) => {
      const stored = file.portals[expected.memberId]
      if (!sameTokenRecord(stored, expected)) return false
      file.portals[next.memberId] = { ...next }
      return true
    })
  }

  async withLock<T> (key: string, fn: () => Promise<T>): Promise<T> {
    await this.#folder()
    const name = createHash('sha256').update(key).digest('hex').slice(0, 16)
    return await withFileLock(`${this.#path}.${name}.renew.lock`, TOKEN_LOCK_TTL_MS, fn)
  }

  /** Creates the folder if needed, then creates and removes a file in it: a read-only folder fails here, at start. */
  async check (): Promise<void> {
    const folder = dirname(this.#path)
    const probe = join(folder, `.b24bi-check.${process.pid}.${randomBytes(4).toString('hex')}`)
    try {
      await mkdir(folder, { recursive: true, mode: 0o700 })
      await (await open(probe, 'wx', 0o600)).close()
      await rm(probe)
    } catch (error) {
      throw new ERR_TOKEN_STORE_UNWRITABLE(
        `the folder '${folder}' of the token file is not writable (${(error as NodeJS.ErrnoException).code ?? 'error'}); ` +
        'point B24BI_TOKEN_STORE at a writable file, or use postgres:// or redis://', { cause: error })
    }
  }

  async list (): Promise<string[]> {
    return await this.#serialised(async () => Object.keys((await this.#read()).portals))
  }

  /** Read, change, write under the file's lock; `change` says whether it changed anything (else nothing is written). */
  async #change (change: (file: TokenFile) => boolean): Promise<boolean> {
    return await this.#serialised(async () => {
      await this.#folder()
      return await withFileLock(`${this.#path}.lock`, WRITE_LOCK_TTL_MS, async () => {
        const file = await this.#read()
        if (!change(file)) return false
        await this.#write(file)
        return true
      })
    })
  }

  async #folder (): Promise<void> {
    try {
      await mkdir(dirname(this.#path), { recursive: true, mode: 0o700 })
    } catch (error) {
      throw new ERR_TOKEN_STORE('the token folder cannot be created', { cause: error })
    }
  }

  async #serialised<T> (step: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(step, step)
    this.#queue = next.catch(() => undefined)
    return await next
  }

  async #read (): Promise<TokenFile> {
    let text: string
    try {
      text = await readFile(this.#path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, portals: Object.create(null) }
      throw new ERR_TOKEN_STORE('the token file cannot be read', { cause: error })
    }
    try {
      const parsed = JSON.parse(text) as TokenFile
      if (typeof parsed.portals !== 'object' || parsed.portals === null) throw new TypeError('no portals object')
      return { version: 1, portals: Object.assign(Object.create(null), parsed.portals) }
    } catch (error) {
      throw new ERR_TOKEN_STORE('the token file is not valid JSON', { cause: error })
    }
  }

  async #write (file: TokenFile): Promise<void> {
    const temporary = `${this.#path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
    try {
      const handle = await open(temporary, 'wx', 0o600)
      try {
        await handle.writeFile(JSON.stringify(file, null, 2) + '\n')
        await handle.sync()
      } finally {
        await handle.close()
      }
      await rename(temporary, this.#path)
    } catch (error) {
      await rm(temporary, { force: true })
      throw new ERR_TOKEN_STORE('the token file cannot be written', { cause: error })
    }
  }
}
