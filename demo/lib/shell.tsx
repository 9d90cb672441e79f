/**
 * What every demo page shares: the header with the page list, the dev panel toggle
 * (button and Alt+Shift+D), the board's errors shown to the user, and start-up. A page
 * defines its board, stores and callbacks at module level, then calls `mountPage`.
 */
import { type ComponentChildren, type JSX, render } from 'preact'
import { useEffect, useRef } from 'preact/hooks'
import type { Board } from 'switchboard'
import { mountDevPanel, shortcut } from 'switchboard/devtools'
import { BoardProvider, useBoardErrors } from 'switchboard/preact'
import '../style.css'

const pages = [
  { href: 'session.html', title: 'Session data' },
  { href: 'aggregate.html', title: 'Aggregate upfront' },
  { href: 'shared.html', title: 'One computation, many readers' },
  { href: 'sessions.html', title: 'Per-session data' },
  { href: 'flights.html', title: 'Flights crossfilter' },
  { href: 'scenarios.html', title: 'Scenarios (a growing list)' },
]

function Header({ board, title }: { board: Board; title: string }): JSX.Element {
  const button = useRef<HTMLButtonElement>(null)
  useEffect(() => {
    const panel = mountDevPanel(board, { button: button.current! })
    return () => panel.dispose()
  }, [board])
  const here = location.pathname.split('/').pop()
  return (
    <header class="top">
      <a class="brand" href="../index.html">
        switchboard
      </a>
      <nav aria-label="Demo pages">
        {pages.map((p) => (
          <a href={p.href} aria-current={p.href === here ? 'page' : undefined}>
            {p.title}
          </a>
        ))}
      </nav>
      <button type="button" class="graph-toggle" ref={button} data-testid="devpanel-toggle">
        <span aria-hidden="true">◈</span> Graph <kbd>{shortcut.label}</kbd>
      </button>
      <h1>{title}</h1>
    </header>
  )
}

/** The board's current errors, as the user sees them: one line each, naming the callback. */
function Errors({ board }: { board: Board }): JSX.Element | null {
  const errors = useBoardErrors(board)
  if (errors.length === 0) return null
  return (
    <div class="errors" role="alert" data-testid="errors">
      {errors.map((e) => (
        <p>
          <strong>{e.callbackId}</strong> failed: {messageOf(e.cause)}
        </p>
      ))}
    </div>
  )
}

function messageOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause)
}

/**
 * Renders the page around `app`, starts the board, and marks the page ready
 * (`data-testid="ready"` reads "yes") once the initial wave has settled.
 */
export async function mountPage(
  board: Board,
  title: string,
  app: ComponentChildren,
  afterStart?: () => void | Promise<void>,
): Promise<void> {
  const root = document.getElementById('app')!
  render(
    <BoardProvider board={board}>
      <Header board={board} title={title} />
      <main>
        <Errors board={board} />
        {app}
      </main>
      <footer>
        <span data-testid="ready" class="ready" />
        Open the graph (<kbd>{shortcut.label}</kbd>) to see every store and callback of this page live.
      </footer>
    </BoardProvider>,
    root,
  )
  ;(globalThis as { board?: Board }).board = board
  await board.start()
  await afterStart?.()
  await board.idle()
  document.querySelector('[data-testid="ready"]')!.textContent = 'yes'
}

/** Bytes as people read them: 812 B, 12.4 KB, 3.1 MB. */
export function fmtBytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(2)} MB`
}

/** A labelled figure with a test id: the unit of every demo's counters. */
export function Figure(props: {
  label: string
  testid: string
  value: ComponentChildren
  hint?: string | undefined
}): JSX.Element {
  return (
    <div class="figure">
      <span class="label">{props.label}</span>
      <span class="value" data-testid={props.testid}>
        {props.value}
      </span>
      {props.hint && <span class="hint">{props.hint}</span>}
    </div>
  )
}
