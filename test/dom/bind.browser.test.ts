/**
 * bind(): a store shown in plain DOM elements, two-way for form fields, always as text
 * (F31: stored markup renders as text, never as HTML or script).
 */
import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { bind } from '../../src/dom/bind'
import { type Board, createBoard } from '../../src/index'

const boards: Board[] = []
let n = 0
function board() {
  const b = createBoard({ name: `bind-${Date.now()}-${++n}` })
  boards.push(b)
  return b
}
function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v)
  document.body.append(e)
  return e
}
const type = (input: HTMLInputElement | HTMLTextAreaElement, text: string) => {
  input.value = text
  input.dispatchEvent(new Event('input', { bubbles: true }))
}
/**
 * What hostile values would run: each payload calls `window.__sbHit(tag)`. `next(tag)` waits
 * for a control's hit, the timer-free signal that an earlier hostile task would have run.
 */
function listen() {
  const seen: string[] = []
  const waiting = new Map<string, () => void>()
  ;(window as unknown as { __sbHit: (tag: string) => void }).__sbHit = (tag) => {
    seen.push(tag)
    waiting.get(tag)?.()
  }
  return {
    seen,
    next: (tag: string) => new Promise<void>((resolve) => waiting.set(tag, resolve)),
  }
}
/** One turn of the event loop (a message task, not a timer). */
const macrotask = () =>
  new Promise<void>((resolve) => {
    const { port1, port2 } = new MessageChannel()
    port1.onmessage = () => {
      port1.close()
      resolve()
    }
    port2.postMessage(0)
  })

afterEach(() => {
  delete (window as unknown as { __sbHit?: unknown }).__sbHit
  for (const b of boards.splice(0)) b.dispose()
  document.body.replaceChildren()
  vi.restoreAllMocks()
})

describe('text', () => {
  it('shows the value and follows changes; null and undefined show as empty', () => {
    const s = board().store<number | null>('n', { initial: 1 })
    const p = el('p')
    bind(s, p)
    expect(p.textContent).toBe('1')
    s.set(2)
    expect(p.textContent).toBe('2')
    s.set(null)
    expect(p.textContent).toBe('')
  })

  it('F31 stored markup renders as text: no element, no script, no handler runs', async () => {
    const hits = listen()
    // An empty src fails without a fetch: the error is a queued task, in creation order.
    const hostile = `<img src="" onerror="window.__sbHit('bound')"><script>window.__sbHit('script')</script><b>bold</b>`
    const s = board().store('html', { initial: hostile })
    const p = el('p')
    bind(s, p)
    // The same markup parsed as HTML afterwards fires its onerror: by then the bound copy's
    // handler, had it been markup, has fired too (error tasks run in creation order).
    const control = el('div')
    control.innerHTML = hostile.replace("'bound'", "'control'")
    await hits.next('control')
    await macrotask()
    expect(hits.seen).toEqual(['control'])
    expect(p.textContent).toBe(hostile)
    expect(p.children.length).toBe(0)
  })

  it('format decides the text; text: true binds text even on a field-less element', () => {
    const s = board().store('ms', { initial: 1234.5 })
    const p = el('output')
    bind(s, p, { text: true, format: (v) => `${v.toFixed(0)} ms` })
    expect(p.textContent).toBe('1235 ms')
  })
})

describe('value (two-way)', () => {
  it('typing sets the store; a store change updates the field', () => {
    const s = board().store('name', { initial: 'ada' })
    const input = el('input')
    bind(s, input)
    expect(input.value).toBe('ada')
    type(input, 'grace')
    expect(s.get()).toBe('grace')
    s.set('<b>x</b>')
    expect(input.value).toBe('<b>x</b>')
  })

  it('number and range inputs bind numbers; empty is null', () => {
    const s = board().store<number | null>('n', { initial: 3 })
    const input = el('input', { type: 'number' })
    bind(s, input)
    type(input, '42')
    expect(s.get()).toBe(42)
    type(input, '')
    expect(s.get()).toBe(null)
  })

  it('checkboxes bind checked as a boolean on change', () => {
    const s = board().store('on', { initial: false })
    const box = el('input', { type: 'checkbox' })
    bind(s, box)
    expect(box.checked).toBe(false)
    box.click()
    expect(s.get()).toBe(true)
    s.set(false)
    expect(box.checked).toBe(false)
  })

  it('selects bind on change; parse turns text into the store type', () => {
    const s = board().store('year', { initial: 2001 })
    const select = el('select')
    for (const y of [2000, 2001, 2002]) select.append(new Option(String(y), String(y)))
    bind(s, select, { parse: Number })
    expect(select.value).toBe('2001')
    select.value = '2002'
    select.dispatchEvent(new Event('change'))
    expect(s.get()).toBe(2002)
  })

  it('an equal value does not rewrite the field (the caret stays where the user is)', () => {
    const s = board().store('t', { initial: 'abc' })
    const input = el('input')
    bind(s, input)
    input.focus()
    input.setSelectionRange(1, 1)
    type(input, 'abc')
    input.setSelectionRange(1, 1)
    s.set('abc')
    expect(input.selectionStart).toBe(1)
  })

  it('a value binding on a non-field is a clear error naming the store', () => {
    const s = board().store('v', { initial: 1 })
    expect(() => bind(s, el('div'), { value: true })).toThrow(/store "v".*<div>/)
  })
})

describe('attribute', () => {
  it('sets, removes on null/false, empty on true', () => {
    const s = board().store<string | boolean | null>('a', { initial: 'x' })
    const d = el('div')
    bind(s, d, { attribute: 'data-state' })
    expect(d.getAttribute('data-state')).toBe('x')
    s.set(null)
    expect(d.hasAttribute('data-state')).toBe(false)
    s.set(true)
    expect(d.getAttribute('data-state')).toBe('')
    s.set(false)
    expect(d.hasAttribute('data-state')).toBe(false)
  })

  it('F31 refuses event-handler attributes and drops script URLs', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const s = board().store('u', { initial: 'https://example.org/' })
    const a = el('a')
    expect(() => bind(s, a, { attribute: 'onclick' })).toThrow(/onclick/)
    bind(s, a, { attribute: 'href' })
    expect(a.getAttribute('href')).toBe('https://example.org/')
    s.set(' javascript:alert(1)')
    expect(a.hasAttribute('href')).toBe(false)
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('[switchboard]'))
  })

  it('one kind at a time', () => {
    const s = board().store('x', { initial: 1 })
    expect(() => bind(s, el('p'), { text: true, attribute: 'title' })).toThrow(/one of/)
  })
})

describe('unbind', () => {
  it('stops both directions', () => {
    const s = board().store('x', { initial: 'a' })
    const input = el('input')
    const unbind = bind(s, input)
    unbind()
    s.set('b')
    expect(input.value).toBe('a')
    type(input, 'c')
    expect(s.get()).toBe('b')
  })
})

describe('S02 bind() never runs script: URLs are judged by the URL parser, not by their text', () => {
  // Spellings a regex on the raw text misses: the URL parser strips every tab and newline
  // and leading or trailing C0 controls and spaces, and ignores the scheme's case.
  const spellings = [
    'java\tscript:',
    'java\nscript:',
    'java\rscript:',
    'j\ta\nv\ra\tscript:',
    'javascript\t:',
    '\x01javascript:',
    '\x00javascript:',
    '\x08\x0b\x0c\x1f javascript:',
    '\tjavascript:',
    'JaVaScRiPt:',
  ]
  const hostile = (spelling: string, tag: string, target = 'window') => `${spelling}void ${target}.__sbHit('${tag}')`

  it('the battery is hostile: the URL parser reads every spelling as javascript:', () => {
    for (const s of spellings) expect(new URL(hostile(s, 'x'), document.baseURI).protocol).toBe('javascript:')
  })

  it('S02 href: a hostile link is dropped and a click runs nothing', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const hits = listen()
    const s = board().store('link', { initial: 'https://example.org/' })
    const a = el('a')
    bind(s, a, { attribute: 'href' })
    // A link set by hand, clicked after each hostile one: its script runs after theirs would.
    const control = el('a', { href: "javascript:void window.__sbHit('control')" })
    for (const [i, spelling] of spellings.entries()) {
      s.set(hostile(spelling, `href ${i}`))
      expect(a.hasAttribute('href')).toBe(false)
      a.click()
      control.click()
      await hits.next('control')
    }
    expect(hits.seen).toEqual(spellings.map(() => 'control'))
  })

  it('S02 iframe src: a hostile src is dropped and nothing runs in the frame', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const hits = listen()
    for (const [i, spelling] of spellings.entries()) {
      const s = board().store(`frame ${i}`, { initial: hostile(spelling, `iframe ${i}`, 'parent') })
      const frame = document.createElement('iframe')
      bind(s, frame, { attribute: 'src' })
      document.body.append(frame)
      expect(frame.hasAttribute('src')).toBe(false)
    }
    el('iframe', { src: "javascript:void parent.__sbHit('control')" })
    await hits.next('control')
    await macrotask()
    expect(hits.seen).toEqual(['control'])
  })

  it('S02 form action and button formaction: a submit runs nothing', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const hits = listen()
    // Each form navigates a frame of its own (a javascript: action runs there), so that a
    // form left without an action does not navigate the test page, and no submission
    // cancels another's.
    const sink = (name: string) => el('iframe', { name })
    sink('sink-action')
    sink('sink-formaction')
    sink('sink-control')
    const action = board().store('action', { initial: hostile('java\tscript:', 'action', 'parent') })
    const form = el('form', { target: 'sink-action' })
    bind(action, form, { attribute: 'action' })
    const formaction = board().store('formaction', { initial: hostile('\x01javascript:', 'formaction', 'parent') })
    const other = el('form', { target: 'sink-formaction', action: 'about:blank' })
    const button = document.createElement('button')
    other.append(button)
    bind(formaction, button, { attribute: 'formaction' })
    expect(form.hasAttribute('action')).toBe(false)
    expect(button.hasAttribute('formaction')).toBe(false)
    // A form without an action would load this test page in its frame: only a submission
    // that would run script goes ahead (the one this test must see not happen).
    const scriptOnly = (e: SubmitEvent) => {
      const by = e.submitter as HTMLButtonElement | null
      const url = by?.hasAttribute('formaction') ? by.formAction : (e.target as HTMLFormElement).action
      if (new URL(url).protocol !== 'javascript:') e.preventDefault()
    }
    for (const f of [form, other]) f.addEventListener('submit', scriptOnly)
    form.requestSubmit()
    button.click()
    el('form', { target: 'sink-control', action: "javascript:void parent.__sbHit('control')" }).requestSubmit()
    await hits.next('control')
    await macrotask()
    expect(hits.seen).toEqual(['control'])
  })

  it('S02 SVG links: href and xlink:href are judged the same way', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const hits = listen()
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg')
    document.body.append(svg)
    const link = (attrs: Record<string, string> = {}) => {
      const a = document.createElementNS('http://www.w3.org/2000/svg', 'a')
      for (const [k, v] of Object.entries(attrs)) a.setAttribute(k, v)
      a.append(document.createElementNS('http://www.w3.org/2000/svg', 'rect'))
      svg.append(a)
      return a
    }
    const click = (e: Element) => e.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }))
    const a = link()
    const b = link()
    bind(board().store('svg href', { initial: hostile('java\nscript:', 'svg href') }), a, { attribute: 'href' })
    bind(board().store('svg xlink', { initial: hostile('\x01javascript:', 'svg xlink') }), b, {
      attribute: 'xlink:href',
    })
    expect(a.hasAttribute('href')).toBe(false)
    expect(b.hasAttribute('xlink:href')).toBe(false)
    click(a)
    click(b)
    click(link({ href: "javascript:void window.__sbHit('control')" }))
    await hits.next('control')
    expect(hits.seen).toEqual(['control'])
  })

  it('S02 srcdoc is refused: it takes HTML, and the frame loads without it', async () => {
    const hits = listen()
    const s = board().store('doc', { initial: "<script>parent.__sbHit('srcdoc')</script>" })
    const frame = document.createElement('iframe')
    expect(() => bind(s, frame, { attribute: 'srcdoc' })).toThrow(/store "doc".*"srcdoc"/)
    expect(() => bind(s, frame, { attribute: 'SrcDoc' })).toThrow(/"SrcDoc"/)
    // The frame's load event comes after any script of its document would have run.
    const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }))
    document.body.append(frame)
    await loaded
    expect(frame.hasAttribute('srcdoc')).toBe(false)
    expect(hits.seen).toEqual([])
  })

  it('S02 style and on* attributes are refused, whatever their case', () => {
    const s = board().store('x', { initial: 'color: red' })
    for (const name of ['style', 'STYLE', 'onclick', 'OnError', 'onload']) {
      expect(() => bind(s, el('div'), { attribute: name })).toThrow(new RegExp(`store "x".*"${name}"`))
    }
  })

  it('S02 script and style elements are refused: their text would run or style the page', async () => {
    const hits = listen()
    const s = board().store('code', { initial: "window.__sbHit('script text')" })
    // An empty script element in the document runs the text it is given first.
    const script = el('script')
    expect(() => bind(s, script)).toThrow(/store "code".*<script>/)
    expect(() => bind(s, script, { attribute: 'src' })).toThrow(/<script>/)
    expect(() => bind(s, el('style'))).toThrow(/<style>/)
    const svgScript = document.createElementNS('http://www.w3.org/2000/svg', 'script')
    expect(() => bind(s, svgScript)).toThrow(/<script>/)
    el('script').textContent = "window.__sbHit('control')"
    await macrotask()
    expect(script.textContent).toBe('')
    expect(hits.seen).toEqual(['control'])
  })

  it('S02 SVG animation values are URLs too: <animate attributeName="href" to=...>', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const animate = document.createElementNS('http://www.w3.org/2000/svg', 'animate')
    const to = board().store<string>('to', { initial: hostile('java\tscript:', 'to') })
    bind(to, animate, { attribute: 'to' })
    expect(animate.hasAttribute('to')).toBe(false)
    to.set('10')
    expect(animate.getAttribute('to')).toBe('10')
    const values = board().store('values', { initial: `1;${hostile('\x01javascript:', 'values')}` })
    bind(values, animate, { attribute: 'values' })
    expect(animate.hasAttribute('values')).toBe(false)
    values.set('1;2;3')
    expect(animate.getAttribute('values')).toBe('1;2;3')
  })

  it('S02 what the URL parser resolves to http:, https:, mailto:, tel: or this page is kept as written', () => {
    const s = board().store('u', { initial: '' })
    const a = el('a')
    bind(s, a, { attribute: 'href' })
    for (const ok of [
      'https://example.org/a?b#c',
      'http://example.org',
      'mailto:a@example.org',
      'tel:+1-555',
      '/path',
      'page.html',
      '?q=1',
      '#top',
      '',
      'HTTPS://EXAMPLE.ORG',
    ]) {
      s.set(ok)
      expect(a.getAttribute('href')).toBe(ok)
    }
  })

  it('S02 anything else is dropped, with one [switchboard] warning naming the store', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const s = board().store('elsewhere', { initial: 'https://example.org/' })
    const a = el('a')
    bind(s, a, { attribute: 'href' })
    for (const bad of [
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      'blob:https://example.org/x',
      'file:///etc/passwd',
      'ftp://example.org/',
      'http://[',
      'about:blank',
    ]) {
      s.set('https://example.org/')
      s.set(bad)
      expect(a.hasAttribute('href'), bad).toBe(false)
    }
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn.mock.calls[0]![0]).toMatch(/^\[switchboard\] .*store "elsewhere".*"href"/)
  })

  it('bind warns through the board: its warning event fires for each drop, printed once per board', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const b1 = board()
    const b2 = board()
    const heard: string[] = []
    b1.on('warning', (w) => heard.push(w.message))
    const s1 = b1.store('link', { initial: '' })
    const s2 = b2.store('link', { initial: '' })
    bind(s1, el('a'), { attribute: 'href' })
    bind(s2, el('a'), { attribute: 'href' })
    s1.set('javascript:alert(1)')
    s1.set('vbscript:msgbox(1)')
    s2.set('javascript:alert(2)')
    // two drops on board 1 heard by its listener; one print per board (same store id, same attribute)
    expect(heard).toHaveLength(2)
    expect(heard[0]).toMatch(/store "link".*"href"/)
    expect(warn).toHaveBeenCalledTimes(2)
  })

  it('S02 property: control characters anywhere in a script scheme never reach a URL attribute', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const attributes = [
      'href',
      'src',
      'action',
      'formaction',
      'xlink:href',
      'data',
      'poster',
      'background',
      'cite',
      'codebase',
      'ping',
      'srcset',
    ]
    const strip = fc.constantFrom('\t', '\n', '\r') // removed anywhere by the parser
    const edge = fc.integer({ min: 0, max: 0x20 }).map((c) => String.fromCharCode(c)) // trimmed at either end
    const spelled = fc
      .tuple(
        fc.constantFrom('javascript', 'vbscript', 'data'),
        fc.array(fc.tuple(fc.nat(), strip), { maxLength: 6 }),
        fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }),
        fc.array(edge, { maxLength: 4 }),
        fc.array(edge, { maxLength: 4 }),
      )
      .map(([scheme, inserts, upper, lead, trail]) => {
        let text = [...scheme].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('') + ':'
        for (const [at, c] of inserts) {
          const i = at % (text.length + 1)
          text = text.slice(0, i) + c + text.slice(i)
        }
        return { scheme, text: lead.join('') + text + "void window.__sbHit('p')" + trail.join('') }
      })
    const s = board().store('prop', { initial: 'https://example.org/' })
    const elements = attributes.map((name) => {
      const e = document.createElement('div')
      bind(s, e, { attribute: name })
      return [name, e] as const
    })
    fc.assert(
      fc.property(spelled, ({ scheme, text }) => {
        expect(new URL(text, document.baseURI).protocol).toBe(`${scheme}:`)
        s.set('https://example.org/')
        s.set(text)
        for (const [name, e] of elements) expect(e.hasAttribute(name), `${name} = ${JSON.stringify(text)}`).toBe(false)
      }),
      { numRuns: 300 },
    )
  })
})
