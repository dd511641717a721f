/**
 * POSTs a form-encoded body asking for JSON, as the portal posts to a connector and the vendor's OAuth REST
 * server expects; gives up after `timeoutMs` (a `TimeoutError`). The caller reads and judges the answer.
 *
 * @example
 * const response = await postForm(url, new URLSearchParams({ auth }).toString(), { timeoutMs: 30_000 })
 */
export async function postForm (url: string | URL, body: string, options: { fetch?: typeof fetch, timeoutMs: number }): Promise<Response> {
  return await (options.fetch ?? fetch)(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body,
    signal: AbortSignal.timeout(options.timeoutMs)
  })
}
