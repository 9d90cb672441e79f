/**
 * bind(): a store shown in plain DOM elements, two-way for form fields, always as text
 * (F31: stored markup renders as text, never as HTML or script).
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type Board, createBoard } from '../../src/index'
import { bind } from '../../src/dom/bind'

const boards: Board[] = []
let n = 0
function board() {
  const b = createBoard({ name: `bind-${Date.now()}-${++n}` })
  boards.push(b)
  return b
}
function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v)
  document.body.append(e)
  return e
}
const type = (input: HTMLInputElement | HTMLTextAreaElement, text: string) => {
  input.value = text
  input.dispatchEvent(new Event('input', { bubbles: true }))
}
afterEach(() => {
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

  it('F31 stored markup renders as text: no element, no script, no handler runs', () => {
    const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold</b>'
    const s = board().store('html', { initial: hostile })
    const p = el('p')
    bind(s, p)
    expect(p.textContent).toBe(hostile)
    expect(p.children.length).toBe(0)
    expect((window as { __pwned?: number }).__pwned).toBeUndefined()
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
