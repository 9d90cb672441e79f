/**
 * Listeners of one kind of event: a store's subscribers, a board event's listeners. One
 * implementation, so every `subscribe` in switchboard behaves alike:
 * - `subscribe(fn)` returns its unsubscribe, which removes that one subscription once
 *   (calling it again does nothing, even if `fn` was subscribed twice);
 * - an emit calls the listeners subscribed when it began, in order: one subscribed during
 *   the emit is called from the next emit on, one removed during it may still be called;
 * - a listener that throws does not stop the others: `onError` gets what it threw.
 * The list is copied on subscribe and unsubscribe (rare), never on emit (every change).
 */
export class Subscribable<T> {
  #fns: ReadonlyArray<(value: T) => void> = []

  /** Listeners now. */
  get size(): number {
    return this.#fns.length
  }

  subscribe(fn: (value: T) => void): () => void {
    this.#fns = [...this.#fns, fn]
    let subscribed = true
    return () => {
      if (!subscribed) return
      subscribed = false
      const i = this.#fns.indexOf(fn)
      if (i >= 0) this.#fns = [...this.#fns.slice(0, i), ...this.#fns.slice(i + 1)]
    }
  }

  emit(value: T, onError: (error: unknown) => void): void {
    const fns = this.#fns
    for (let i = 0; i < fns.length; i++) {
      try {
        fns[i]!(value)
      } catch (e) {
        onError(e)
      }
    }
  }
}
