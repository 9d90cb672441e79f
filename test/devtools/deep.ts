/**
 * The dev panel draws inside a shadow root (so the host page's CSS cannot reach it): tests
 * look for its parts in the document and in every panel host's shadow root.
 */
function roots(within: ParentNode = document): ParentNode[] {
  const hosts = [...within.querySelectorAll<HTMLElement>('.sb-host')]
  return [within, ...hosts.map((h) => h.shadowRoot).filter((r): r is ShadowRoot => !!r)]
}

export function deep<E extends Element = HTMLElement>(selector: string, within: ParentNode = document): E | null {
  for (const r of roots(within)) {
    const e = r.querySelector<E>(selector)
    if (e) return e
  }
  return null
}

export function deepAll<E extends Element = Element>(selector: string, within: ParentNode = document): E[] {
  return roots(within).flatMap((r) => [...r.querySelectorAll<E>(selector)])
}

/** The focused element, looking into the shadow root that holds it. */
export function deepActive(): Element | null {
  let a = document.activeElement
  while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement
  return a
}
