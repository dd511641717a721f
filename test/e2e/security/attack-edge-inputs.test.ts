import t from 'tap'
import { serve } from './served.js'

// Finding 9, the rows about the connector routes and the docs (the install rows are in attack-install.test.ts),
// against `b24bi serve` running the demo with the docs on.
const TOKEN = 'edge-inputs-token-4e0b'

t.test('edge inputs of urlData and the docs answer coded 4xx or a page, never 5xx and never an error log line', async (t) => {
  const server = await serve(t, { CONNECTOR_TOKEN: TOKEN, B24BI_DOCS: 'true' })
  const post = async (body: string, type: string): Promise<{ status: number, error: string | undefined }> => {
    const answer = await fetch(`${server.url}/api/data`, { method: 'POST', headers: { 'content-type': type }, body })
    const text = await answer.text()
    return { status: answer.status, error: answer.status === 200 ? undefined : (JSON.parse(text) as { error: string }).error }
  }
  const form = `connection%5Btoken%5D=${TOKEN}&table=deals&select%5B0%5D=ID&limit=`
  for (const limit of ['99999999999999999999999', '9223372036854775808', '9007199254740992']) {
    t.same(await post(form + limit, 'application/x-www-form-urlencoded'), { status: 400, error: 'B24BI_ERR_REQUEST_INVALID' }, `limit=${limit} (was 502)`)
  }
  t.same(await post(JSON.stringify({ connection: { token: TOKEN }, table: 'deals', select: ['ID'], limit: 1e300 }), 'application/json'),
    { status: 400, error: 'B24BI_ERR_REQUEST_INVALID' }, 'JSON limit 1e300 (was 502)')
  t.same(await post(form + '9007199254740991', 'application/x-www-form-urlencoded'), { status: 200, error: undefined }, 'the largest exact integer is a limit')

  for (const path of ['/docs/static/../', '/docs/static/%2e%2e/', '/docs/static/../../../../etc/passwd']) {
    const answer = await fetch(`${server.url}${path}`)
    const text = await answer.text()
    t.ok(answer.status < 500, `GET ${path}: ${answer.status} (was 500)`)
    t.notMatch(text, /root:x:0:0/, 'no file outside the docs')
  }
  t.notMatch(server.logs(), /"level":50/, 'no error-level log line')
})
