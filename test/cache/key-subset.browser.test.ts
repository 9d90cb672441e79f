/**
 * Memoize on chosen inputs (issue 14 §2.6, Dash's Example 4): `cache: { key: [...] }` names
 * the inputs and state that form the key; the others are read but not keyed, so a change
 * to them alone reuses the entry of the current key (a stale key, by choice).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { type Board, createBoard, GraphError, type StoreRef } from '../../src/index'

let n = 0
const boards: Board[] = []
function board(label: string) {
  const b = createBoard({ name: `key-subset-${label}-${Date.now()}-${++n}`, version: 1 })
  boards.push(b)
  return b
}
const statsOf = (b: Board, id: string) => b.inspect().callbacks.find((c) => c.id === id)!.stats

afterEach(() => {
  for (const b of boards.splice(0)) b.dispose()
  sessionStorage.clear()
})

describe('cache: { key }', () => {
  it('N6 keyed on sid only: a clicks change alone is a hit (the entry of that sid), a sid change misses', async () => {
    // sid ─┐
    //      ├─► [report, cache key: [sid]] ─► out
    // clicks (state)
    const b = board('sid')
    const sid = b.store('sid', { initial: 'a' })
    const clicks = b.store('clicks', { initial: 0 })
    const out = b.store<string>('out')
    const calls: string[] = []
    b.callback({
      id: 'report',
      inputs: [sid, clicks],
      outputs: [out],
      cache: { key: [sid] },
      run: (s, c) => {
        calls.push(`${s}:${c}`)
        return `${s}:${c}`
      },
    })
    await b.start()
    expect([calls, out.get()]).toEqual([['a:0'], 'a:0'])
    clicks.set(1)
    await b.idle()
    expect([calls, out.get()]).toEqual([['a:0'], 'a:0']) // stale by choice: clicks is not in the key
    sid.set('b')
    await b.idle()
    expect([calls, out.get()]).toEqual([['a:0', 'b:1'], 'b:1'])
    clicks.set(2)
    sid.set('a')
    await b.idle()
    expect([calls, out.get()]).toEqual([['a:0', 'b:1'], 'a:0'])
    const s = statsOf(b, 'report')
    expect([s.runs, s.hits, s.misses]).toEqual([2, 3, 2])
  })

  it('N6 a key entry by id, among state; without key every input is keyed (control)', async () => {
    // q ─► [keyed, cache key: ['user'] ] ─► o1      q ─► [all, cache] ─► o2     user: state of both
    const b = board('state')
    const q = b.store('q', { initial: 1 })
    const user = b.store('user', { initial: 'u1' })
    const o1 = b.store<string>('o1')
    const o2 = b.store<string>('o2')
    let keyed = 0
    let all = 0
    b.callback({
      id: 'keyed',
      inputs: [q],
      state: [user],
      outputs: [o1],
      cache: { key: ['user'] },
      run: (v, u) => `${u}/${v}/${++keyed}`,
    })
    b.callback({ id: 'all', inputs: [q], state: [user], outputs: [o2], cache: {}, run: (v, u) => `${u}/${v}/${++all}` })
    await b.start()
    q.set(2)
    await b.idle()
    expect([o1.get(), o2.get(), keyed, all]).toEqual(['u1/1/1', 'u1/2/2', 1, 2])
  })

  it('N6 a key entry that is not an input or state of the callback is a bad definition naming both', async () => {
    const b = board('bad')
    const sid = b.store('sid', { initial: 'a' })
    const other = b.store('other', { initial: 0 })
    const out = b.store<string>('out')
    const define = (key: StoreRef[]) => () =>
      b.callback({ id: 'report', inputs: [sid], outputs: [out], cache: { key }, run: (s) => s })
    for (const key of [[other], ['nowhere'], [sid, 'out']] as StoreRef[][]) {
      let err: unknown
      try {
        define(key)()
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(GraphError)
      expect((err as GraphError).code).toBe('bad-definition')
      const named = typeof key.at(-1) === 'string' ? (key.at(-1) as string) : 'other'
      expect((err as Error).message).toBe(
        `callback "report": cache key names "${named}", which is not one of its inputs or state.`,
      )
    }
    expect(b.inspect().callbacks).toEqual([])
  })
})
