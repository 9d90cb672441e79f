/**
 * The board (src/graph/board.ts), part 2: events, dispose, clears, the session and when the
 * board loads its storage half (kept.ts), written against the mutation survivors of
 * board.ts (issue 11 §1). Ids BKnn. Node has no Web Storage, IndexedDB or Web Locks: where a
 * test reaches storage it meets the board's own fallback (memory only, with a warning), never
 * a mock; what needs real storage, workers or tabs is in the browser tests.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { boardImpl } from '../../src/graph/board'
import { patternEngine } from '../../src/graph/ids'
import type { BoardChange } from '../../src/graph/types'
import { ALL, type Board, createBoard, GraphError, MATCH } from '../../src/index'

let n = 0
const newBoard = (name = `bk2-${++n}`, register = false) => createBoard({ name, version: 1, register })

/** Every 'session' event, in order. */
function sessions(board: Board): Array<{ id: string; previous: string | undefined }> {
  const seen: Array<{ id: string; previous: string | undefined }> = []
  board.on('session', (e) => seen.push({ id: e.id, previous: e.previous }))
  return seen
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe("'change' listeners", () => {
  it("BK23 a 'status' listener leaving does not stop 'change' events", async () => {
    // a ──► [C] ──► b
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const b = board.store<number>('b')
    board.callback({ id: 'C', inputs: [a], outputs: [b], run: (x: number) => x + 1 })
    await board.start()
    const changes: BoardChange[] = []
    board.on('change', (c) => changes.push(c))
    const offStatus = board.on('status', () => undefined)
    offStatus()
    a.set(2)
    await board.idle()
    expect(changes).toEqual([{ stores: ['a', 'b'], callbacks: ['C'] }])
  })

  it('BK24 a change listener that left leaves no trace: a later one hears what a first one would', async () => {
    // Two boards, the same steps, except that on `used` a listener came and went before.
    // In one batch: a store is defined, then a listener subscribes, then a value changes.
    const heard = async (used: boolean) => {
      const board = newBoard()
      const a = board.store('a', { initial: 1 })
      await board.start()
      if (used) board.on('change', () => undefined)()
      const changes: BoardChange[] = []
      board.batch(() => {
        board.store('z')
        board.on('change', (c) => changes.push(c))
        a.set(2)
      })
      await board.idle()
      return changes
    }
    expect(await heard(false)).toEqual([{ stores: ['a'], callbacks: [] }])
    expect(await heard(true)).toEqual([{ stores: ['a'], callbacks: [] }])
  })
})

describe('dispose()', () => {
  it('BK25 a second dispose() does nothing: the parts are disposed once', () => {
    const board = newBoard()
    const disposed = vi.fn()
    boardImpl(board).hooks.dispose.push(disposed)
    board.dispose()
    board.dispose()
    expect(disposed).toHaveBeenCalledTimes(1)
  })

  it('BK26 a board whose storage half has loaded still leaves the page registry on dispose', async () => {
    const live = () => (globalThis as { __switchboard?: Set<Board> }).__switchboard
    const board = newBoard(undefined, true)
    board.store('a', { initial: 1 })
    await board.start()
    // clear() loads kept.ts (the storage half) on a memory-only board.
    await board.clear()
    expect(live()?.has(board)).toBe(true)
    board.dispose()
    expect(live()?.has(board)).toBe(false)
  })

  it('BK27 clear() after dispose is ignored: the value and its modifiedAt stay, one warning', async () => {
    const board = newBoard('b27')
    const a = board.store('a', { initial: 1 })
    await board.start()
    a.set(2)
    await board.idle()
    const at = board.inspect().stores[0]!.modifiedAt
    expect(typeof at).toBe('number')
    board.dispose()
    const seen: string[] = []
    board.on('warning', (w) => seen.push(w.message))
    a.clear()
    expect(a.get()).toBe(2)
    expect(board.inspect().stores[0]!.modifiedAt).toBe(at)
    expect(seen).toEqual(['store "a" was set after board "b27" was disposed; the value is ignored.'])
  })
})

describe('the session and the storage half', () => {
  it('BK28 board.session.ready resolves once the session is settled: its event has fired and names the id read before', async () => {
    // A fresh page: no tab session yet (earlier tests of this runner may have left theirs).
    // Node keeps no sessionStorage, so the session mints its own id rather than keeping the
    // early one: the 'session' event tells the change (previous = the id read before).
    const key = Symbol.for('switchboard.session')
    const g = globalThis as { [key]?: unknown }
    const before = g[key]
    delete g[key]
    const board = newBoard()
    try {
      const seen = sessions(board)
      const early = board.session.id
      await board.session.ready
      expect(seen).toHaveLength(1)
      expect(seen[0]!.id).not.toBe(early)
      expect(seen[0]!.previous).toBe(early)
      expect(board.session.id).toBe(seen[0]!.id)
    } finally {
      board.dispose()
      if (before === undefined) delete g[key]
      else g[key] = before
    }
  })

  it('BK29 a memory-only board without a cache starts no session; nor does one with an uncached pattern family', async () => {
    // a ──► [C] ──► b ; {q,i:MATCH} ──► [F] ──► {o,i:MATCH}
    const board = newBoard()
    const seen = sessions(board)
    const a = board.store('a', { initial: 1 })
    board.callback({ id: 'C', inputs: [a], outputs: [board.store<number>('b')], run: (x: number) => x })
    board.store({ type: 'q', i: 1 }, { initial: 1 })
    board.store<number>({ type: 'o', i: 1 })
    board.callback({
      id: 'F',
      inputs: [{ type: 'q', i: MATCH }],
      outputs: [{ type: 'o', i: MATCH }],
      run: (x: number) => x,
    })
    await board.start()
    await board.idle()
    expect(seen).toEqual([])
    board.dispose()
  })

  it('BK30 a board with a cached callback settles its session before its first wave', async () => {
    // a ──► [C, cached] ──► b: C's first run sees the session event already fired.
    const board = newBoard()
    const seen = sessions(board)
    const a = board.store('a', { initial: 1 })
    const heardBefore: number[] = []
    board.callback({
      id: 'C',
      inputs: [a],
      outputs: [board.store<number>('b')],
      run: (x: number) => (heardBefore.push(seen.length), x),
      cache: {},
    })
    await board.start()
    expect(seen).toHaveLength(1)
    expect(heardBefore).toEqual([1])
    board.dispose()
  })

  it('BK31 a board with a kept store settles its session before its first wave (Node: the store stays in memory, with a warning)', async () => {
    // l (local) ──► [C] ──► b
    const board = newBoard('b31')
    const seen = sessions(board)
    const warned: string[] = []
    board.on('warning', (w) => warned.push(w.message))
    vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const l = board.store('l', { storage: 'local', initial: 1 })
    const heardBefore: number[] = []
    board.callback({
      id: 'C',
      inputs: [l],
      outputs: [board.store<number>('b')],
      run: (x: number) => (heardBefore.push(seen.length), x),
    })
    await board.start()
    expect(seen).toHaveLength(1)
    expect(heardBefore).toEqual([1])
    expect(warned).toEqual(['localStorage is not available; store "l" is kept in memory only.'])
    board.dispose()
  })
})

describe('kept stores defined after start', () => {
  it('BK32 a kept store defined after start is restored before its instance runs, once; memory ones run at once', async () => {
    // {q,i:MATCH} ──► [F] ──► {o,i:MATCH}. After start, q2 (local) and o2 come in one task:
    // F[2] waits for q2's restore (Node: nothing kept, q2 keeps its initial, with a warning),
    // then runs once. q3 (memory) and o3: F[3] runs in the wave of its definition.
    const board = newBoard('b32')
    const warned: string[] = []
    board.on('warning', (w) => warned.push(w.message))
    vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const runs: number[] = []
    board.store({ type: 'q', i: 1 }, { initial: 1 })
    board.store<number>({ type: 'o', i: 1 })
    board.callback({
      id: 'F',
      inputs: [{ type: 'q', i: MATCH }],
      outputs: [{ type: 'o', i: MATCH }],
      run: (x: number) => (runs.push(x), x * 10),
    })
    await board.start()
    expect(runs).toEqual([1])
    const q2 = board.store({ type: 'q', i: 2 }, { storage: 'local', initial: 2 })
    const o2 = board.store<number>({ type: 'o', i: 2 })
    expect(runs).toEqual([1])
    await board.idle()
    expect(runs).toEqual([1, 2])
    expect(o2.get()).toBe(20)
    q2.set(5)
    await board.idle()
    expect(runs).toEqual([1, 2, 5])
    board.store({ type: 'q', i: 3 }, { initial: 3 })
    const o3 = board.store<number>({ type: 'o', i: 3 })
    expect(runs).toEqual([1, 2, 5, 3])
    await board.idle()
    expect(runs).toEqual([1, 2, 5, 3])
    expect(o3.get()).toBe(30)
    // Emitted at the restore and again at the write of 5 (printed once).
    const lost = `localStorage is not available; store "${q2.id}" is kept in memory only.`
    expect(warned).toEqual([lost, lost])
    board.dispose()
  })
})

describe('wildcards without the pattern engine', () => {
  it('BK33 a wildcard the engine was not installed for (another copy of the library) is refused by name', () => {
    // pattern.ts installs the engine when ALL/MATCH/ALLSMALLER are imported; a page holding
    // two copies can hand a board the symbols of one whose engine this board never saw.
    const make = patternEngine.make
    delete patternEngine.make
    try {
      const board = newBoard()
      let caught: unknown
      try {
        board.callback({ id: 'S', inputs: [{ type: 'q', i: ALL }], outputs: [], run() {} })
      } catch (e) {
        caught = e
      }
      expect(caught).toBeInstanceOf(GraphError)
      expect([(caught as GraphError).code, (caught as GraphError).message]).toEqual([
        'bad-pattern',
        'callback "S" uses a wildcard that was not imported from switchboard (ALL, MATCH, ALLSMALLER).',
      ])
      expect(board.inspect().families).toEqual([])
    } finally {
      if (make) patternEngine.make = make
    }
  })
})

describe('after dispose', () => {
  it("BK34 dispose() leaves no listener behind: a 'change' listener added later is a first one and hears the stores of the interrupted wave", async () => {
    // a ──► [C] ──► b. A batch sets a, then disposes: its wave never drains. A 'change'
    // listener added afterwards hears of a (changed in that wave) with the next change, a
    // store defined after dispose.
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    board.callback({ id: 'C', inputs: [a], outputs: [board.store<number>('b')], run: (x: number) => x })
    await board.start()
    board.batch(() => {
      a.set(5)
      board.dispose()
    })
    const seen: BoardChange[] = []
    board.on('change', (c) => seen.push(c))
    board.store('z')
    await board.idle()
    expect(seen).toEqual([{ stores: ['a', 'z'], callbacks: [] }])
  })
})

describe('more of the same', () => {
  it('BK36 clears of removed stores warn once per store: each removed store has its own warning key', async () => {
    const board = newBoard('b36')
    const printed = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const x = board.store('x', { initial: 1 })
    const y = board.store('y', { initial: 1 })
    await board.start()
    board.remove(x)
    board.remove(y)
    x.clear()
    y.clear()
    x.clear()
    expect(printed.mock.calls).toEqual([
      ['[switchboard] store "x" was removed from board "b36"; the value is ignored.'],
      ['[switchboard] store "y" was removed from board "b36"; the value is ignored.'],
    ])
  })

  it('BK37 two instances of a cached family never share an entry, even with the same arguments', async () => {
    // {q,i:MATCH} ──► [F, cached] ──► {o,i:MATCH}; q1 = q2 = 4: two misses, two runs.
    const board = newBoard()
    board.store({ type: 'q', i: 1 }, { initial: 4 })
    board.store({ type: 'q', i: 2 }, { initial: 4 })
    const o1 = board.store<number>({ type: 'o', i: 1 })
    const o2 = board.store<number>({ type: 'o', i: 2 })
    const run = vi.fn((x: number) => x + 1)
    board.callback({ id: 'F', inputs: [{ type: 'q', i: MATCH }], outputs: [{ type: 'o', i: MATCH }], run, cache: {} })
    await board.start()
    await board.idle()
    expect([o1.get(), o2.get()]).toEqual([5, 5])
    expect(run).toHaveBeenCalledTimes(2)
    expect([board.status('F')!.stats.hits, board.status('F')!.stats.misses]).toEqual([0, 2])
    board.dispose()
  })
})

describe('board.clear()', () => {
  it('BK38 board.clear() resets every store to its initial value, downstream runs again', async () => {
    // a ──► [C] ──► b
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const b = board.store<number>('b')
    board.callback({ id: 'C', inputs: [a], outputs: [b], run: (x: number) => x * 10 })
    await board.start()
    a.set(5)
    await board.idle()
    expect(b.get()).toBe(50)
    await board.clear()
    await board.idle()
    expect([a.get(), b.get()]).toEqual([1, 10])
    board.dispose()
  })
})

describe("the board's database", () => {
  it('BK39 an idb store where IndexedDB is missing (Node): the board tries to open its database once, warns once, keeps values in memory', async () => {
    // i (idb) ──► [C] ──► b; two sets, two waves: one attempt to open the database.
    const board = newBoard('b39')
    const warned: string[] = []
    board.on('warning', (w) => warned.push(w.message))
    vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const i = board.store('i', { storage: 'idb', initial: 1 })
    const b = board.store<number>('b')
    board.callback({ id: 'C', inputs: [i], outputs: [b], run: (x: number) => x + 1 })
    await board.start()
    i.set(2)
    await board.idle()
    i.set(3)
    await board.idle()
    expect([i.get(), b.get()]).toEqual([3, 4])
    // The board's database: one attempt, one warning. The store's own: at its restore and at each write.
    const lost = 'IndexedDB is not available; store "i" is kept in memory only.'
    expect(warned).toEqual([
      'IndexedDB is not available; board "b39" keeps idb stores in memory only.',
      lost,
      lost,
      lost,
    ])
    expect(board.inspect().capabilities.indexedDB).toBe(false)
    board.dispose()
  })
})
