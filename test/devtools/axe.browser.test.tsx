/**
 * axe-core (WCAG 2.0 and 2.1, A and AA) on the dev panel in real Chromium, with its nodes in
 * the states the demo pages rarely show at the moment the e2e suite scans them: a callback
 * running with its progress bar, one errored, one answered from the cache, and ids too long
 * for their box (drawn clipped). No serious or critical violation is allowed, with no node
 * picked and with a node's details open. axe walks into the panel's open shadow root.
 */
import axe from 'axe-core'
import { render } from 'preact'
import { afterEach, expect, it } from 'vitest'
import { DevPanel } from '../../src/devtools/panel'
import { type Board, createBoard } from '../../src/index'
import { deep } from './deep'

let root: HTMLElement | undefined
let b: Board | undefined
afterEach(() => {
  if (root) render(null, root)
  root?.remove()
  root = undefined
  b?.dispose()
})

/** axe's serious and critical violations inside `within`: rule, impact, targets. */
async function serious(within: Element): Promise<string[]> {
  const { violations } = await axe.run(within, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  })
  return violations.flatMap((v) => {
    const nodes = v.nodes.filter((n) => n.impact === 'serious' || n.impact === 'critical')
    return nodes.length === 0 ? [] : [`${v.id} (${nodes[0]!.impact}): ${nodes.map((n) => JSON.stringify(n.target))}`]
  })
}

const node = (id: string) => deep<SVGGElement>(`[data-testid="devnode-${id}"]`)

//   theQueryTypedByTheUserOnThisPage ─► [fetchEverythingFromTheServer] (async, stays running) ─► rows
//   k ─► [square] (cache: global) ─► squareOfTheNumberKeptForLater
//   e ─► [fails] (throws) ─► out
it('axe: the dev panel has no serious or critical violation, nodes running, errored, cached and clipped', async () => {
  b = createBoard({ name: `axe-${Date.now()}` })
  const q = b.store('theQueryTypedByTheUserOnThisPage', { initial: 'a' })
  const rows = b.store<string[]>('rows', { initial: [] })
  b.callback({
    id: 'fetchEverythingFromTheServer',
    inputs: [q],
    outputs: [rows],
    preventInitialCall: true,
    run: (_q, ctx) => {
      ctx.progress(0.4, 'half way')
      return new Promise<string[]>(() => {})
    },
  })
  const k = b.store('k', { initial: 2 })
  const sq = b.store('squareOfTheNumberKeptForLater', { initial: 0 })
  b.callback({ id: 'square', inputs: [k], outputs: [sq], cache: { scope: 'global' }, run: async (v) => v * v })
  const e = b.store('e', { initial: 1 })
  const out = b.store('out', { initial: 0 })
  b.callback({
    id: 'fails',
    inputs: [e],
    outputs: [out],
    run: (): number => {
      throw new Error('no answer')
    },
  })
  await b.start()
  root = document.createElement('div')
  document.body.append(root)
  render(<DevPanel board={b} />, root)
  // The panel marks "cached" when it saw hits move and runs not: let it see each step.
  await expect.poll(() => node('square')?.dataset['misses']).toBe('1')
  k.set(3)
  await b.idle()
  await expect.poll(() => node('square')?.dataset['misses']).toBe('2')
  k.set(2) // seen before: answered from the cache
  await b.idle()
  q.set('b')
  await expect.poll(() => node('fetchEverythingFromTheServer')?.dataset['state']).toBe('running')
  await expect.poll(() => !!deep('[data-testid="devprogress-fetchEverythingFromTheServer"]')).toBe(true)
  await expect.poll(() => node('square')?.dataset['state']).toBe('cached')
  await expect.poll(() => node('fails')?.dataset['state']).toBe('error')
  expect(node('theQueryTypedByTheUserOnThisPage')!.textContent).toContain('…') // clipped in its box

  expect(await serious(root)).toEqual([])
  node('fetchEverythingFromTheServer')!.dispatchEvent(new MouseEvent('click', { bubbles: true }))
  await expect.poll(() => !!deep('[data-testid="devpanel-details"]')).toBe(true)
  expect(await serious(root)).toEqual([])
})
