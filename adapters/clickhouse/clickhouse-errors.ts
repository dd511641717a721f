// The engine's error predicates, apart from its driver: the adapter uses them without loading the driver package.

// The client parses newer servers' error texts into `code`; 18.x texts ("Code: 159, e.displayText() = …") only into the message.
function errorCode (error: unknown): string | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown, message?: unknown }
  if (code !== undefined) return String(code)
  return typeof message === 'string' ? /^Code: (\d+)/.exec(message)?.[1] : undefined
}

/** True for unknown user, wrong password, authentication failed and unknown database. */
export function isClickhouseAuthError (error: unknown): boolean {
  return ['192', '193', '516', '81'].includes(errorCode(error) ?? '')
}

/** True for TIMEOUT_EXCEEDED (`max_execution_time`). */
export function isClickhouseTimeout (error: unknown): boolean {
  return errorCode(error) === '159'
}

/** True for TOO_MANY_SIMULTANEOUS_QUERIES (202). */
export function isClickhouseBusy (error: unknown): boolean {
  return errorCode(error) === '202'
}
