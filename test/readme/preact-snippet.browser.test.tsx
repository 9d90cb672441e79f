/**
 * The README's Preact snippet (issue 14 §2 item 4), line for line inside the markers: hooks by
 * callback id under <BoardProvider>, a progress bar while `load` runs, the bars after, and
 * the board's errors named by callback.
 */
import { render } from 'preact'
import { afterEach, expect, test } from 'vitest'
import { createBoard } from '../../src/index'
import { BoardProvider, useBoardErrors, useStatus, useStore } from '../../src/preact/index'

const host = document.createElement('div')
document.body.append(host)
afterEach(() => render(null, host))

test('README Preact snippet: useStatus("load") under <BoardProvider> shows progress, then the bars; errors name the callback', async () => {
  const board = createBoard({ name: `readme-preact-${Date.now()}` })
  const url = board.store('url', { initial: 'a' })
  const histogram = board.store<number[]>('histogram', { initial: [] })
  let finish!: (v: number[]) => void
  let fail!: (e: Error) => void
  board.callback({
    id: 'load',
    inputs: [url],
    outputs: [histogram],
    run: (_u, ctx) => {
      ctx.progress(0.5)
      return new Promise<number[]>((res, rej) => ((finish = res), (fail = rej)))
    },
  })
  const Bars = ({ data }: { data: number[] }) => (
    <ol>
      {data.map((d) => (
        <li>{d}</li>
      ))}
    </ol>
  )
  void board.start()

  // --- README ---
  function Chart() {
    const bins = useStore(histogram) // re-renders on change, no tearing
    const { running, progress, error } = useStatus('load') // by id: the board comes from <BoardProvider>
    if (error) return <p role="alert">{error.message}</p>
    return running ? <progress value={progress?.fraction} /> : <Bars data={bins} />
  }
  function Errors() {
    return (
      <>
        {useBoardErrors().map((e) => (
          <p role="alert">{e.callbackId} failed</p>
        ))}
      </>
    )
  }
  render(
    <BoardProvider board={board}>
      <Errors />
      <Chart />
    </BoardProvider>,
    host,
  )
  // --- end README ---

  await expect.poll(() => host.querySelector('progress')?.value).toBe(0.5)
  finish([3, 1, 4])
  await expect.poll(() => [...host.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['3', '1', '4'])
  url.set('b')
  await expect.poll(() => !!host.querySelector('progress')).toBe(true)
  fail(new Error('server down'))
  await expect
    .poll(() => [...host.querySelectorAll('[role="alert"]')].map((p) => p.textContent))
    .toEqual(['load failed', expect.stringContaining('server down')])
  board.dispose()
})
