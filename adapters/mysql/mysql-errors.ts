// The engine's error predicates, apart from its driver: the adapter uses them without loading the driver package.

/** True for "access denied" and "unknown database". */
export function isMysqlAuthError (error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR' || code === 'ER_BAD_DB_ERROR'
}

/** True for MariaDB's max_statement_time and MySQL's max_execution_time errors. */
export function isMysqlTimeout (error: unknown): boolean {
  const errno = (error as { errno?: unknown } | null)?.errno
  return errno === 1969 || errno === 3024
}

/** True for "too many connections" (1040) and the user's max_user_connections (1203). */
export function isMysqlBusy (error: unknown): boolean {
  const errno = (error as { errno?: unknown } | null)?.errno
  return errno === 1040 || errno === 1203
}
