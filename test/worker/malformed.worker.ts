/**
 * A worker that speaks Comlink but not our protocol (F32): its replies and events have the
 * wrong shape. The pool must drop them with a warning and fail the call, not crash or hang.
 */
import * as Comlink from 'comlink'

Comlink.expose({
  init(_init: unknown, events: MessagePort) {
    void Comlink.wrap<{ event(e: unknown): void }>(events).event({ type: 'nonsense', x: 1 })
  },
  call: () => 42,
  abort() {},
})
postMessage({ switchboard: 'ready', tasks: ['anything'] })
