import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { expect, test } from 'switchboard/testing'

// The page-error guard of switchboard/testing, seen as a user sees it: a nested Playwright
// run of test/testing/guard/cases.ts, whose JSON report says which tests failed and why.

interface Outcome {
  status: string
  message: string
}
interface Suite {
  title: string
  specs?: Array<{
    title: string
    tests: Array<{ results: Array<{ status: string; errors: Array<{ message?: string }> }> }>
  }>
  suites?: Suite[]
}

function outcomes(suite: Suite, into: Record<string, Outcome> = {}): Record<string, Outcome> {
  for (const spec of suite.specs ?? []) {
    const result = spec.tests[0]!.results[0]!
    into[spec.title] = { status: result.status, message: result.errors.map((e) => e.message ?? '').join('\n') }
  }
  for (const s of suite.suites ?? []) outcomes(s, into)
  return into
}

const tail =
  'A test passes only without them; allow the expected ones with test.use({ allowPageErrors: [/pattern/] }) or pageErrors.allow(/pattern/) in the test.'

test('page errors fail a test, in any tab, unless it allows them (option or pageErrors.allow)', async () => {
  test.setTimeout(300_000)
  const root = resolve(import.meta.dirname, '../..')
  const report = await new Promise<string>((done, fail) =>
    execFile(
      'npx',
      ['playwright', 'test', '-c', 'test/testing/guard/playwright.config.ts', '--reporter=json'],
      { cwd: root, env: { ...process.env, FORCE_COLOR: '0', CI: '' }, maxBuffer: 32 << 20 },
      // The run fails (some cases must): its report is on stdout either way.
      (error, stdout) => (stdout ? done(stdout) : fail(error)),
    ),
  )
  const seen = outcomes({ title: '', suites: (JSON.parse(report) as { suites: Suite[] }).suites })
  expect(Object.keys(seen).sort()).toEqual([
    'fails: a console error',
    'fails: an error in a second tab of the context',
    'fails: an uncaught exception',
    'fails: another error',
    'fails: pageErrors.allow(pattern) lets only the matching ones pass',
    'passes: a clean page',
    'passes: a matching error',
    'passes: every error is allowed',
    'passes: pageErrors.allow(pattern) lets a matching error pass, and pageErrors.all lists it',
  ])
  for (const [title, o] of Object.entries(seen))
    expect(o.status, title).toBe(title.startsWith('fails:') ? 'failed' : 'passed')
  expect(seen['fails: a console error']!.message).toContain(
    `1 page error during this test:\n  console.error on about:blank: boom 1\n${tail}`,
  )
  expect(seen['fails: an uncaught exception']!.message).toContain(
    '1 page error during this test:\n  uncaught exception on about:blank: Error: boom 2\n',
  )
  expect(seen['fails: an error in a second tab of the context']!.message).toContain(
    '1 page error during this test:\n  console.error on about:blank: boom in tab 2\n',
  )
  // Only the error that matches no pattern is listed.
  expect(seen['fails: pageErrors.allow(pattern) lets only the matching ones pass']!.message).toContain(
    '1 page error during this test:\n  uncaught exception on about:blank: Error: not this one\n',
  )
  expect(seen['fails: another error']!.message).toContain(
    `1 page error during this test:\n  console.error on about:blank: something else\n${tail}`,
  )
})
