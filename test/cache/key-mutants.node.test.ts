// Mutation tests for src/cache/key.ts: what the other key tests leave unpinned.
import { afterEach, expect, it, vi } from 'vitest'
import { canHash, encodeCanonical } from '../../src/cache/key'

afterEach(() => {
  vi.unstubAllGlobals()
})

it('M key: canHash is true with crypto.subtle, false without crypto or without crypto.subtle (not a secure context)', () => {
  expect(canHash()).toBe(true)
  vi.stubGlobal('crypto', { getRandomValues: () => undefined })
  expect(canHash()).toBe(false)
  vi.stubGlobal('crypto', undefined)
  expect(canHash()).toBe(false)
})

it('M key: a DOM node (where the platform has Node) is refused as "a DOM node", named by its path', () => {
  class FakeNode {}
  vi.stubGlobal('Node', FakeNode)
  expect(() => encodeCanonical({ el: new FakeNode() }, 'callback "c" argument 1')).toThrow(
    'callback "c" argument 1 at .el is a DOM node, which has no stable cache key.',
  )
  // Without Node (a worker, Node.js) the same object is only a class instance.
  vi.unstubAllGlobals()
  expect(() => encodeCanonical({ el: new FakeNode() }, 'x')).toThrow(
    'x at .el is an instance of FakeNode, which has no stable cache key.',
  )
})
