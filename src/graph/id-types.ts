/**
 * The types of store ids and of the three wildcards, in a leaf module: store.ts, types.ts
 * and ids.ts name them, and ids.ts and pattern.ts (which makes the wildcard values and
 * installs the engine) import those, so these types cannot live there without an import
 * cycle. ids.ts re-exports them.
 */
declare const all: unique symbol
declare const match: unique symbol
declare const allSmaller: unique symbol

/** The type of `ALL`. */
export type AllWildcard = typeof all
/** The type of `MATCH`. */
export type MatchWildcard = typeof match
/** The type of `ALLSMALLER`. */
export type AllSmallerWildcard = typeof allSmaller

/**
 * Wildcards (pattern.ts) are registered symbols (`Symbol.for`): the ESM build, the IIFE
 * global and a second copy of the library on one page all hand out the same three values,
 * and no string or number a store id can hold is ever taken for one.
 */
export type Wildcard = AllWildcard | MatchWildcard | AllSmallerWildcard

/**
 * A store id that is a plain object of string keys and string or number values. `3` and
 * `'3'` are different values.
 * @example
 * const qty = board.store({ type: 'qty', index: 3 }, { initial: 1 })
 * qty.id   // '{"index":3,"type":"qty"}'
 */
export type IdObject = { readonly [key: string]: string | number }

/** What names one store: a string or an object id. */
export type StoreId = string | IdObject

/**
 * An object id whose values may be wildcards: names a family of stores in a callback's
 * `inputs`, `state` or `outputs`.
 * @example
 * board.callback({ inputs: [{ type: 'qty', index: ALL }], outputs: [total], run: (qs) => qs.length })
 */
export type Pattern = { readonly [key: string]: string | number | Wildcard }
