/**
 * The page side of switchboard/testing: one call, evaluated in the page as the source of
 * this function applied to the wire and a request. Like the wire, it must stay
 * self-contained (no import, nothing from outside its body): it is sent as text.
 *
 * It finds the board by name in the page's registry (graph/registry.ts: the latest live
 * board of that name), waits up to `waitMs` for that board's start() to have begun its
 * initial wave, awaits that same start() (so the initial wave has settled), then runs
 * the operation. A missing board is a reply, not an error: the test side retries across
 * reloads until its own timeout.
 */
import type { Wire } from './wire'

export interface Request {
  name: string
  op: Op
  /** The operation's arguments, wire-encoded as one array. */
  args: string
  waitMs: number
}

export type Op =
  | 'ready'
  | 'get'
  | 'set'
  | 'batch'
  | 'idle'
  | 'idleWithin'
  | 'inspect'
  | 'stats'
  | 'errors'
  | 'sessionId'
  | 'clear'
  | 'clearSession'

/** Wire-encoded. */
export type Reply =
  | { state: 'ok'; value: unknown }
  | { state: 'error'; message: string }
  /** No started board of that name yet: `names` lists the page's boards, `registered` if one of that name waits for start(). */
  | { state: 'absent'; names: string[]; registered: boolean; url: string }

export async function bridge(w: Wire, request: Request): Promise<string> {
  type Node = { get(): unknown; set(v: unknown): void }
  type Impl = { scheduler: { started: boolean }; stores: Map<string, Node> }
  type B = {
    name: string
    start(): Promise<void>
    idle(): Promise<void>
    batch(fn: () => void): void
    inspect(): {
      stores: Array<{ id: string }>
      callbacks: Array<{ id: string; stats: unknown; running: boolean; progress: unknown; error: string | undefined }>
    }
    status(id: string): { stats: unknown } | undefined
    errors: Map<string, { message: string; code?: string | undefined }>
    session: { id: string; ready: Promise<void> }
    clear(): Promise<void>
    clearSession(): Promise<void>
  }
  const live = () => [...((globalThis as { __switchboard?: Set<B> }).__switchboard ?? [])]
  // The public Board has no store lookup by id and no "started" flag: both are read from
  // the implementation, which this package ships with (same version). It is the board
  // itself, or (older builds) sits behind a symbol property found by its description, so
  // boards of any copy of switchboard on the page (module and script-tag builds) are
  // reachable. test/e2e/testing.spec.ts breaks first if these fields move.
  const implOf = (b: B): Impl | undefined => {
    const key = Object.getOwnPropertySymbols(b).find((s) => s.description === 'switchboard.internal')
    const impl = (key ? (b as unknown as Record<symbol, unknown>)[key] : b) as Partial<Impl>
    return impl.stores instanceof Map && impl.scheduler ? (impl as Impl) : undefined
  }
  const find = (): { board: B; impl: Impl } | undefined => {
    const board = live()
      .filter((b) => b.name === request.name)
      .pop()
    const impl = board && implOf(board)
    return board && impl?.scheduler.started ? { board, impl } : undefined
  }
  const reply = (r: Reply) => w.encode(r)

  const deadline = Date.now() + request.waitMs
  let found = find()
  while (!found && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25))
    found = find()
  }
  if (!found) {
    const names = live().map((b) => b.name)
    return reply({ state: 'absent', names, registered: names.includes(request.name), url: location.href })
  }
  const { board, impl } = found
  const label = `board "${board.name}"`
  // An object id ({ type: 'item', index: 3 }) by its canonical string (graph/ids.ts): keys sorted, JSON.
  const keyOf = (id: unknown): unknown => {
    if (id === null || typeof id !== 'object') return id
    const o = id as Record<string, unknown>
    const parts = Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${JSON.stringify(Object.is(o[k], -0) ? 0 : o[k])}`)
    return `{${parts.join(',')}}`
  }
  const storeOf = (given: unknown): Node => {
    const id = keyOf(given)
    const node = typeof id === 'string' ? impl.stores.get(id) : undefined
    if (node) return node
    throw new Error(
      `${label} has no store "${String(id)}" (its stores: ${[...impl.stores.keys()].join(', ') || 'none'}).`,
    )
  }
  try {
    await board.start()
    const args = w.decode(request.args) as unknown[]
    let value: unknown
    switch (request.op) {
      case 'ready':
        break
      case 'get':
        value = storeOf(args[0]).get()
        break
      case 'set':
        storeOf(args[0]).set(args[1])
        break
      case 'batch': {
        const values = args[0] as Record<string, unknown>
        // Every id is checked before any write: a typo leaves the board untouched.
        const writes = Object.keys(values).map((id) => [storeOf(id), values[id]] as const)
        board.batch(() => {
          for (const [node, v] of writes) node.set(v)
        })
        break
      }
      case 'idle':
        await board.idle()
        break
      case 'idleWithin':
        value = await Promise.race([
          board.idle().then(() => true),
          new Promise((r) => setTimeout(() => r(false), args[0] as number)),
        ])
        break
      case 'inspect':
        value = board.inspect()
        break
      case 'stats': {
        // board.status adds up a pattern callback's instances (the one place that sums them).
        const status = board.status(String(args[0]))
        if (!status)
          throw new Error(
            `${label} has no callback "${String(args[0])}" (its callbacks: ${
              board
                .inspect()
                .callbacks.map((c) => c.id)
                .join(', ') || 'none'
            }).`,
          )
        value = status.stats
        break
      }
      case 'errors': {
        const out: Record<string, { message: string; code?: string }> = {}
        for (const [id, e] of board.errors)
          out[id] = typeof e.code === 'string' ? { message: e.message, code: e.code } : { message: e.message }
        value = out
        break
      }
      case 'sessionId':
        await board.session.ready
        value = board.session.id
        break
      case 'clear':
        await board.clear()
        break
      case 'clearSession':
        await board.clearSession()
        break
      default:
        throw new Error(`unknown operation "${String(request.op)}".`)
    }
    return reply({ state: 'ok', value })
  } catch (e) {
    return reply({ state: 'error', message: e instanceof Error ? e.message : String(e) })
  }
}
