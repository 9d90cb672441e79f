import { createBoard, MATCH } from 'switchboard'
import { describe, expect, it } from 'vitest'
import { bridge } from '../../src/testing/bridge'
import { wire } from '../../src/testing/wire'

// switchboard/testing by object id (issue 15): the page side finds a store named
// { type: 'qty', index: 1 } by its canonical string, whatever the key order given.
describe('testing handle by object id', () => {
  it('PM24 get and set take object ids; an unknown one is named by its canonical string', async () => {
    const board = createBoard({ name: `testing-oid-${Date.now()}` })
    board.store({ type: 'qty', index: 1 }, { initial: 2 })
    board.store<number>({ type: 'cost', index: 1 })
    board.callback({
      id: 'cost',
      inputs: [{ type: 'qty', index: MATCH }],
      outputs: [{ type: 'cost', index: MATCH }],
      run: (q) => (q as number) * 10,
    })
    await board.start()
    const w = wire()
    const call = async (op: 'get' | 'set', args: unknown[]) =>
      w.decode(await bridge(w, { name: board.name, op, args: w.encode(args), waitMs: 0 })) as {
        state: string
        value?: unknown
        message?: string
      }
    expect(await call('get', [{ index: 1, type: 'cost' }])).toEqual({ state: 'ok', value: 20 })
    expect(await call('set', [{ type: 'qty', index: 1 }, 4])).toEqual({ state: 'ok', value: undefined })
    expect(await call('get', [{ type: 'cost', index: 1 }])).toEqual({ state: 'ok', value: 40 })
    expect(await call('get', ['{"index":1,"type":"cost"}'])).toEqual({ state: 'ok', value: 40 })
    const miss = await call('get', [{ type: 'cost', index: '1' }])
    expect(miss.state).toBe('error')
    expect(miss.message).toContain('has no store "{"index":"1","type":"cost"}"')
    board.dispose()
  })
})
