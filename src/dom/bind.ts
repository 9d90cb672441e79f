/**
 * Binding a store to a DOM element, for pages without a framework (script-tag users).
 * Text goes through `textContent` and attributes through `setAttribute`, never innerHTML:
 * a store may hold anything a user or another tab typed, and it must render as text (F31)
 * and never run as script (S02): URL attributes keep only what the URL parser resolves to
 * a scheme that can't run code, and attributes or elements that take code are refused.
 */
import { StoreNode } from '../graph/store'
import type { Store } from '../graph/types'

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

/**
 * Attributes whose value is a URL the browser may follow, load or submit to: a stored
 * "javascript:..." there would run. Judged on any element (a name that is not a URL on
 * this element costs only the check). How each splits into URLs: one URL, or a list
 * (srcset's candidates, ping's URLs), where the whole text and every word are judged,
 * descriptors included ("2x" and "100w" read as relative URLs): never looser than the
 * browser's own split.
 */
const urlAttributes: Record<string, (text: string) => string[]> = {
  href: one,
  src: one,
  action: one,
  formaction: one,
  'xlink:href': one,
  data: one,
  poster: one,
  background: one,
  cite: one,
  codebase: one,
  longdesc: one,
  usemap: one,
  manifest: one,
  icon: one,
  archive: one,
  classid: one,
  profile: one,
  lowsrc: one,
  dynsrc: one,
  itemtype: one,
  srcset: words,
  imagesrcset: words,
  ping: words,
}
// SVG animation can write any attribute of its target, href included: its values are URLs too.
const svgAnimation = new Set(['animate', 'set', 'animatemotion', 'animatetransform'])
const animationValues: Record<string, (text: string) => string[]> = {
  to: one,
  from: one,
  by: one,
  values: (t) => t.split(';'),
}
/** What a URL attribute may point to; anything else (javascript:, data:, blob:, ...) is dropped. */
const safeSchemes = new Set(['http:', 'https:', 'mailto:', 'tel:'])
const xlinkNS = 'http://www.w3.org/1999/xlink'

function one(text: string): string[] {
  return [text]
}
function words(text: string): string[] {
  return [text, ...text.split(/[\s,]+/).filter(Boolean)]
}

/**
 * Whether the browser would resolve `text` to a URL that can't run script. Decided on the
 * URL the parser produces, as the browser will see it, never on the raw text: the parser
 * strips tabs and newlines anywhere and C0 controls at either end, so "java\tscript:" is
 * javascript:. A same-document reference ("#top", "") is allowed whatever the page's scheme.
 */
function safeUrl(text: string, element: Element): boolean {
  let url: URL
  try {
    url = new URL(text, element.baseURI)
  } catch {
    return false // the browser would not follow it either, but there is nothing to keep
  }
  if (safeSchemes.has(url.protocol)) return true
  const here = new URL(element.ownerDocument.URL)
  url.hash = ''
  here.hash = ''
  return url.href === here.href
}

const warned = new Set<string>()
/**
 * Through the store's board when it is one of ours (printed once per board and key, and
 * the board's 'warning' event fires), else printed once per page and key.
 */
function warnOnce(store: Store<unknown>, key: string, message: string): void {
  if (store instanceof StoreNode) return store.host.warn(key, message)
  if (warned.has(key)) return
  warned.add(key)
  console.warn(`[switchboard] ${message}`)
}

/**
 * Shows a store in an element and keeps it up to date; returns the unbind.
 *
 * @example
 * const unbind = bind(board.store('name', { initial: '' }), document.querySelector('input')!)
 * bind(greeting, document.querySelector('#out')!)          // textContent
 * bind(progress, bar, { attribute: 'value' })              // <progress value=...>
 */
export function bind<T>(store: Store<T>, element: Element, options: BindOptions<T> = {}): () => void {
  const kinds = (['text', 'value', 'attribute'] as const).filter(
    (k) => options[k] !== undefined && options[k] !== false,
  )
  if (kinds.length > 1)
    throw new TypeError(`bind(store "${store.id}"): give one of text, value or attribute, not ${kinds.join(' and ')}.`)
  const format = options.format ?? show
  const attribute = options.attribute
  const tag = element.localName.toLowerCase()
  if (tag === 'script' || tag === 'style') {
    throw new TypeError(
      `bind(store "${store.id}"): refusing to bind a <${tag}> element (its content would run or style stored text).`,
    )
  }
  if (attribute !== undefined) {
    const name = attribute.toLowerCase()
    // Event handlers and srcdoc turn stored text into code, style into page styling.
    if (name.startsWith('on') || name === 'style' || name === 'srcdoc') {
      throw new TypeError(
        `bind(store "${store.id}"): refusing to bind attribute "${attribute}" (it would run or style stored text).`,
      )
    }
    const urls =
      (svgAnimation.has(tag) ? animationValues[name] : undefined) ??
      (Object.hasOwn(urlAttributes, name) ? urlAttributes[name] : undefined)
    const ns = name.startsWith('xlink:') ? xlinkNS : null
    const render = (v: T) => {
      if (v === null || v === undefined || v === false) return element.removeAttribute(attribute)
      const text = v === true ? '' : format(v)
      if (urls && !urls(text).every((u) => safeUrl(u, element))) {
        warnOnce(
          store,
          `${store.id}\0${name}`,
          `bind(store "${store.id}"): dropped a URL that is not http(s), mailto, tel or this page, for attribute "${attribute}".`,
        )
        return element.removeAttribute(attribute)
      }
      element.setAttributeNS(ns, attribute, text)
    }
    render(store.get())
    return store.subscribe(render)
  }

  const field = isField(element) ? element : undefined
  if (options.value || (field && !options.text)) {
    if (!field)
      throw new TypeError(
        `bind(store "${store.id}"): a value binding needs an input, select or textarea, got <${element.localName}>.`,
      )
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
    options.parse ?? ((text: string) => (numeric ? (text === '' ? (null as T) : (Number(text) as T)) : (text as T)))

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
