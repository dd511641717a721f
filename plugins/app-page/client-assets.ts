import type { Asset } from './assets.js'
import { CLIENT_SCRIPT } from './client-script.js'
import { CLIENT_STYLE } from './client-style.js'

/** The app page's own files, next to the vendor SDK and install.js. */
export const CLIENT_ASSETS: Record<string, Asset> = {
  'app.js': { type: 'text/javascript; charset=utf-8', body: CLIENT_SCRIPT },
  'app.css': { type: 'text/css; charset=utf-8', body: CLIENT_STYLE }
}
