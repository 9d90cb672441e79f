/**
 * A worker that speaks our protocol with the wrong shapes (F32): it answers init as it
 * should, then sends an event and a reply whose fields are wrong. The pool must drop them
 * with a warning and fail the call, not crash or hang.
 */
self.onmessage = (e: MessageEvent) => {
  const m = e.data as { sb?: string; id?: number }
  if (m.sb === 'init') postMessage({ sb: 'ready', tasks: ['anything'], locked: false })
  if (m.sb === 'call') {
    postMessage({ sb: 'progress', id: m.id, fraction: 'half' })
    postMessage({ sb: 'reply', id: m.id, value: 42 })
  }
}
