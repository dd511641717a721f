import { ERR_DRIVER_MISSING } from '../core/errors.js'

/**
 * Loads a driver (an optional peer dependency) on first use: `load` is the dynamic import of the module that uses
 * it, or what resolves a file of the package. When a package of `packages` is not installed, throws
 * `B24BI_ERR_DRIVER_MISSING` naming it and the install command.
 *
 * @example
 * const { PostgresDriver } = await loadDriver('pg', async () => await import('./postgres-driver.js'))
 */
export async function loadDriver<T> (packages: string | readonly string[], load: () => Promise<T>): Promise<T> {
  try {
    return await load()
  } catch (error) {
    // The message decides: loaders differ in the code they keep (tap's TypeScript loader drops it).
    const message = String((error as { message?: unknown } | null)?.message ?? '')
    const missing = [packages].flat().find((name) => message.includes(`Cannot find package '${name}'`) ||
      message.includes(`Cannot find module '${name}'`) || message.includes(`Cannot find module '${name}/`))
    if (missing !== undefined) throw new ERR_DRIVER_MISSING(missing, missing, { cause: error })
    throw error
  }
}
