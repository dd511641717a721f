import { Type, type Static } from 'typebox'

/**
 * The connection settings as sent. Scalars only: the portal sends strings; JSON callers may send numbers.
 * Which keys are required is checked against the adapter's declared settings, not here.
 */
export const ConnectionSchema = Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]), {
  description: 'Each declared setting code mapped to the value the portal user typed'
})

const Base = { connection: ConnectionSchema }

/** urlCheck body. */
export const CheckBody = Type.Object(Base, { additionalProperties: true })

/** urlTableList body. */
export const TableListBody = Type.Object({
  ...Base,
  searchString: Type.Optional(Type.String({ maxLength: 1000 }))
}, { additionalProperties: true })

/** urlTableDescription body: the portal sends `table`; one old document example says `name`. */
export const TableDescriptionBody = Type.Object({
  ...Base,
  table: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 }))
}, { additionalProperties: true })

/** urlData body. `filter` is checked by the filter parser (its grammar lives in keys, not in a schema). */
export const DataBody = Type.Object({
  ...Base,
  table: Type.String({ minLength: 1, maxLength: 1000 }),
  select: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 1000 }), { maxItems: 5000 })),
  // An object, or a list of AND-ed groups (the portal's groups-only filter `[{LOGIC: 'OR', 0: {...}}]`).
  filter: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Array(Type.Unknown(), { maxItems: 5000 })])),
  // Above 2^53 - 1 a number is no longer an exact integer here, and a source would fail to bind it (a 502): refused.
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: '0 or absent: no limit' })),
  mapFields: Type.Optional(Type.Record(Type.String(), Type.String({ minLength: 1, maxLength: 1000 }), {
    description: "The connector's field code mapped to the field's name in the portal's table (any non-empty text)"
  }))
}, { additionalProperties: true })

export type CheckBody = Static<typeof CheckBody>
export type TableListBody = Static<typeof TableListBody>
export type TableDescriptionBody = Static<typeof TableDescriptionBody>
export type DataBody = Static<typeof DataBody>

/** urlCheck answer: any non-empty body with status 200. */
export const CheckAnswer = Type.Object({ status: Type.Literal('ok') })

/** urlTableList answer: `id` is optional, answered when the adapter gives one. */
export const TableListAnswer = Type.Array(Type.Object({
  id: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Integer()])),
  code: Type.String({ minLength: 1 }),
  title: Type.String({ minLength: 1 })
}))

/** urlTableDescription answer: never empty (a table without fields is an error, the portal refuses `[]`). */
export const TableDescriptionAnswer = Type.Array(Type.Object({
  code: Type.String({ minLength: 1 }),
  name: Type.String({ minLength: 1 }),
  type: Type.Union([Type.Literal('int'), Type.Literal('string'), Type.Literal('double'), Type.Literal('date'), Type.Literal('datetime'),
    Type.Literal('money'), Type.Literal('timezone')])
}), { minItems: 1 })

/** urlData answer: the header (`select` as sent, else the field codes), then one array per row in header order. Streamed. */
export const DataAnswer = Type.Array(Type.Array(Type.Union([Type.String(), Type.Number(), Type.Null()])))

/** Every error answer. */
export const ErrorAnswer = Type.Object({
  error: Type.String({ description: 'A stable B24BI_ERR_* code' }),
  message: Type.String({ description: 'A safe, human message' })
})

export type TableListAnswer = Static<typeof TableListAnswer>
export type TableDescriptionAnswer = Static<typeof TableDescriptionAnswer>
