/**
 * hashKey's hex: every digest byte as two lowercase digits. Inputs are searched (a fixed,
 * deterministic sequence) until the digests include bytes 0x00-0x0f and 0x10, the two sides
 * of the zero-padding rule, and each is checked against Node's own SHA-256 hex.
 */
import { createHash } from 'node:crypto'
import { expect, it } from 'vitest'
import { encodeKey, hashKey, type KeyParts } from '../../src/cache/key'

it('hashKey pads bytes below 16 with a 0 and no others (digests with 0x0f-and-below and 0x10 bytes)', async () => {
  const parts = (i: number): KeyParts => ({
    board: 'hex',
    boardVersion: 1,
    cacheId: 'c',
    cacheVersion: undefined,
    scope: 'global',
    session: undefined,
    args: [i],
    what: 'callback "c"',
  })
  let low = 0
  let sixteen = 0
  for (let i = 0; i < 200 && (low < 3 || sixteen < 3); i++) {
    const digest = createHash('sha256')
      .update(encodeKey(parts(i)))
      .digest()
    if (!digest.some((b) => b < 16 || b === 16)) continue
    for (const b of digest) {
      if (b < 16) low++
      if (b === 16) sixteen++
    }
    const got = await hashKey(parts(i))
    expect(got).toBe(digest.toString('hex'))
    expect(got).toHaveLength(64)
  }
  expect(low).toBeGreaterThanOrEqual(3)
  expect(sixteen).toBeGreaterThanOrEqual(3)
})
