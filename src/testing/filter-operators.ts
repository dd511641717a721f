/** A portal filter as the portal sends it: `{ '>=AMOUNT': '100', LOGIC: 'OR', ... }`. */
export type Filter = Record<string, unknown>

/** The key prefixes of the conditions every field takes: equal, not equal and the four orderings. */
export const ORDERED_OPS = ['', '!', '>', '>=', '<', '<=']

/** The key prefixes of the conditions only text fields take: contains and does not contain. */
export const TEXT_OPS = ['%', '!%']
