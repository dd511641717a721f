import type { FastifyBaseLogger } from 'fastify'
import { isB24biError } from '../../src/core/errors.js'
import type { RestClient } from '../../src/bitrix/rest-client.js'

/** The application's item in the portal's main menu (`LEFT_MENU`). */
export interface PlacementOptions {
  /** The page URL the portal POSTs to: `<publicUrl>/bitrix24/app`. */
  handler: string
  /** The menu item's title (the connector's title). */
  title: string
}

/** What `bindLeftMenu` did. */
export type PlacementResult =
  | { status: 'kept' | 'bound' | 'rebound' }
  | { status: 'skipped', reason: string }

function valueOf (item: Record<string, unknown>, key: string): string {
  return String(item[key] ?? item[key.toUpperCase()] ?? '')
}

/**
 * Binds the `LEFT_MENU` placement to the app page, idempotently: kept when bound to the same handler, re-bound
 * when an older handler is bound. Never fails the caller: without the `placement` scope (or any other refusal) it
 * logs how to enable it and answers `skipped`.
 */
export async function bindLeftMenu (client: RestClient, options: PlacementOptions, log: FastifyBaseLogger): Promise<PlacementResult> {
  try {
    const bound = (await client.call<Array<Record<string, unknown>>>('placement.get', {}) ?? [])
      .filter((item) => valueOf(item, 'placement') === 'LEFT_MENU')
    if (bound.some((item) => valueOf(item, 'handler') === options.handler)) return { status: 'kept' }
    for (const item of bound) await client.call('placement.unbind', { PLACEMENT: 'LEFT_MENU', HANDLER: valueOf(item, 'handler') })
    await client.call('placement.bind', {
      PLACEMENT: 'LEFT_MENU',
      HANDLER: options.handler,
      TITLE: options.title,
      LANG_ALL: { en: { TITLE: options.title }, ru: { TITLE: options.title } }
    })
    return { status: bound.length > 0 ? 'rebound' : 'bound' }
  } catch (error) {
    const reason = isB24biError(error) ? (error as { vendorCode?: string }).vendorCode ?? error.code : 'failed'
    log.warn({ reason }, "the LEFT_MENU placement (the connector's page in the portal's menu) was not bound: add the 'placement' scope " +
      'to the local application and reinstall it, or open the page as the application\'s handler (an application with a UI)')
    return { status: 'skipped', reason }
  }
}
