import type { SqlTypeRule } from '../sql/sql-types.js'

/**
 * PostgreSQL types (as `format_type` names them) to portal types; first match wins. Values travel as text
 * (every type parser is the identity), so int8 and numeric keep every digit and dates never shift.
 *
 * | PostgreSQL | portal |
 * |---|---|
 * | arrays (`integer[]`, …) | string (text form) |
 * | smallint, integer, bigint, oid | int (exact) |
 * | boolean | int (1/0) |
 * | numeric, decimal | double (exact digits) |
 * | money | money (as numeric, exact) |
 * | real, double precision | double (shortest round-trip) |
 * | date | date |
 * | timestamp with time zone | datetime, an instant shown in the configured zone |
 * | timestamp (without time zone) | datetime, as stored |
 * | text, varchar, char, name, citext | string |
 * | uuid, json, jsonb, xml, inet, interval, time, bytea, bit, … | string (text form) |
 */
export const POSTGRES_TYPES: readonly SqlTypeRule[] = Object.freeze([
  [/\[\]$/, { type: 'string', as: 'text' }],
  [/^(smallint|integer|bigint|oid)$/, { type: 'int' }],
  [/^boolean$/, { type: 'int', as: 'int' }],
  [/^(numeric|decimal)\b/, { type: 'double' }],
  [/^money$/, { type: 'money', as: 'decimal' }],
  [/^(real|double precision)$/, { type: 'double' }],
  [/^date$/, { type: 'date' }],
  [/^timestamp(\(\d\))? with time zone$/, { type: 'datetime', zoned: true }],
  [/^timestamp(\(\d\))?( without time zone)?$/, { type: 'datetime' }],
  [/^(text|character varying|character|"char"|name|citext)\b/, { type: 'string' }],
  [/^(uuid|jsonb?|xml|inet|cidr|macaddr8?|interval|time|bytea|bit|tsvector|tsquery|point|line|lseg|box|path|polygon|circle)\b/, { type: 'string', as: 'text' }]
] as const)
