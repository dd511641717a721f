/** The four endpoint paths. */
export interface ConnectorPaths {
  check: string // default '/api/check'
  tableList: string // default '/api/table_list'
  tableDescription: string // default '/api/table_description'
  data: string // default '/api/data'
}

/**
 * Where the connector serves its four endpoints unless told otherwise: the connector plugin, the connector
 * registration, the probe and the kit all start from these.
 *
 * @example
 * const urlData = publicUrl + DEFAULT_PATHS.data // 'https://bi.example.com/api/data'
 */
export const DEFAULT_PATHS: Readonly<ConnectorPaths> = Object.freeze({
  check: '/api/check',
  tableList: '/api/table_list',
  tableDescription: '/api/table_description',
  data: '/api/data'
})

/**
 * The liveness and readiness paths the health plugin serves: open to everyone (no guard, rate limit or
 * pressure check) and logged at debug.
 */
export const PROBE_PATHS: readonly string[] = Object.freeze(['/health', '/ready'])
