import { vi } from 'vitest'

/**
 * `vi.waitFor` with a safety net instead of a speed limit (S26): Vitest's default gives up
 * after 1 s, which a busy machine overruns while nothing is wrong. A check that never comes
 * true still fails, after 30 s.
 */
export function waitFor<T>(
  check: () => T | Promise<T>,
  options: { timeout?: number; interval?: number } = {},
): Promise<T> {
  return vi.waitFor(check, { timeout: 30_000, interval: 20, ...options })
}
