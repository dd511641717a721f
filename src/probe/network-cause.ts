/** The codes of an error and of its causes (and of an AggregateError's errors), outermost first. */
function codesOf (error: unknown, depth = 0): string[] {
  if (typeof error !== 'object' || error === null || depth > 5) return []
  const { code, cause, errors } = error as { code?: unknown, cause?: unknown, errors?: unknown }
  return [
    ...(typeof code === 'string' ? [code] : []),
    ...codesOf(cause, depth + 1),
    ...(Array.isArray(errors) ? errors.flatMap((item: unknown) => codesOf(item, depth + 1)) : [])
  ]
}

/** The innermost message of an error's cause chain: the one the system wrote. */
function innermostMessage (error: unknown): string {
  let message = error instanceof Error ? error.message : String(error)
  let cause = error instanceof Error ? error.cause : undefined
  for (let depth = 0; cause instanceof Error && depth < 5; depth++) {
    message = cause.message
    cause = cause.cause
  }
  return message.split('\n', 1)[0]!
}

const DNS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA'])
const TIMEOUT = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])
const CLOSED = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'])
const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN'])
const NOT_TLS = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'EPROTO', 'ERR_SSL_PACKET_LENGTH_TOO_LONG'])
const CERTIFICATE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS_CERT_ALTNAME_INVALID/

const CERTIFICATE_REASONS: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'its chain ends in a self-signed CA this machine does not trust',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its issuer is not known here (is the intermediate certificate served?)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its issuer is not known here',
  CERT_HAS_EXPIRED: 'it has expired',
  CERT_NOT_YET_VALID: 'it is not valid yet (is the clock right?)'
}

function certificateCause (code: string, url: URL): string {
  const reason = code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? `it is not issued for '${url.hostname}'` : CERTIFICATE_REASONS[code] ?? 'it is not trusted'
  return `certificate: the connector's certificate was refused: ${reason} (${code}); pass the CA that signed it with ` +
    '--ca <file> (or NODE_EXTRA_CA_CERTS), or skip the check with --insecure (for a test only)'
}

/**
 * Why a call to `url` got no answer, in words that point to the fix, from what fetch threw (`fetch failed` hides
 * the cause in `error.cause`): certificate (with `--ca` / `--insecure`), connection refused, DNS, timeout, a
 * connection closed, a host unreachable, plain HTTP on an HTTPS URL, or the system's own message.
 *
 * @example
 * networkCause(fetchError, new URL('http://127.0.0.1:3999/api/check'))
 * // 'connection refused (ECONNREFUSED): nothing listens on 127.0.0.1:3999; is the connector running, on this port?'
 */
export function networkCause (error: unknown, url: URL): string {
  const codes = codesOf(error)
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80'
  const where = `${url.hostname}:${port}`
  const has = (set: ReadonlySet<string>): string | undefined => codes.find((code) => set.has(code))
  const certificate = codes.find((code) => CERTIFICATE.test(code))
  if (certificate !== undefined) return certificateCause(certificate, url)
  if (codes.includes('ECONNREFUSED')) return `connection refused (ECONNREFUSED): nothing listens on ${where}; is the connector running, on this port?`
  const dns = has(DNS)
  if (dns !== undefined) {
    return dns === 'EAI_AGAIN'
      ? `DNS: the name '${url.hostname}' could not be looked up now (EAI_AGAIN): the DNS server did not answer; retry, or check the network`
      : `DNS: the name '${url.hostname}' does not resolve (${dns}); check the host name in the URL`
  }
  const timeout = has(TIMEOUT)
  if (timeout !== undefined) return `timeout: ${where} did not answer in time (${timeout}); is a firewall dropping the packets?`
  const notTls = has(NOT_TLS)
  if (notTls !== undefined && url.protocol === 'https:') return `TLS: ${where} does not speak HTTPS (${notTls}); is it plain HTTP? try http://`
  const closed = has(CLOSED)
  if (closed !== undefined) return `connection closed by ${where} before an answer (${closed}); a proxy in between, or the connector stopped?`
  const unreachable = has(UNREACHABLE)
  if (unreachable !== undefined) return `network: ${url.hostname} cannot be reached (${unreachable}); check the route or the VPN`
  const message = innermostMessage(error)
  if (message === 'bad port') return `the port ${port} is one fetch never calls (a "bad port" of the Fetch standard); serve the connector on another port`
  return codes.length > 0 ? `${message} (${codes.at(-1)!})` : message
}
