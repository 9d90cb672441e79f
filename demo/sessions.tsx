// Pattern 4: per-session data.
//
//   basket (session) ─► [fingerprint] ─► report (memory)
//                        cache: session
//   name (local) ──────► [greet] ──────► greeting (memory)
//
// The basket lives in this tab's session (sessionStorage), and `fingerprint` is memoised
// per session: the same basket in the same session is a cache hit, in another session a
// miss. `name` is a 'local' store: it belongs to the browser, not the session, and
// survives a new session. Three controls show what each kind of clear forgets.
import type { JSX } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { createBoard } from 'switchboard'
import { useStatus, useStore, useStoreState } from 'switchboard/preact'
import { Figure, mountPage } from './lib/shell'

const board = createBoard({ name: 'demo-sessions', version: 1, profile: true })
const basket = board.store<string[]>('basket', { initial: [], storage: 'session' })
const report = board.store('report', { initial: '' })
const name = board.store('name', { initial: '', storage: 'local' })
const greeting = board.store('greeting', { initial: '' })

/** FNV-1a, many rounds: a deterministic, honest few ms of work per item. */
function fingerprint(text: string, rounds: number): string {
  let h = 0x811c9dc5
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i)
      h = Math.imul(h, 0x01000193)
    }
    h ^= r
  }
  return (h >>> 0).toString(16).padStart(8, '0')
}

board.callback({
  id: 'fingerprint',
  inputs: [basket],
  outputs: [report],
  cache: { scope: 'session', maxEntries: 50 },
  async run(items, ctx) {
    const out: string[] = []
    for (let i = 0; i < items.length; i++) {
      out.push(`${items[i]} → ${fingerprint(items[i]!, 200_000)}`)
      ctx.progress((i + 1) / items.length)
      await new Promise((r) => setTimeout(r, 0))
    }
    return out.join('\n')
  },
})

board.callback({
  id: 'greet',
  inputs: [name],
  outputs: [greeting],
  run: (n) => (n ? `Welcome back, ${n}.` : 'Tell us your name: it is kept for this browser, across sessions.'),
})

function useSessionId(): string {
  const [id, setId] = useState(board.session.id)
  useEffect(() => {
    // Told when the id is settled (a duplicated tab gets a new one) and on every renewal
    // (a clear in this tab or another); read once more in case it settled before this ran.
    const off = board.on('session', (e) => setId(e.id))
    setId(board.session.id)
    return off
  }, [])
  return id
}

function App(): JSX.Element {
  const [items, setItems] = useStoreState(basket)
  const [who, setWho] = useStoreState(name)
  const text = useStore(report)
  const hello = useStore(greeting)
  const st = useStatus('fingerprint')
  const sid = useSessionId()
  const [draft, setDraft] = useState('')
  const add = (e: Event) => {
    e.preventDefault()
    const v = draft.trim()
    if (v) setItems((xs) => [...xs, v])
    setDraft('')
  }
  return (
    <>
      <p class="lede">
        A tab's <strong>session</strong> keeps its own data: the basket below is a <code>session</code> store, and{' '}
        <code>fingerprint</code> is cached with <code>scope: 'session'</code>. Reload: same session, same data, a cache
        hit. A new tab (not a duplicate) gets a new session. Your name is a <code>local</code> store: it is the
        browser's, not the session's.
      </p>
      <div class="figures">
        <Figure
          label="session id"
          testid="session-id"
          value={<code>{sid.slice(0, 8)}</code>}
          hint="kept across reloads"
        />
        <Figure label="fingerprint executions" testid="fingerprint-runs" value={st.runs} />
        <Figure label="cache hits" testid="fingerprint-hits" value={st.hits} hint="same basket, same session" />
        <Figure label="cache misses" testid="fingerprint-misses" value={st.misses} />
      </div>
      <div class="grid2">
        <div class="card">
          <h3>This session's basket</h3>
          <form class="controls" onSubmit={add}>
            <label>
              item{' '}
              <input
                type="text"
                data-testid="item"
                value={draft}
                onInput={(e) => setDraft(e.currentTarget.value)}
                placeholder="e.g. apples"
              />
            </label>
            <button type="submit" data-testid="add">
              Add
            </button>
          </form>
          <ul data-testid="basket">
            {items.map((x) => (
              <li>{x}</li>
            ))}
          </ul>
          {st.running && (
            <progress
              data-testid="progress"
              max={1}
              value={st.progress?.fraction ?? 0}
              aria-label="fingerprint progress"
            />
          )}
          <pre class="result" data-testid="report">
            {text || '(empty basket)'}
          </pre>
        </div>
        <div class="card">
          <h3>This browser's name</h3>
          <label>
            name <input type="text" data-testid="name" value={who} onInput={(e) => setWho(e.currentTarget.value)} />
          </label>
          <p data-testid="greeting">{hello}</p>
        </div>
      </div>
      <h2>Forgetting</h2>
      <div class="controls">
        <button type="button" data-testid="clear-basket" class="secondary" onClick={() => basket.clear()}>
          Clear session data
        </button>
        <button type="button" data-testid="new-session" onClick={() => void board.clearSession()}>
          New session
        </button>
        <button type="button" data-testid="clear-all" class="secondary" onClick={() => void board.clear()}>
          Clear everything
        </button>
      </div>
      <ul class="muted">
        <li>
          <strong>Clear session data</strong> empties the basket; the session and its cache stay (add the same items
          again: a cache hit).
        </li>
        <li>
          <strong>New session</strong> (<code>board.clearSession()</code>) forgets the session everywhere: new id,
          session stores and session-scope cache gone, in every tab of this session. The name stays.
        </li>
        <li>
          <strong>Clear everything</strong> (<code>board.clear()</code>) forgets every cache entry and stored value of
          the board, the name included.
        </li>
      </ul>
    </>
  )
}

void mountPage(board, 'Per-session data', <App />)
