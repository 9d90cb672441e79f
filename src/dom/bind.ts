/**
 * Binding a store to a DOM element, for pages without a framework (script-tag users).
 * Text goes through `textContent` and attributes through `setAttribute`, never innerHTML:
 * a store may hold anything a user or another tab typed, and it must render as text (F31).
 */
import type { Store } from '../graph/board'

/** What `bind` ties the store to. Give at most one of `text`, `value`, `attribute`. */
export interface BindOptions<T> {
  /** The element's text (the default for elements that are not form fields). */
  text?: boolean
  /**
   * The field's value, both ways (the default for input, select, textarea): typing sets
   * the store, a store change updates the field. Checkboxes bind `checked` as a boolean,
   * number and range inputs bind numbers.
   */
  value?: boolean
  /** An attribute's value. null, undefined and false remove it; true sets it empty. */
  attribute?: string
  /** Store value → text shown. Default `String(v)`, with null and undefined as ''. */
  format?: (value: T) => string
  /** Field text → store value, for `value` bindings. */
  parse?: (text: string) => T
  /** Which event writes a field back: 'input' (default, every keystroke) or 'change'. */
  event?: 'input' | 'change'
}

type Field = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement

// URL-valued attributes: a stored "javascript:..." must not become a live link.
const urlAttributes = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'poster', 'srcdoc'])

/**
 * Shows a store in an element and keeps it up to date; returns the unbind.
 *
 * @example
 * const unbind = bind(board.store('name', { initial: '' }), document.querySelector('input')!)
 * bind(greeting, document.querySelector('#out')!)          // textContent
 * bind(progress, bar, { attribute: 'value' })              // <progress value=...>
 */
export function bind<T>(store: Store<T>, element: Element, options: BindOptions<T> = {}): () => void {
  const kinds = (['text', 'value', 'attribute'] as const).filter((k) => options[k] !== undefined && options[k] !== false)
  if (kinds.length > 1) throw new TypeError(`bind(store "${store.id}"): give one of text, value or attribute, not ${kinds.join(' and ')}.`)
  const format = options.format ?? show
  const attribute = options.attribute
  if (attribute !== undefined) {
    // An event-handler attribute would turn stored text into code.
    if (/^on/i.test(attribute) || attribute.toLowerCase() === 'style') {
      throw new TypeError(`bind(store "${store.id}"): refusing to bind attribute "${attribute}" (it would run or style stored text).`)
    }
    const name = attribute.toLowerCase()
    const render = (v: T) => {
      if (v === null || v === undefined || v === false) return element.removeAttribute(attribute)
      const text = v === true ? '' : format(v)
      if (urlAttributes.has(name) && /^\s*(javascript|vbscript|data):/i.test(text)) {
        console.warn(`[switchboard] bind(store "${store.id}"): dropped a script URL for attribute "${attribute}".`)
        return element.removeAttribute(attribute)
      }
      element.setAttribute(attribute, text)
    }
    render(store.get())
    return store.subscribe(render)
  }

  const field = isField(element) ? element : undefined
  if (options.value || (field && !options.text)) {
    if (!field) throw new TypeError(`bind(store "${store.id}"): a value binding needs an input, select or textarea, got <${element.localName}>.`)
    return bindField(store, field, options, format)
  }
  const render = (v: T) => {
    const text = format(v)
    if (element.textContent !== text) element.textContent = text
  }
  render(store.get())
  return store.subscribe(render)
}

function bindField<T>(store: Store<T>, field: Field, options: BindOptions<T>, format: (v: T) => string): () => void {
  const checkbox = field instanceof HTMLInputElement && (field.type === 'checkbox' || field.type === 'radio')
  const numeric = field instanceof HTMLInputElement && (field.type === 'number' || field.type === 'range')
  const parse =
    options.parse ??
    ((text: string) => (numeric ? (text === '' ? (null as T) : (Number(text) as T)) : (text as T)))

  const render = (v: T) => {
    if (checkbox) {
      ;(field as HTMLInputElement).checked = !!v
      return
    }
    const text = format(v)
    // Writing an equal value would move the caret to the end while the user types.
    if (field.value !== text) field.value = text
  }
  const onEvent = () => store.set(checkbox ? ((field as HTMLInputElement).checked as T) : parse(field.value))
  const event = options.event ?? (checkbox || field instanceof HTMLSelectElement ? 'change' : 'input')

  render(store.get())
  const off = store.subscribe(render)
  field.addEventListener(event, onEvent)
  return () => {
    off()
    field.removeEventListener(event, onEvent)
  }
}

function isField(el: Element): el is Field {
  return el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement
}

function show(v: unknown): string {
  return v === null || v === undefined ? '' : String(v)
}
