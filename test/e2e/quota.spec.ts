import { expect, type Page, test } from '@playwright/test'

// F01 and S11 with the browser's own quota: Storage.overrideQuotaForOrigin (DevTools
// protocol) caps the origin, and Chromium aborts the transaction at commit with a
// QuotaExceededError on `transaction.error`, asynchronously, as it does on a full disk.
// test/pages/quota.html:
//
//   n ─► [blob, cached] ─► out (memory)      a cache entry of n.bytes random bytes
//   small (idb), big (idb)                   written together, one wave

type Api = {
  failed: Array<{ store: string; code: string; bytes: number; key: string | null }>
  warnings: string[]
  cacheEntries(): Promise<number>
  cache(bytes: number, seed: number): Promise<number>
  wave(small: string, bigBytes: number): Promise<void>
  state(): { small: string; big: number | null; indexedDB: boolean }
}
const api = <T>(page: Page, fn: (a: Api, arg: number) => T | Promise<T>, arg = 0) =>
  page.evaluate(
    ([f, x]) =>
      (new Function('api', 'x', `return (${f})(api, x)`) as (a: unknown, x: number) => T)(
        (globalThis as unknown as { api: unknown }).api,
        x,
      ),
    [fn.toString(), arg] as const,
  )

test('F01 S11 real quota: the cache is evicted oldest-first and a store write retried once; an over-quota store fails alone', async ({
  page,
}) => {
  // The quota is set before the origin's database exists: a database keeps the quota it
  // was opened under (Chromium keeps it open for a while after the last connection closes).
  // 3 MB: what the steps below write is about 2.3 MB (measured with Storage.getUsageAndQuota).
  await page.goto('about:blank')
  const cdp = await page.context().newCDPSession(page)
  const origin = new URL(test.info().project.use.baseURL!).origin
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 3_000_000 })
  await page.goto('test/pages/quota.html')
  await expect(page.getByTestId('ready')).toHaveText('yes')

  // Four cache entries of 500 kB after the initial one (0 bytes), then small and big.
  for (let seed = 1; seed <= 4; seed++) expect(await api(page, (a, s) => a.cache(500_000, s), seed)).toBe(500_000)
  await api(page, (a) => a.wave('s1', 200_000))
  expect(await api(page, (a) => a.cacheEntries())).toBe(5)
  const { usage } = (await cdp.send('Storage.getUsageAndQuota', { origin })) as { usage: number }
  expect(usage).toBeGreaterThan(2_200_000) // so that 1 MB more does not fit in 3 MB
  expect(usage).toBeLessThan(2_500_000) // so that it does once 1 MB of cache is evicted

  // big (1 MB) does not fit; the oldest half of the cache (0 B, 500 kB, 500 kB) is evicted
  // and the write retried once. small, in the same wave, is written whatever big does.
  // Chromium frees evicted values when it deletes their blob files, after the commit and in
  // the background: on an idle machine the retry finds the room (seen every time), on a busy
  // one (npm run test:stress) it can still see them counted, and big then fails alone, as
  // quota. Either is the contract (one eviction, one retry); nothing here waits on speed.
  await api(page, (a) => a.wave('s2', 1_000_000))
  const afterRetry = await api(page, (a) => a.failed)
  expect([[], [{ store: 'big', code: 'quota', bytes: 1_000_000, key: null }]]).toContainEqual(afterRetry)
  expect(await api(page, (a) => a.cacheEntries())).toBe(2)
  expect((await api(page, (a) => a.state())).small).toBe('s2')

  // big (3 MB) does not fit even after evicting one more entry: it fails alone, as quota.
  // The wave's transaction fails, so each store is written on its own; small's own write
  // succeeds on an idle machine (1 entry left), but on a busy one Chromium may still count
  // the blobs evicted above, and small's write then meets the quota too: its own eviction
  // and retry (the contract is per write) take the last entry, and small is written.
  await api(page, (a) => a.wave('s3', 3_000_000))
  expect(await api(page, (a) => a.failed)).toEqual([
    ...afterRetry,
    { store: 'big', code: 'quota', bytes: 3_000_000, key: null },
  ])
  expect([0, 1]).toContain(await api(page, (a) => a.cacheEntries()))
  expect(await api(page, (a) => a.state())).toEqual({ small: 's3', big: 3_000_000, indexedDB: true })

  // A cache entry over quota: evicted, retried once, then persist-failed names key and
  // bytes; the callback still has its value, from memory.
  expect(await api(page, (a) => a.cache(5_000_000, 9))).toBe(5_000_000)
  const failed = (await api(page, (a) => a.failed)).slice(afterRetry.length)
  expect(failed).toHaveLength(2)
  expect(failed[1]).toMatchObject({ store: 'cache:blob', code: 'quota', bytes: 5_000_000 })
  expect(failed[1]!.key).toMatch(/^[0-9a-f]{64}$/)
  expect(await api(page, (a) => a.cacheEntries())).toBe(0)
  // No event calls the database unusable: quota is not a lost connection.
  expect(
    await api(page, (a) => a.warnings.filter((w) => /cannot be used|memory only/.test(w) && /IndexedDB "/.test(w))),
  ).toEqual([])

  // After a reload: small has its newest value; big's older entry (1 MB) was removed, so
  // it starts from initial rather than from a value older than the last one set.
  await page.reload()
  await expect(page.getByTestId('ready')).toHaveText('yes')
  expect(await api(page, (a) => a.state())).toEqual({ small: 's3', big: null, indexedDB: true })
  expect(await api(page, (a) => a.failed)).toEqual([])
})
