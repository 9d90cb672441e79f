/**
 * Dash's own pattern-matching scenarios, ported as our own tests (fresh code, the scenarios
 * and their expected texts and call counts kept). A Dash component property becomes a store
 * named by an object id; a callback that rebuilds a layout becomes a page function creating
 * and removing stores in one batch (switchboard's stores are made by the page, not by
 * callbacks returning components).
 */
import { describe, expect, it } from 'vitest'
import { ALL, ALLSMALLER, createBoard, MATCH } from '../../src/index'

let n = 0
const newBoard = () => createBoard({ name: `dash-pm-${++n}`, version: 1, register: false })

describe('plotly/dash tests/integration/callbacks/test_wildcards.py', () => {
  it('cbwc001 todo app: ALL totals, MATCH styles, ALLSMALLER "preceding" notes, clear-done removes items', async () => {
    //  {item,i,action:done} ─► [markDone: MATCH] ─► {item,i,prop:style}
    //                      ├─► [preceding: ALLSMALLER + MATCH] ─► {item,i,note:preceding}
    //                      └─► [totals: ALL] ─► totals
    const board = newBoard()
    const calls = { style: 0, preceding: 0, totals: 0 }
    const totals = board.store<string>('totals')
    board.callback({
      id: 'markDone',
      inputs: [{ item: MATCH, action: 'done' }],
      outputs: [{ item: MATCH, prop: 'style' }],
      run: (done) => (calls.style++, done ? 'done' : 'todo'),
    })
    board.callback({
      id: 'preceding',
      inputs: [
        { item: ALLSMALLER, action: 'done' },
        { item: MATCH, action: 'done' },
      ],
      outputs: [{ item: MATCH, note: 'preceding' }],
      run: (before, thisDone) => {
        calls.preceding++
        if (thisDone) return ''
        const all = (before as boolean[]).length
        const done = (before as boolean[]).filter(Boolean).length
        return `${done} of ${all} preceding items are done${all === done ? ' DO THIS NEXT!' : ''}`
      },
    })
    board.callback({
      id: 'totals',
      inputs: [{ item: ALL, action: 'done' }],
      outputs: [totals],
      run: (done) => {
        calls.totals++
        const all = (done as boolean[]).length
        const finished = (done as boolean[]).filter(Boolean).length
        return `${finished} of ${all} items completed${all ? ` - ${Math.floor((100 * finished) / all)}%` : ''}`
      },
    })
    await board.start()
    expect(totals.get()).toBe('0 of 0 items completed')
    expect(calls).toEqual({ style: 0, preceding: 0, totals: 1 })

    // The page's "Add" and "Clear Done" (Dash's edit_list callback).
    let next = 0
    const live: number[] = []
    const add = (text: string) =>
      board.batch(() => {
        const i = next++
        board.store({ item: i }, { initial: text })
        board.store({ item: i, action: 'done' }, { initial: false })
        board.store({ item: i, prop: 'style' })
        board.store({ item: i, note: 'preceding' })
        live.push(i)
      })
    const clearDone = () =>
      board.batch(() => {
        for (const i of [...live]) {
          if (!board.store({ item: i, action: 'done' }).get()) continue
          for (const id of [{ item: i }, { item: i, action: 'done' }, { item: i, prop: 'style' }, { item: i, note: 'preceding' }])
            board.remove(id)
          live.splice(live.indexOf(i), 1)
        }
      })
    const done = (k: number) => board.store({ item: live[k]!, action: 'done' }).set(true)
    const item = (k: number) => {
      const i = live[k]!
      return [board.store({ item: i }).get(), board.store({ item: i, prop: 'style' }).get(), board.store({ item: i, note: 'preceding' }).get()]
    }

    add('apples')
    expect(totals.get()).toBe('0 of 1 items completed - 0%')
    add('bananas')
    add('carrots')
    add('dates')
    expect(totals.get()).toBe('0 of 4 items completed - 0%')
    expect(live.map((_, k) => item(k))).toEqual([
      ['apples', 'todo', '0 of 0 preceding items are done DO THIS NEXT!'],
      ['bananas', 'todo', '0 of 1 preceding items are done'],
      ['carrots', 'todo', '0 of 2 preceding items are done'],
      ['dates', 'todo', '0 of 3 preceding items are done'],
    ])

    done(2)
    expect(totals.get()).toBe('1 of 4 items completed - 25%')
    expect(live.map((_, k) => item(k))).toEqual([
      ['apples', 'todo', '0 of 0 preceding items are done DO THIS NEXT!'],
      ['bananas', 'todo', '0 of 1 preceding items are done'],
      ['carrots', 'done', ''],
      ['dates', 'todo', '1 of 3 preceding items are done'],
    ])
    done(0)
    expect(totals.get()).toBe('2 of 4 items completed - 50%')
    expect(item(1)).toEqual(['bananas', 'todo', '1 of 1 preceding items are done DO THIS NEXT!'])
    expect(item(3)).toEqual(['dates', 'todo', '2 of 3 preceding items are done'])

    clearDone()
    expect(totals.get()).toBe('0 of 2 items completed - 0%')
    expect(live.map((_, k) => item(k))).toEqual([
      ['bananas', 'todo', '0 of 0 preceding items are done DO THIS NEXT!'],
      ['dates', 'todo', '0 of 1 preceding items are done'],
    ])
    done(0)
    expect(totals.get()).toBe('1 of 2 items completed - 50%')
    expect(item(1)).toEqual(['dates', 'todo', '1 of 1 preceding items are done DO THIS NEXT!'])
    done(1)
    expect(totals.get()).toBe('2 of 2 items completed - 100%')
    // Dash: "a tricky one - trigger based on deleted components".
    const before = calls.totals
    clearDone()
    expect(totals.get()).toBe('0 of 0 items completed')
    expect(calls.totals).toBe(before + 1)
    expect(board.inspect().families.map((f) => [f.id, f.instances.length])).toEqual([
      ['markDone', 0],
      ['preceding', 0],
      ['totals', 1],
    ])
  })

  it('cbwc002 fibonacci app: ALLSMALLER as the input of MATCH on the same ids, ALL sum', async () => {
    //  {i: ALLSMALLER} ─► [sequence: MATCH] ─► {i}      {i: ALL} ─► [sum] ─► sum
    const board = newBoard()
    const sum = board.store<string>('sum')
    board.callback({
      id: 'sequence',
      inputs: [{ i: ALLSMALLER }],
      outputs: [{ i: MATCH }],
      run: (prev) => {
        const p = prev as Array<number | undefined>
        return p.length < 2 ? p.length : (p.at(-1) ?? 0) + (p.at(-2) ?? 0)
      },
    })
    board.callback({
      id: 'sum',
      inputs: [{ i: ALL }],
      outputs: [sum],
      run: (seq) => `${(seq as unknown[]).length} elements, sum: ${(seq as Array<number | undefined>).reduce<number>((a, b) => a + (b ?? 0), 0)}`,
    })
    // Dash's `items(n)` callback: the page keeps n stores {i: 0..n-1}.
    let count = 0
    const resize = (to: number) =>
      board.batch(() => {
        for (; count < to; count++) board.store<number>({ i: count })
        for (; count > to; count--) board.remove({ i: count - 1 })
      })
    resize(4)
    await board.start()
    expect(sum.get()).toBe('4 elements, sum: 4')
    const expected = { 5: 7, 6: 12, 7: 20 } as Record<number, number>
    for (const k of [5, 6, 7]) {
      resize(k)
      expect(sum.get()).toBe(`${k} elements, sum: ${expected[k]}`)
    }
    const down = [12, 7, 4, 2, 1, 0, 0]
    for (let k = 6; k >= 0; k--) {
      resize(k)
      expect(sum.get()).toBe(`${k} elements, sum: ${down[6 - k]}`)
    }
  })
})

describe('Dash docs, "Pattern-Matching Callbacks"', () => {
  it('ALL: "Add Filter" dropdowns, one output line per dropdown', async () => {
    // {type: filter-dropdown, index: ALL} ─► [display] ─► output
    const board = newBoard()
    const output = board.store<string[]>('output')
    board.callback({
      inputs: [{ type: 'filter-dropdown', index: ALL }],
      outputs: [output],
      run: (values) => (values as Array<string | undefined>).map((v, i) => `Dropdown ${i} = ${v ?? 'None'}`),
    })
    await board.start()
    expect(output.get()).toEqual([])
    const add = (i: number) => board.store<string>({ type: 'filter-dropdown', index: i })
    add(0)
    add(1)
    expect(output.get()).toEqual(['Dropdown 0 = None', 'Dropdown 1 = None'])
    board.store({ type: 'filter-dropdown', index: 1 }).set('LA')
    expect(output.get()).toEqual(['Dropdown 0 = None', 'Dropdown 1 = LA'])
  })

  it('MATCH: dynamic dropdowns, each with its own output; changing one runs only its instance', async () => {
    // {type: dynamic-dropdown, index: i} ─► [display: MATCH] ─► {type: dynamic-output, index: i}
    const board = newBoard()
    let runs = 0
    board.callback({
      id: 'display',
      inputs: [{ type: 'dynamic-dropdown', index: MATCH }],
      outputs: [{ type: 'dynamic-output', index: MATCH }],
      run: (value, ctx) => (runs++, `Dropdown ${ctx.match!.index} = ${value}`),
    })
    await board.start()
    for (const i of [0, 1, 2]) {
      board.batch(() => {
        board.store({ type: 'dynamic-dropdown', index: i }, { initial: 'NYC' })
        board.store({ type: 'dynamic-output', index: i })
      })
    }
    expect(runs).toBe(3)
    board.store({ type: 'dynamic-dropdown', index: 1 }).set('TOKYO')
    expect(runs).toBe(4)
    expect([0, 1, 2].map((i) => board.store({ type: 'dynamic-output', index: i }).get())).toEqual([
      'Dropdown 0 = NYC',
      'Dropdown 1 = TOKYO',
      'Dropdown 2 = NYC',
    ])
  })

  it('ALLSMALLER: each filter narrows what the filters before it left (the gapminder country chain)', async () => {
    // {type: filter, index: ALLSMALLER} + {type: filter, index: MATCH} ─► [narrow: MATCH] ─► {type: result, index: i}
    const countries = [
      { country: 'Canada', continent: 'Americas', pop: 33 },
      { country: 'Chile', continent: 'Americas', pop: 16 },
      { country: 'France', continent: 'Europe', pop: 61 },
      { country: 'Japan', continent: 'Asia', pop: 127 },
    ]
    type Filter = (c: (typeof countries)[number]) => boolean
    const board = newBoard()
    board.callback({
      id: 'narrow',
      inputs: [
        { type: 'filter', index: ALLSMALLER },
        { type: 'filter', index: MATCH },
      ],
      outputs: [{ type: 'result', index: MATCH }],
      run: (before, mine) =>
        [...(before as Filter[]), mine as Filter].reduce((rows, f) => rows.filter(f), countries).map((c) => c.country),
    })
    await board.start()
    const add = (i: number, f: Filter) =>
      board.batch(() => {
        board.store({ type: 'filter', index: i }, { initial: f })
        board.store({ type: 'result', index: i })
      })
    add(0, (c) => c.continent === 'Americas' || c.continent === 'Europe')
    add(1, (c) => c.pop > 20)
    expect(board.store({ type: 'result', index: 0 }).get()).toEqual(['Canada', 'Chile', 'France'])
    expect(board.store({ type: 'result', index: 1 }).get()).toEqual(['Canada', 'France'])
    // Changing the first filter reruns both; the second sees it.
    board.store({ type: 'filter', index: 0 }).set((c: (typeof countries)[number]) => c.continent === 'Europe')
    expect(board.store({ type: 'result', index: 1 }).get()).toEqual(['France'])
  })
})
