import { readdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { AxeBuilder } from '@axe-core/playwright'
import { expect as baseExpect, type Page, test } from '@playwright/test'

// Accessibility of every page of the demo site, by axe and from the keyboard.
//
// axe-core (@axe-core/playwright) scans each page against WCAG 2.0 and 2.1 A and AA once the
// page has rendered its data, with the dev panel closed and open (its shadow root is open, so
// axe walks into it): no violation of impact serious or critical is allowed. Beside axe, the
// hand-written checks below read Chromium's own accessibility tree (CDP): every control, link
// and image has a name, the page has a language and a title, no id is used twice, nothing
// focusable hides inside aria-hidden; and Tab, Enter and the arrows operate every page.
// No axe rule is disabled. axe leaves colour contrast of SVG text "incomplete" (it cannot
// find the background behind <text> drawn over a <rect> or inside a chart), so the charts'
// and the dev panel's SVG text is not contrast-checked by axe; it fails only on violations.
//
// The pages come from the site itself: index.html and every demo/*.html, so a new demo page
// is audited without editing this file. Pages listed in `operate` are also driven control by
// control from the keyboard; every page gets the dev panel driven from the keyboard.

const expect = baseExpect.configure({ timeout: 30_000 })
test.setTimeout(180_000)

const root = resolve(import.meta.dirname, '../..')
const pages = [
  './',
  ...readdirSync(resolve(root, 'demo'))
    .filter((f) => f.endsWith('.html'))
    .sort()
    .map((f) => `demo/${f}`),
]

function watchConsole(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
  page.on('pageerror', (e) => errors.push(e.message))
  return errors
}

async function open(page: Page, path: string): Promise<void> {
  await page.goto(path)
  if (path.startsWith('demo/')) await expect(page.getByTestId('ready')).toHaveText('yes')
}

/**
 * What a page shows once its data is in, beyond `ready` (the first wave settled): pages that
 * load or compute after start are awaited here, so axe sees the page a user reads.
 */
const rendered: Record<string, (page: Page) => Promise<void>> = {
  'demo/session.html': async (page) => {
    await expect(page.getByTestId('report')).toContainText('walks')
  },
  'demo/aggregate.html': async (page) => {
    await expect(page.getByTestId('same')).toHaveText('same answer')
  },
  'demo/shared.html': async (page) => {
    await expect(page.getByTestId('executions')).toHaveText('1')
  },
  'demo/flights.html': async (page) => {
    await expect(page.getByTestId('rows')).toHaveText('200,000')
    await expect(page.getByTestId('selected')).toHaveText('200,000')
  },
}

/** Opens `path` and waits for its data: `ready`, the page's own figures, then an idle board. */
async function openRendered(page: Page, path: string): Promise<void> {
  await open(page, path)
  await rendered[path]?.(page)
  await page.evaluate(() => (globalThis as { board?: { idle(): Promise<void> } }).board?.idle())
}

const wcag = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']

/** axe's serious and critical violations on the page as it is: rule, impact, targets, help. */
async function axe(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(wcag).analyze()
  return violations.flatMap((v) => {
    const nodes = v.nodes.filter((n) => n.impact === 'serious' || n.impact === 'critical')
    if (nodes.length === 0) return []
    // A target inside a shadow root is a list of selectors, host first.
    const targets = nodes.map((n) => n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(' '))
    return [`${v.id} (${nodes[0]!.impact}, ${nodes.length}): ${targets.join(' | ')}: ${v.help}`]
  })
}

/** What has focus, looking into shadow roots: its test id, else tag and text. */
function focused(page: Page): Promise<{ id: string; outline: string; visible: boolean } | null> {
  return page.evaluate(() => {
    let a = document.activeElement
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement
    if (!a || a === document.body) return null
    const s = getComputedStyle(a)
    const r = a.getBoundingClientRect()
    const id =
      a.getAttribute('data-testid') ??
      `${a.tagName.toLowerCase()}${a.getAttribute('href') ? `[href=${a.getAttribute('href')}]` : ''}:${(a.textContent ?? '').trim().slice(0, 30)}`
    return { id, outline: `${s.outlineStyle} ${s.outlineWidth}`, visible: r.width > 0 && r.height > 0 }
  })
}

/** Presses Tab until the element with test id `id` has focus (at most `max` presses). */
async function tabTo(page: Page, id: string, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab')
    if ((await focused(page))?.id === id) return
  }
  throw new Error(`Tab never reached [data-testid="${id}"] in ${max} presses`)
}

/** Every control a user could operate on the page as it is (dev panel closed). */
function controls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea, [tabindex]')]
      .filter((e) => !(e as HTMLButtonElement).disabled && e.tabIndex >= 0)
      .filter((e) => {
        const r = e.getBoundingClientRect()
        return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'
      })
      .map(
        (e) =>
          e.getAttribute('data-testid') ??
          `${e.tagName.toLowerCase()}${e.getAttribute('href') ? `[href=${e.getAttribute('href')}]` : ''}:${(e.textContent ?? '').trim().slice(0, 30)}`,
      ),
  )
}

const interactive = new Set([
  'button',
  'link',
  'textbox',
  'combobox',
  'spinbutton',
  'checkbox',
  'radio',
  'slider',
  'switch',
  'menuitem',
  'tab',
  'listbox',
  'searchbox',
])

for (const path of pages) {
  test(`axe ${path}: no serious or critical WCAG 2.1 A/AA violation, dev panel closed and open`, async ({ page }) => {
    await openRendered(page, path)
    expect(await axe(page), 'axe, dev panel closed').toEqual([])
    if (!path.startsWith('demo/')) return // the landing page has no board and no dev panel
    await page.getByTestId('devpanel-toggle').click()
    await expect(page.locator('[data-testid^="devnode-"]').first()).toBeVisible()
    expect(await axe(page), 'axe, dev panel open').toEqual([])
    // A node's details: the panel's other view.
    await page.locator('[data-testid^="devnode-"]').first().click()
    await expect(page.getByTestId('devpanel-details')).toBeVisible()
    expect(await axe(page), 'axe, dev panel open on a node').toEqual([])
  })

  test(`a11y ${path}: every control, link and image is named; lang, title, unique ids; nothing focusable is hidden`, async ({
    page,
  }) => {
    await open(page, path)
    const cdp = await page.context().newCDPSession(page)
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
      nodes: Array<{ ignored: boolean; role?: { value: string }; name?: { value: string } }>
    }
    const unnamed = nodes
      .filter((n) => !n.ignored)
      .map((n) => ({ role: n.role?.value ?? '', name: (n.name?.value ?? '').trim() }))
      .filter((n) => (interactive.has(n.role) || n.role === 'image' || n.role === 'img') && n.name === '')
    expect(unnamed, 'controls and images without an accessible name').toEqual([])
    const doc = await page.evaluate(() => {
      const ids = [...document.querySelectorAll('[id]')].map((e) => e.id)
      return {
        lang: document.documentElement.lang,
        title: document.title.trim(),
        duplicateIds: ids.filter((id, i) => ids.indexOf(id) !== i),
        hiddenFocusable: [...document.querySelectorAll('[aria-hidden="true"]')].flatMap((h) =>
          [...h.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea, [tabindex]')]
            .filter((e) => e.tabIndex >= 0)
            .map((e) => e.outerHTML.slice(0, 80)),
        ),
        mainLandmarks: document.querySelectorAll('main').length,
        h1: document.querySelectorAll('h1').length,
      }
    })
    expect(doc.lang).toBe('en')
    expect(doc.title).not.toBe('')
    expect(doc.duplicateIds).toEqual([])
    expect(doc.hiddenFocusable).toEqual([])
    expect(doc.mainLandmarks).toBe(1)
    expect(doc.h1).toBe(1)
  })

  test(`keyboard ${path}: Tab reaches every control, each with a visible focus ring`, async ({ page }) => {
    const errors = watchConsole(page)
    await open(page, path)
    const want = await controls(page)
    expect(want.length).toBeGreaterThan(3)
    const seen = new Set<string>()
    const rings: string[] = []
    for (let i = 0; i < want.length + 20; i++) {
      await page.keyboard.press('Tab')
      const f = await focused(page)
      if (!f) continue
      seen.add(f.id)
      // The site's :focus-visible rule: a 3 px solid ring.
      if (f.outline !== 'solid 3px' || !f.visible) rings.push(`${f.id}: ${f.outline}`)
    }
    expect(
      want.filter((c) => !seen.has(c)),
      'controls Tab did not reach',
    ).toEqual([])
    expect(rings, 'focused without a visible ring').toEqual([])
    expect(errors).toEqual([])
  })

  if (path.startsWith('demo/'))
    test(`keyboard ${path}: the dev panel opens, zooms, pans, shows a node and closes without a mouse`, async ({
      page,
    }) => {
      const errors = watchConsole(page)
      await open(page, path)
      await tabTo(page, 'devpanel-toggle')
      await page.keyboard.press('Enter')
      const panel = page.getByTestId('devpanel')
      await expect(panel).toBeFocused()
      await page.keyboard.press('Tab')
      expect((await focused(page))?.id).toBe('devpanel-close')
      for (const id of ['devpanel-zoom-out', 'devpanel-zoom-in', 'devpanel-reset', 'devpanel-graph']) {
        await page.keyboard.press('Tab')
        expect((await focused(page))?.id).toBe(id)
      }
      const node = page.locator('[data-testid^="devnode-"]').first()
      const at = () => node.locator('rect').first().boundingBox()
      const before = (await at())!
      await page.keyboard.press('+')
      expect((await at())!.width).toBeCloseTo(before.width * 1.25, 1)
      await page.keyboard.press('ArrowRight')
      await page.keyboard.press('0')
      expect((await at())!.x).toBeCloseTo(before.x, 1)
      await page.keyboard.press('Tab')
      const id = (await focused(page))!.id
      expect(id).toMatch(/^devnode-/)
      await page.keyboard.press('Enter')
      await expect(page.getByTestId('devpanel-details')).toBeVisible()
      await page.keyboard.press('Escape')
      await expect(panel).toHaveCount(0)
      await expect(page.getByTestId('devpanel-toggle')).toBeFocused()
      expect(errors).toEqual([])
    })
}

/** With a focused select: the next option by ArrowDown (ArrowUp from the last), and it took. */
async function stepSelect(page: Page, id: string): Promise<void> {
  const select = page.getByTestId(id)
  const values = await select.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))
  const at = values.indexOf(await select.inputValue())
  const last = at === values.length - 1
  await page.keyboard.press(last ? 'ArrowUp' : 'ArrowDown')
  await expect(select).toHaveValue(values[last ? at - 1 : at + 1]!)
}

/** Per page: controls operated from the keyboard, each reached by Tab, and what follows. */
const operate: Record<string, (page: Page) => Promise<void>> = {
  './': async (page) => {
    await tabTo(page, 'a[href=./demo/session.html]:Keep data in the browser sessi')
    await page.keyboard.press('Enter')
    await expect(page).toHaveURL(/demo\/session\.html$/)
  },
  'demo/session.html': async (page) => {
    await tabTo(page, 'new-seed')
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('new-seed')).toHaveText('New seed (2)')
    await tabTo(page, 'size')
    await stepSelect(page, 'size')
  },
  'demo/aggregate.html': async (page) => {
    await tabTo(page, 'group-by')
    await page.keyboard.press('ArrowDown')
    await expect(page.getByTestId('group-by')).toHaveValue('distance')
    await expect(page.getByTestId('upfront-groups')).toContainText('mi')
  },
  'demo/shared.html': async (page) => {
    await tabTo(page, 'next-seed')
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('prev-seed')).toBeEnabled()
    await tabTo(page, 'prev-seed')
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('prev-seed')).toBeDisabled()
  },
  'demo/sessions.html': async (page) => {
    await tabTo(page, 'item')
    await page.keyboard.type('figs')
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('basket')).toContainText('figs')
    await tabTo(page, 'name')
    await page.keyboard.type('Ada')
    await expect(page.getByTestId('greeting')).toContainText('Ada')
  },
  'demo/flights.html': async (page) => {
    await expect(page.getByTestId('rows')).toHaveText('200,000')
    await tabTo(page, 'from-delay')
    await page.keyboard.type('30')
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('brushes')).toHaveText('delay 30 to 180')
    await tabTo(page, 'reset')
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('brushes')).toHaveText('no brush')
  },
}

for (const path of pages.filter((p) => operate[p]))
  test(`keyboard ${path}: its controls work from the keyboard`, async ({ page }) => {
    const errors = watchConsole(page)
    await open(page, path)
    await operate[path]!(page)
    expect(errors).toEqual([])
  })

// A page added to the site without keyboard steps above still has its selects driven.
for (const path of pages.filter((p) => !operate[p]))
  test(`keyboard ${path}: every select changes value from the keyboard`, async ({ page }) => {
    const errors = watchConsole(page)
    await open(page, path)
    const selects = await page.evaluate(() =>
      [...document.querySelectorAll('select[data-testid]')]
        .filter((s) => (s as HTMLSelectElement).options.length > 1)
        .map((s) => s.getAttribute('data-testid')!),
    )
    for (const id of selects) {
      await tabTo(page, id)
      await stepSelect(page, id)
    }
    expect(errors).toEqual([])
  })
