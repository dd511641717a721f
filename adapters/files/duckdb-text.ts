import type { SqlStatement } from '../sql/sql-driver.js'
import type { SqlTextExport } from '../sql/sql-engine.js'
import type { SqlTypeReading } from '../sql/sql-types.js'

const NUMERIC = new Set(['int', 'double', 'money'])

/**
 * A VARCHAR as a cell of the tab-separated text form: backslash, tab, newline and carriage return escaped. Most
 * values hold none of them: four `contains` first cost less than four `replace` on every value (over 1M rows of
 * the bench table the whole export took DuckDB 2.0-2.2 s of CPU against 3.4-3.9 s).
 */
function escaped (value: string): string {
  const special = `contains(${value}, '\\') OR contains(${value}, chr(9)) OR contains(${value}, chr(10)) OR contains(${value}, chr(13))`
  return `CASE WHEN ${special} THEN replace(replace(replace(replace(${value}, '\\', '\\\\'), chr(9), '\\t'), chr(10), '\\n'), chr(13), '\\r') ELSE ${value} END`
}

/**
 * The read statement as DuckDB's own text: each row one VARCHAR, its cells in the tab-separated text form
 * `TextRowsEncoder` reads (`\N` for NULL), written by DuckDB's threads instead of a JS value per cell. A column the row
 * path reads as text, or a VARCHAR, is escaped; a number keeps DuckDB's spelling (a FLOAT widened to the DOUBLE the
 * row path's driver hands over) and is listed in `jsNumbers`, so the encoder writes `1e+20` as JS writes that double.
 * The statement's parameters are bound as they are.
 *
 * @example
 * duckdbTextExport({ sql: 'select "a" as "c0" from t where "b" = $1', parameters: [5] }, [{ type: 'int' }])
 * // select concat_ws(chr(9), coalesce(..., '\N')) from (select "a" as "c0" from t where "b" = $1) as q, with [5]
 */
export function duckdbTextExport (statement: SqlStatement, columns: readonly SqlTypeReading[]): SqlTextExport {
  const jsNumbers: number[] = []
  const cells = columns.map((reading, index) => {
    const column = `q."c${index}"`
    if (reading.read !== undefined || !NUMERIC.has(reading.type)) return `coalesce(${escaped(`CAST(${column} AS VARCHAR)`)}, '\\N')`
    jsNumbers.push(index)
    return `coalesce(CASE WHEN typeof(${column}) = 'FLOAT' THEN CAST(CAST(${column} AS DOUBLE) AS VARCHAR) ELSE CAST(${column} AS VARCHAR) END, '\\N')`
  })
  return {
    statement: { sql: `SELECT concat_ws(chr(9), ${cells.join(', ')}) FROM (${statement.sql}) AS q`, parameters: statement.parameters },
    jsNumbers
  }
}
