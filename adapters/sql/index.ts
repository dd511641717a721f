// The shared SQL adapter, its options, and the contract a third-party SQL engine implements.
export { SqlAdapter } from './sql-adapter.js'
export type { Exposure, NameFilter, PortalConnectionOptions, SqlAdapterOptions, SqlDataset } from './sql-options.js'
export { compileOnlyBuilder, utcWall } from './sql-engine.js'
export type { FilterList, SqlEngineDefinition, SqlFilterSyntax, SqlFragment } from './sql-engine.js'
export type { SqlCatalog, SqlCatalogColumn, SqlDriver, SqlQueryColumn, SqlStatement, SqlStreamOptions, SqlTarget } from './sql-driver.js'
export type { SqlTypeReading, SqlTypeRule } from './sql-types.js'
