import { ALL, createBoard, MATCH } from 'switchboard'
import { describe, expect, it } from 'vitest'
import { bridge } from '../../src/testing/bridge'
import { idText } from '../../src/testing/handle'
import { wire } from '../../src/testing/wire'

// switchboard/testing and pattern callbacks (issue 15). The page's graph:
//   {type:'qty', index:i} ─► [cost] (MATCH) ─► {type:'cost', index:i}     i = 0, 1
//   {type:'cost', index:ALL} ─► [total] ─► total
describe('testing handle and pattern callbacks', () => {
  async function page() {
    const board = createBoard({ name: `testing-family-${Date.now()}-${Math.random()}` })
    const q0 = board.store({ type: 'qty', index: 0 }, { initial: 1 })
    board.store({ type: 'qty', index: 1 }, { initial: 2 })
    board.store<number>({ type: 'cost', index: 0 })
    board.store<number>({ type: 'cost', index: 1 })
    const total = board.store('total', { initial: 0 })
    board.callback({
      id: 'cost',
      inputs: [{ type: 'qty', index: MATCH }],
      outputs: [{ type: 'cost', index: MATCH }],
      run: (q) => (q as number) * 10,
    })
    board.callback({
      id: 'total',
      inputs: [{ type: 'cost', index: ALL }],
      outputs: [total],
      run: (cs) => (cs as number[]).reduce((a, b) => a + b, 0),
    })
    await board.start()
    const w = wire()
    const call = async (op: 'stats' | 'batch' | 'get', args: unknown[]) =>
      w.decode(await bridge(w, { name: board.name, op, args: w.encode(args), waitMs: 0 })) as {
        state: string
        value?: { runs: number } & Record<string, number>
        message?: string
      }
    return { board, q0, call }
  }

  it('stats of a pattern callback add up its instances; an instance by its own id', async () => {
    const { board, q0, call } = await page()
    expect((await call('stats', ['cost'])).value).toMatchObject({ runs: 2, errors: 0 })
    q0.set(3)
    expect((await call('stats', ['cost'])).value).toMatchObject({ runs: 3 })
    expect((await call('stats', ['cost[{"index":0}]'])).value).toMatchObject({ runs: 2 })
    expect((await call('stats', ['cost[{"index":1}]'])).value).toMatchObject({ runs: 1 })
    // An ALL-only pattern callback is one instance under its own id.
    expect((await call('stats', ['total'])).value).toMatchObject({ runs: 2 })
    const miss = await call('stats', ['nope'])
    expect(miss.state).toBe('error')
    expect(miss.message).toContain('has no callback "nope"')
    board.dispose()
  })

  it('batch by object ids: pairs, turned into canonical text on the test side, one wave', async () => {
    const { board, call } = await page()
    const record: Record<string, unknown> = {}
    for (const [id, v] of [
      [{ index: 0, type: 'qty' }, 5],
      [{ type: 'qty', index: 1 }, 6],
    ] as const)
      record[idText(id)] = v
    expect(Object.keys(record)).toEqual(['{"index":0,"type":"qty"}', '{"index":1,"type":"qty"}'])
    const runs = (await call('stats', ['total'])).value!.runs
    expect((await call('batch', [record])).state).toBe('ok')
    expect((await call('get', ['total'])).value).toBe(110)
    // Both instances ran, the ALL reader once: one wave.
    expect((await call('stats', ['total'])).value!.runs).toBe(runs + 1)
    board.dispose()
  })
})
