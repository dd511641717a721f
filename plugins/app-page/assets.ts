import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { ERR_ROUTE_NOT_FOUND } from '../../src/core/errors.js'
import { loadDriver } from '../../src/util/driver-load.js'
import { INSTALL_SCRIPT } from './install-script.js'
import { PAGE_ROUTE_CONFIG } from './frame.js'

/** One static file of the page: its content type and body. */
export interface Asset {
  type: string
  body: string | Buffer
}

/** The vendor's JS SDK: the install page and the app page run on it. An optional peer dependency. */
export const SDK_PACKAGE = '@bitrix24/b24jssdk'

/** The vendor's JS SDK as the page serves it. */
export interface SdkBundle {
  version: string
  body: Buffer
}

/**
 * The vendor's JS SDK as a UMD file (global `B24Js`), read from node_modules. The package's exports map hides
 * `dist/umd`, so it is found through its package.json. Throws B24BI_ERR_DRIVER_MISSING naming the package when it
 * is not installed.
 */
export async function loadSdkBundle (): Promise<SdkBundle> {
  return await loadDriver(SDK_PACKAGE, async () => {
    const manifest = createRequire(import.meta.url).resolve(`${SDK_PACKAGE}/package.json`)
    const { version } = JSON.parse(await readFile(manifest, 'utf8')) as { version: string }
    return { version, body: await readFile(join(dirname(manifest), 'dist', 'umd', 'index.min.js')) }
  })
}

/** Where the page's assets are served below the app page prefix. */
const ASSETS_PATH = '/assets'

/** The page's assets by file name, and the version query that busts caches when they change. */
export class PageAssets {
  readonly files = new Map<string, Asset>()
  readonly version: string

  constructor (sdk: SdkBundle, extra: Record<string, Asset> = {}, packageVersion = '0') {
    this.files.set('b24jssdk.js', { type: 'text/javascript; charset=utf-8', body: sdk.body })
    this.files.set('install.js', { type: 'text/javascript; charset=utf-8', body: INSTALL_SCRIPT })
    for (const [name, asset] of Object.entries(extra)) this.files.set(name, asset)
    this.version = `${packageVersion}-${sdk.version}`
  }

  /** The URL of `file` below `prefix`, with the version query. */
  url (prefix: string, file: string): string {
    return `${prefix}${ASSETS_PATH}/${file}?v=${encodeURIComponent(this.version)}`
  }
}

/** `GET <prefix>/assets/:file`: the page's scripts and stylesheet, cacheable for a year (the URL carries the version). */
export function registerAssets (fastify: FastifyInstance, prefix: string, assets: PageAssets): void {
  fastify.get(`${prefix}${ASSETS_PATH}/:file`, { config: PAGE_ROUTE_CONFIG, logLevel: 'warn' }, async (request, reply) => {
    const file = (request.params as { file: string }).file
    const asset = assets.files.get(file)
    if (asset === undefined) throw new ERR_ROUTE_NOT_FOUND('GET', `${prefix}${ASSETS_PATH}/${file.slice(0, 40)}`)
    return await reply
      .type(asset.type)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(asset.body)
  })
}
