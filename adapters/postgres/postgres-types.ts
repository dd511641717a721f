import type { SqlTypeRule } from '../sql/sql-types.js'

/**
 * PostgreSQL types (as `format_type` names them) to portal types; first match wins. Values travel as text
 * (every type parser is the identity), so int8 and numeric keep every digit and dates never shift.
 * Each rule names its types in words: the table in docs/adapters.md is generated from them (`mappingTable`).
 */
export const POSTGRES_TYPES: readonly SqlTypeRule[] = Object.freeze([
  [/\[\]$/, { type: 'string', as: 'text' }, 'arrays (`integer[]`, …)', 'text form'],
  [/^(smallint|integer|bigint|oid)$/, { type: 'int' }, 'smallint, integer, bigint, oid', 'exact'],
  [/^boolean$/, { type: 'int', as: 'int' }, 'boolean', '1/0'],
  [/^(numeric|decimal)\b/, { type: 'double' }, 'numeric, decimal', 'every digit'],
  [/^money$/, { type: 'money', as: 'decimal' }, 'money', 'as numeric, exact'],
  [/^(real|double precision)$/, { type: 'double' }, 'real, double precision', 'shortest round-trip'],
  [/^date$/, { type: 'date' }, 'date'],
  [/^timestamp(\(\d\))? with time zone$/, { type: 'datetime', zoned: true }, 'timestamp with time zone'],
  [/^timestamp(\(\d\))?( without time zone)?$/, { type: 'datetime' }, 'timestamp (without time zone)', 'as stored'],
  [/^(text|character varying|character|"char"|name|citext)\b/, { type: 'string' }, 'text, varchar, char, name, citext'],
  [/^(uuid|jsonb?|xml|inet|cidr|macaddr8?|interval|time|bytea|bit|tsvector|tsquery|point|line|lseg|box|path|polygon|circle)\b/, { type: 'string', as: 'text' },
    'uuid, json(b), xml, inet, cidr, macaddr, interval, time, bytea, bit, text search, geometric', 'text form']
] as const)
