/**
 * The README's first-screen example, line for line, so the ten lines a newcomer copies are
 * known to work: a session store, a callback, a component bound to its output.
 */
import { render } from 'preact'
import { createBoard } from 'switchboard'
import { useStore, useStoreState } from 'switchboard/preact'
import { afterEach, expect, test } from 'vitest'

const host = document.createElement('div')
document.body.append(host)
afterEach(() => {
  render(null, host)
  sessionStorage.clear()
})

test('README first screen: typing filters the list, the query survives in sessionStorage', async () => {
  // --- README ---
  const board = createBoard({ name: 'readme', version: 1 })
  const query = board.store('query', { initial: '', storage: 'session' })
  const hits = board.store<string[]>('hits', { initial: [] })
  const words = ['apple', 'banana', 'cherry', 'grape']
  board.callback({ inputs: [query], outputs: hits, run: (q) => words.filter((w) => w.includes(q)) })
  await board.start()

  function Search() {
    const [q, setQ] = useStoreState(query)
    return (
      <>
        <input value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        <ul>
          {useStore(hits).map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      </>
    )
  }
  render(<Search />, host)
  // --- end README ---

  expect([...host.querySelectorAll('li')].map((li) => li.textContent)).toEqual(words)
  const input = host.querySelector('input')!
  input.value = 'ap'
  input.dispatchEvent(new Event('input'))
  expect(query.get()).toBe('ap')
  expect(hits.get()).toEqual(['apple', 'grape'])
  // Preact subscribes in an effect after paint; the hook catches the change made before it.
  await expect.poll(() => [...host.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['apple', 'grape'])
  expect(sessionStorage.getItem('sb:readme:query:')).toContain('"ap"')
  board.dispose()
})
