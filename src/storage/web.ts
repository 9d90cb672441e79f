/**
 * sessionStorage and localStorage, one implementation over a `Storage` getter: the getter
 * is called on each use because merely touching `window.localStorage` throws in some
 * locked-down contexts (sandboxed iframes, storage blocked by policy; F14).
 */

export type WebKind = 'session' | 'local'

export function webStorage(kind: WebKind): Storage | undefined {
  try {
    const s = kind === 'session' ? globalThis.sessionStorage : globalThis.localStorage
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
