import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { ERR_TOKEN_STORE } from '../errors.js'
import { parsePortalTokens, type PortalTokens, type TokenStore } from './token-store.js'

/** The default file, relative to the working directory. */
export const DEFAULT_TOKEN_FILE = '.b24bi/tokens.json'

interface TokenFile {
  version: 1
  portals: Record<string, PortalTokens>
}

/**
 * Tokens in one JSON file (mode 0600, directory 0700), replaced atomically (write a temporary file, then rename),
 * so a crash never leaves half a file. Operations of one process are serialised; for several replicas use the
 * PostgreSQL or Redis store instead.
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
    await this.#serialised(async () => {
      const file = await this.#read()
      file.portals[tokens.memberId] = { ...tokens }
      await this.#write(file)
    })
  }

  async delete (memberId: string): Promise<void> {
    await this.#serialised(async () => {
      const file = await this.#read()
      if (!Object.hasOwn(file.portals, memberId)) return
      delete file.portals[memberId]
      await this.#write(file)
    })
  }

  async list (): Promise<string[]> {
    return await this.#serialised(async () => Object.keys((await this.#read()).portals))
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
      await mkdir(dirname(this.#path), { recursive: true, mode: 0o700 })
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
