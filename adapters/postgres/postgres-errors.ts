// The engine's error predicates, apart from its driver: the adapter uses them without loading the driver package.

/** True for PostgreSQL's "wrong password / no such role / no such database" errors. */
export function isPostgresAuthError (error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === '28P01' || code === '28000' || code === '3D000'
}

/** True for "canceling statement due to statement timeout". */
export function isPostgresTimeout (error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '57014'
}

/** True for "too many connections" (53300: the server's max_connections or the role's CONNECTION LIMIT). */
export function isPostgresBusy (error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '53300'
}
