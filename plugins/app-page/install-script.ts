/**
 * The install page's script (an application with a UI): the vendor's SDK handshakes with the portal's frame
 * and finishes the installation. Served as `install.js`; `data-install` on <body> tells what happened.
 */
export const INSTALL_SCRIPT = String.raw`'use strict'
;(function () {
  var body = document.body
  window.B24Js.initializeB24Frame()
    .then(function (b24) { return b24.installFinish() })
    .then(function () { body.setAttribute('data-install', 'finished') })
    .catch(function (error) {
      body.setAttribute('data-install', 'failed')
      console.warn('b24bi: installFinish did not run', error && error.message)
    })
})()
`
