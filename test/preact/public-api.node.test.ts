/**
 * switchboard/preact and switchboard/devtools are adapters: like a user's own, they see the
 * public board only (issue 12 §2). Of src/graph they may import the public types, nothing
 * else: no implementation, no scheduler, no store node.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'

const root = join(import.meta.dirname, '../../src')

it('the Preact adapter and the dev panel import nothing of src/graph but types.ts', () => {
  const seen: string[] = []
  for (const dir of ['preact', 'devtools']) {
    for (const file of readdirSync(join(root, dir))) {
      const text = readFileSync(join(root, dir, file), 'utf8')
      for (const m of text.matchAll(/from '(\.\.\/graph\/[^']+)'/g)) seen.push(`${dir}/${file}: ${m[1]}`)
      expect(text, `${dir}/${file}`).not.toMatch(/boardImpl|BoardImpl/)
    }
  }
  expect(seen.filter((s) => !s.endsWith(': ../graph/types'))).toEqual([])
  expect(seen.length).toBeGreaterThan(0)
})

it("the Preact adapter reads no field of the board outside Board: a store by id comes from board.get, a family's status from board.status", () => {
  for (const file of readdirSync(join(root, 'preact'))) {
    const text = readFileSync(join(root, 'preact', file), 'utf8')
    // The implementation's map of stores (`board.stores`), read by a cast, is not the public board.
    expect(text, `preact/${file}`).not.toMatch(/\.stores\b|stores\?: Map/)
    // Summing a family's instances is the core's job (board.status(familyId)), not the adapter's.
    expect(text, `preact/${file}`).not.toMatch(/\.families\b/)
  }
  expect(readFileSync(join(root, 'preact/store.ts'), 'utf8')).toMatch(/board\.get(<\w+>)?\(/)
})
