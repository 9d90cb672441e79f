/**
 * sessionStorage and localStorage, one implementation over a `Storage` getter: the getter
 * is called on each use because merely touching `window.localStorage` throws in some
 * locked-down contexts (sandboxed iframes, storage blocked by policy; F14).
 */

export type WebKind = 'session' | 'local'

const browserAreas = (kind: WebKind): Storage | undefined =>
  kind === 'session' ? globalThis.sessionStorage : globalThis.localStorage
let areas = browserAreas

/**
 * Test and fault seam: where the areas come from (e.g. one whose setItem throws a
 * SecurityError for one key). `undefined` restores the browser's own.
 */
export function useWebStorage(source: ((kind: WebKind) => Storage | undefined) | undefined): void {
  areas = source ?? browserAreas
}

export function webStorage(kind: WebKind): Storage | undefined {
  try {
    const s = areas(kind)
    return s ?? undefined
  } catch {
    // Access itself throws a SecurityError where storage is blocked: treat as absent.
    return undefined
  }
}

/** QuotaExceededError by name, or the legacy code 22 / Firefox's 1014 (F09). */
export function isQuotaError(e: unknown): boolean {
  const err = e as { name?: string; code?: number } | null
  return (
    err?.name === 'QuotaExceededError' ||
    err?.name === 'NS_ERROR_DOM_QUOTA_REACHED' ||
    err?.code === 22 ||
    err?.code === 1014
  )
}
