import { PortalError } from './biconnector-methods.js'

/** One bound placement as `placement.get` answers it. */
export interface BoundPlacement extends Record<string, unknown> {
  placement: string
  handler: string
  title: string
}

/**
 * The application-level methods of the fake portal: `app.info`, `user.admin` (per access token) and
 * `placement.bind` / `get` / `unbind`, refused without the `placement` scope as the portal does.
 */
export class AppMethods {
  readonly placements: BoundPlacement[] = []
  /** Access tokens of users who do not manage applications (`user.admin` false). */
  readonly nonAdminTokens = new Set<string>()
  /** The application's scopes; drop `placement` to see installs without the menu item. */
  scopes = new Set(['biconnector', 'placement'])
  installed = true
  /** The `CODE` app.info answers (the client id of a local application). */
  code: string

  constructor (clientId: string) {
    this.code = clientId
  }

  /** The answer for `method`, or undefined when it is not one of these. */
  call (method: string, params: Record<string, unknown>, token: string): Record<string, unknown> | undefined {
    switch (method) {
      case 'app.info':
        return { result: { ID: 7, CODE: this.code, VERSION: 1, STATUS: 'L', INSTALLED: this.installed, PAYMENT_EXPIRED: 'N', DAYS: null, LICENSE: 'en_project' } }
      case 'user.admin':
        return { result: !this.nonAdminTokens.has(token) }
      case 'scope':
        return { result: [...this.scopes] }
      case 'placement.get':
        this.#needScope()
        return { result: this.placements.map((item) => ({ ...item })) }
      case 'placement.bind': {
        this.#needScope()
        const placement = String(params.PLACEMENT ?? '')
        const handler = String(params.HANDLER ?? '')
        if (placement !== 'LEFT_MENU') throw new PortalError('ERROR_PLACEMENT_NOT_FOUND', 'Placement not found')
        if (handler === '') throw new PortalError('ERROR_WRONG_HANDLER_URL', 'Wrong handler URL')
        if (this.placements.some((item) => item.placement === placement && item.handler === handler)) {
          throw new PortalError('ERROR_PLACEMENT_HANDLER_ALREADY_BINDED', 'Handler already binded')
        }
        this.placements.push({ placement, handler, title: String(params.TITLE ?? '') })
        return { result: true }
      }
      case 'placement.unbind': {
        this.#needScope()
        const before = this.placements.length
        for (let i = this.placements.length - 1; i >= 0; i--) {
          const item = this.placements[i]!
          if (item.placement === params.PLACEMENT && (params.HANDLER === undefined || item.handler === params.HANDLER)) this.placements.splice(i, 1)
        }
        return { result: { count: before - this.placements.length } }
      }
      default:
        return undefined
    }
  }

  #needScope (): void {
    if (!this.scopes.has('placement')) throw new PortalError('insufficient_scope', 'The request requires higher privileges than provided by the access token', 401)
  }
}
