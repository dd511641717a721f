import { randomBytes } from 'node:crypto'
import type { FakePortal } from './fake-portal.js'

const escape = (value: string): string => value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)

/** What `GET /portal` renders into its frame. */
export interface FrameQuery {
  /** The application page to open (absolute URL). */
  target: string
  /** '0' opens it as a user who does not manage applications. */
  admin?: string
  /** '1' sends an AUTH_ID the portal never issued. */
  forge?: string
  /** '1' opens it as the install page (`INSTALL: true` in getInitData). */
  install?: string
  lang?: string
}

/**
 * `GET /portal?target=<app page URL>`: the portal's application layout, as `app.layout` and `applayout.js` do it.
 * A hidden form POSTs the auth data into a named iframe (`host|secure|APP_SID`), and a `postMessage` bridge answers
 * the vendor SDK's commands (`method[:json]:callback:appSid` in, `callback:json` out) from the app's origin only:
 * `getInitData`, `resizeWindow` (sets the frame's height), `setTitle`, `setInstallFinish`, `reloadWindow`.
 * Every command is recorded in `window.portalCalls`; a finished install sets `window.installFinished`.
 */
export function registerFramePage (portal: FakePortal): void {
  portal.app.get('/portal', async (request, reply) => {
    const query = request.query as FrameQuery
    const target = new URL(query.target)
    const sid = randomBytes(8).toString('hex')
    const tokens = portal.issueTokens()
    if (query.admin === '0') portal.apps.nonAdminTokens.add(tokens.accessToken)
    const auth = query.forge === '1' ? `forged_${randomBytes(12).toString('hex')}` : tokens.accessToken
    const lang = query.lang ?? 'en'
    target.search = new URLSearchParams({ DOMAIN: portal.domain, PROTOCOL: '0', LANG: lang, APP_SID: sid }).toString()
    const fields: Record<string, string> = {
      AUTH_ID: auth,
      AUTH_EXPIRES: String(tokens.expiresIn),
      REFRESH_ID: tokens.refreshToken,
      member_id: portal.memberId,
      status: 'L',
      PLACEMENT: query.install === '1' ? 'DEFAULT' : 'LEFT_MENU',
      PLACEMENT_OPTIONS: '{}'
    }
    const init = {
      LANG: lang,
      DOMAIN: portal.domain,
      PROTOCOL: 0,
      PATH: '/marketplace/app/1/',
      AUTH_ID: auth,
      AUTH_EXPIRES: tokens.expiresIn,
      REFRESH_ID: tokens.refreshToken,
      MEMBER_ID: portal.memberId,
      FIRST_RUN: false,
      IS_ADMIN: query.admin !== '0',
      INSTALL: query.install === '1',
      USER_OPTIONS: {},
      APP_OPTIONS: {},
      PLACEMENT: fields.PLACEMENT,
      PLACEMENT_OPTIONS: {}
    }
    const frameName = `${portal.domain}|0|${sid}`
    const inputs = Object.entries(fields).map(([name, value]) => `<input type="hidden" name="${escape(name)}" value="${escape(value)}">`).join('')
    const bridge = `
      const calls = window.portalCalls = []
      const frame = document.getElementById('app')
      const appOrigin = ${JSON.stringify(target.origin)}
      const sid = ${JSON.stringify(sid)}
      const init = ${JSON.stringify(init)}
      window.addEventListener('message', (event) => {
        if (event.origin !== appOrigin || typeof event.data !== 'string') return
        const parts = event.data.split(':')
        if (parts.length < 3 || parts[parts.length - 1] !== sid) return
        const method = parts[0]
        const callback = parts[parts.length - 2]
        const raw = parts.slice(1, -2).join(':')
        const args = raw === '' ? {} : JSON.parse(raw)
        calls.push({ method, args })
        let result = {}
        if (method === 'getInitData') result = init
        else if (method === 'resizeWindow') frame.style.height = Number(args.height) + 'px'
        else if (method === 'setTitle') document.title = String(args.title)
        else if (method === 'setInstallFinish') window.installFinished = true
        event.source.postMessage(callback + ':' + JSON.stringify(result), appOrigin)
      })
      document.forms.layout.submit()`
    return await reply.type('text/html; charset=utf-8').send('<!DOCTYPE html><html><head><meta charset="utf-8"><title>Fake portal</title><link rel="icon" href="data:,"></head>' +
      '<body style="margin:0;font-family:sans-serif"><div style="padding:8px;background:#2fc6f6;color:#fff">Bitrix24 (fake portal)</div>' +
      `<form name="layout" method="POST" target="${escape(frameName)}" action="${escape(target.href)}">${inputs}</form>` +
      `<iframe name="${escape(frameName)}" id="app" style="width:100%;height:200px;border:0;display:block"></iframe>` +
      `<script>${bridge}</script></body></html>`)
  })
}
