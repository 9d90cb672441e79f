// `npm run mutate`: mutation testing with StrykerJS, results in bench/results/mutation.json.
//
//   node scripts/mutate.mjs                 node run (every folder) + the default browser groups
//   node scripts/mutate.mjs --node-only     the node run only
//   node scripts/mutate.mjs --merge-only    no Stryker run: merge the reports already in reports/mutation/
//   node scripts/mutate.mjs --force         ignore the incremental files (re-test every mutant)
//   MUTATE_NODE=core,aggregate                      which node groups run (default: both)
//   MUTATE_BROWSER=dom,cache,storage,sync,worker   which browser groups run (default: dom)
//
// Two kinds of run (stryker/*.config.mjs): the node project's tests (*.node.test.ts) over all
// of src/{graph,cache,storage,sync,worker,aggregate,dom}; and per browser group, the real
// Chromium tests (*.browser.test.ts) over that group's files. Every mutant is identified by
// file, position, mutator and replacement; its merged status is the strongest any run
// gave it (killed or timed out > survived > no coverage). Survivors listed in
// bench/mutation-equivalent.json (equivalent mutants, each with one line why) are reported
// apart and left out of the score's denominator; the raw score (counting them) is kept too.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { equivalentOf, readEquivalents } from '../stryker/equivalent.mjs'

const root = resolve(import.meta.dirname, '..')
const argv = process.argv.slice(2)
// `--note "text"` (repeatable): a line for the JSON's notes, e.g. why a part was not run.
const extraNotes = argv.flatMap((a, i) => (a === '--note' && argv[i + 1] !== undefined ? [argv[i + 1]] : []))
const args = new Set(argv.filter((a, i) => a !== '--note' && argv[i - 1] !== '--note'))
const FOLDERS = ['src/graph', 'src/cache', 'src/storage', 'src/sync', 'src/worker', 'src/aggregate', 'src/dom']
const DEFAULT_BROWSER = 'dom'
const nodeGroups = (process.env.MUTATE_NODE ?? 'core,aggregate')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean)
const browserGroups = (process.env.MUTATE_BROWSER ?? DEFAULT_BROWSER)
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean)
const t0 = Date.now()
const runs = []

function stryker(label, config, env) {
  const cmd = ['stryker', 'run', config, ...(args.has('--force') ? ['--force'] : [])]
  console.log(`\n=== mutate ${label}: npx ${cmd.join(' ')}`)
  const t = Date.now()
  const r = spawnSync('npx', cmd, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } })
  const seconds = Math.round((Date.now() - t) / 1000)
  runs.push({ run: label, seconds, exit: r.status ?? String(r.signal) })
  console.log(`=== mutate ${label}: exit ${r.status ?? r.signal} after ${seconds}s`)
}

if (!args.has('--merge-only')) {
  for (const g of nodeGroups)
    stryker(`node:${g}`, 'stryker/node.config.mjs', { STRYKER_PROJECT: 'node', STRYKER_GROUP: g })
  if (!args.has('--node-only')) {
    for (const g of browserGroups)
      stryker(`browser:${g}`, 'stryker/browser.config.mjs', { STRYKER_PROJECT: 'browser', STRYKER_GROUP: g })
  }
}

// ---- merge ------------------------------------------------------------------------------

const RANK = {
  Killed: 5,
  Timeout: 5,
  Survived: 3,
  NoCoverage: 2,
  RuntimeError: 1,
  CompileError: 1,
  Ignored: 0,
  Pending: 0,
}
// Every run's report: reports/mutation/<project>-<group>[-<part>].json (parts: STRYKER_PART).
const reportDir = resolve(root, 'reports/mutation')
const reports = (existsSync(reportDir) ? readdirSync(reportDir) : [])
  .filter((f) => /^(node|browser)-.+\.json$/.test(f))
  .sort()
  .map((f) => [f.replace(/\.json$/, '').replace('-', ':'), `reports/mutation/${f}`])
/** When a report (or sample) file was written, to tell runs made after a sample was drawn. */
const writtenAt = (file) => statSync(resolve(root, file)).mtimeMs

const mutants = new Map()
// Samples (stryker/ranges.mjs --sample): reports/mutation/sample-<part>.json lists the
// mutants a browser run of part <part> was given. Its report counts in the merge as any
// other; the sample file also lists the frame it was drawn from (the mutants then open),
// from which the merge estimates the folder as if the whole frame had run.
const samples = (existsSync(reportDir) ? readdirSync(reportDir) : [])
  .filter((f) => /^sample-.+\.json$/.test(f))
  .map((f) => ({ name: f.replace(/^sample-|\.json$/g, ''), ...JSON.parse(readFileSync(join(reportDir, f), 'utf8')) }))
  .filter((x) => x.fraction < 1) // --sample 1 re-checks every open mutant: an ordinary run
const usedReports = []
/** Files a report measured in an older version (left out of the merge for that file). */
const staleFiles = []
for (const [label, file] of reports) {
  const path = resolve(root, file)
  if (!existsSync(path)) continue
  const report = JSON.parse(readFileSync(path, 'utf8'))
  const at = writtenAt(file)
  const files = Object.keys(report.files)
  // What the run mutated: each file with the lines its mutants span (a range run shows as one).
  const spans = files.sort().map((f) => {
    const lines = report.files[f].mutants.map((m) => m.location.start.line)
    return `${f}:${Math.min(...lines)}-${Math.max(...lines)}`
  })
  usedReports.push({
    run: label,
    report: file,
    files: spans,
    mutants: files.reduce((n, f) => n + report.files[f].mutants.length, 0),
  })
  for (const [file, { mutants: list, source }] of Object.entries(report.files)) {
    // A report of an older version of the file (its source differs from the file now):
    // its positions name other code, so it is left out for that file and listed.
    const now = existsSync(resolve(root, file)) ? readFileSync(resolve(root, file), 'utf8') : undefined
    if (source !== undefined && source !== now) {
      staleFiles.push({ run: label, file })
      continue
    }
    for (const m of list) {
      const { start, end } = m.location
      const key = `${file}:${start.line}:${start.column}:${end.line}:${end.column}:${m.mutatorName}:${m.replacement ?? ''}`
      const prev = mutants.get(key)
      const mine = {
        file,
        endLine: end.line,
        line: start.line,
        column: start.column,
        mutator: m.mutatorName,
        replacement: m.replacement ?? '',
        status: m.status,
        by: label,
        static: !!m.static,
      }
      // Runs that gave it a verdict (killed, timed out or survived), and when: a sample's
      // estimate treats a frame mutant measured by a later run as measured (see below).
      const measured = [...(prev?.measured ?? [])]
      if (m.status === 'Killed' || m.status === 'Timeout' || m.status === 'Survived') measured.push({ label, at })
      if (!prev || RANK[m.status] > RANK[prev.status]) {
        mutants.set(key, { ...mine, runs: [...(prev?.runs ?? []), `${label}:${m.status}`], measured })
      } else {
        prev.runs.push(`${label}:${m.status}`)
        prev.measured = measured
      }
    }
  }
}
if (!mutants.size) {
  console.error('[switchboard] mutate: no Stryker report found in reports/mutation/.')
  process.exit(1)
}

// Equivalent mutants: { file, line, mutator, replacement?, why }.
const eqPath = resolve(root, 'bench/mutation-equivalent.json')
const equivalents = readEquivalents(eqPath)
const matchEq = (m) => equivalentOf(equivalents, m)
const staleEq = new Set(equivalents)

const empty = () => ({
  killed: 0,
  timeout: 0,
  survived: 0,
  equivalent: 0,
  noCoverage: 0,
  errors: 0,
  ignored: 0,
  total: 0,
})
const byFolder = Object.fromEntries(FOLDERS.map((f) => [f, empty()]))
const overall = empty()
const survivors = []
const equivalent = []
for (const m of [...mutants.values()].sort(
  (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column,
)) {
  const folder = FOLDERS.find((f) => m.file.startsWith(`${f}/`))
  if (!folder) continue
  const counts = [byFolder[folder], overall]
  let field
  switch (m.status) {
    case 'Killed':
      field = 'killed'
      break
    case 'Timeout':
      field = 'timeout'
      break
    case 'Survived': {
      const eq = matchEq(m)
      if (eq) {
        staleEq.delete(eq)
        field = 'equivalent'
        equivalent.push({ file: m.file, line: m.line, mutator: m.mutator, replacement: m.replacement, why: eq.why })
      } else {
        field = 'survived'
        survivors.push({
          file: m.file,
          line: m.line,
          column: m.column,
          mutator: m.mutator,
          replacement: m.replacement,
          runs: m.runs,
        })
      }
      break
    }
    case 'NoCoverage':
      field = 'noCoverage'
      break
    case 'Ignored':
      field = 'ignored'
      break
    default:
      field = 'errors'
  }
  for (const c of counts) {
    c[field]++
    c.total++
  }
}
const pct = (a, b) => (b ? Math.round((1000 * a) / b) / 10 : null)
const score = (c) => {
  const detected = c.killed + c.timeout
  return {
    ...c,
    // Of the mutants some test reaches: killed (equivalents left out).
    scoreCovered: pct(detected, detected + c.survived),
    // The same, counting the equivalent ones as survivors.
    scoreCoveredRaw: pct(detected, detected + c.survived + c.equivalent),
    // Of all valid mutants, uncovered ones included.
    scoreAll: pct(detected, detected + c.survived + c.equivalent + c.noCoverage),
  }
}

// What each folder's figures cover: its source files, with the runs (and line spans) that
// mutated each; a file no run mutated is listed as not measured.
const sourcesOf = (dir) =>
  readdirSync(resolve(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourcesOf(join(dir, e.name))
      : /\.tsx?$/.test(e.name)
        ? [relative(root, resolve(root, dir, e.name))]
        : [],
  )
const scope = Object.fromEntries(
  FOLDERS.map((folder) => {
    const measured = []
    const notMeasured = []
    for (const file of sourcesOf(folder).sort()) {
      const by = usedReports.flatMap((r) =>
        r.files.filter((f) => f.startsWith(`${file}:`)).map((f) => `${f} (${r.run})`),
      )
      if (by.length) measured.push(...by)
      else notMeasured.push(file)
    }
    return [folder, { measured, notMeasured }]
  }),
)

// Each sample's estimate: the frame (mutants no other report detected, in the sampled files,
// spanning at most two lines, unless the sample took any span) is extrapolated from the
// sampled mutants' final statuses; every other mutant counts as measured.
const wilson = (k, n) => {
  if (!n) return [null, null]
  const z = 1.96
  const p = k / n
  const mid = (p + (z * z) / (2 * n)) / (1 + (z * z) / n)
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n)
  return [Math.max(0, mid - half), Math.min(1, mid + half)]
}
const keyOf = (m) => `${m.file}:${m.line}:${m.column}:${m.mutator}:${m.replacement ?? ''}`
const estimates = samples.map((sample) => {
  const sampled = new Set(sample.sampled.map(keyOf))
  // The frame as ranges.mjs saw it (mutants of files no report had run included), less the
  // mutants a run other than the sample's own has given a verdict since the sample was drawn
  // (a whole file run with new tests): those count as measured, not extrapolated.
  const drawnAt = writtenAt(`reports/mutation/sample-${sample.name}.json`)
  const since = new Set(
    [...mutants.values()]
      .filter((m) => m.measured.some((r) => r.at > drawnAt && !r.label.endsWith(`-${sample.name}`)))
      .map(keyOf),
  )
  const frame = new Set(sample.frameKeys.filter((k) => !since.has(k) || sampled.has(k)))
  const folderOf = (file) => FOLDERS.find((f) => file.startsWith(`${f}/`))
  const perFolder = {}
  const slot = (folder) =>
    (perFolder[folder] ??= { frame: 0, sampled: { detected: 0, survived: 0, noCoverage: 0 }, rest: empty() })
  for (const k of frame) {
    const folder = folderOf(k.split(':')[0])
    if (folder) slot(folder).frame++
  }
  for (const m of mutants.values()) {
    const folder = folderOf(m.file)
    if (!folder) continue
    const c = slot(folder)
    if (frame.has(keyOf(m))) {
      if (sampled.has(keyOf(m))) {
        const st =
          m.status === 'Killed' || m.status === 'Timeout'
            ? 'detected'
            : m.status === 'Survived'
              ? matchEq(m)
                ? null
                : 'survived'
              : 'noCoverage'
        if (st) c.sampled[st]++
      }
    } else {
      const st =
        m.status === 'Killed'
          ? 'killed'
          : m.status === 'Timeout'
            ? 'timeout'
            : m.status === 'Survived'
              ? matchEq(m)
                ? 'equivalent'
                : 'survived'
              : m.status === 'NoCoverage'
                ? 'noCoverage'
                : 'errors'
      c.rest[st]++
    }
  }
  const folders = {}
  for (const [folder, c] of Object.entries(perFolder)) {
    const n = c.sampled.detected + c.sampled.survived + c.sampled.noCoverage
    if (!c.frame || !n) continue
    const reached = c.sampled.detected + c.sampled.survived
    const counts = (rate) => ({
      detected: c.rest.killed + c.rest.timeout + c.frame * (reached / n) * rate,
      survived: c.rest.survived + c.frame * (reached / n) * (1 - rate),
    })
    const est = (rate) => {
      const { detected, survived } = counts(rate)
      return pct(detected, detected + survived)
    }
    const [lo, hi] = wilson(c.sampled.detected, reached)
    folders[folder] = {
      frame: c.frame,
      sampled: n,
      ...c.sampled,
      killRateInSample: pct(c.sampled.detected, reached),
      killRateCI95: [lo === null ? null : pct(lo, 1), hi === null ? null : pct(hi, 1)],
      scoreCoveredEstimate: reached ? est(c.sampled.detected / reached) : null,
      scoreCoveredCI95: reached ? [est(lo), est(hi)] : null,
      // The folder's covered mutants as the estimate counts them, at the sample's rate and at
      // its interval's ends (for the overall estimate below).
      counts: reached ? [lo, c.sampled.detected / reached, hi].map(counts) : null,
    }
  }
  return { sample: sample.name, seed: sample.seed, fraction: sample.fraction, folders }
})

// Overall, as if every sampled frame had run: sampled folders by their estimate's counts,
// the others as measured. The interval takes every folder's interval end at once (a bound
// wider than a joint 95 % interval).
const overallEstimate = (() => {
  const sampled = new Map()
  for (const e of estimates) for (const [f, x] of Object.entries(e.folders)) if (x.counts) sampled.set(f, x.counts)
  if (!sampled.size) return undefined
  const at = (i) => {
    let det = 0
    let surv = 0
    for (const f of FOLDERS) {
      const s = sampled.get(f)?.[i]
      const c = byFolder[f]
      det += s ? s.detected : c.killed + c.timeout
      surv += s ? s.survived : c.survived
    }
    return pct(det, det + surv)
  }
  return { scoreCoveredEstimate: at(1), bounds: [at(0), at(2)], sampledFolders: [...sampled.keys()] }
})()

let commit
try {
  commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim()
} catch {
  commit = undefined
}
const out = {
  generatedAt: new Date().toISOString(),
  commit,
  runtimeSeconds: args.has('--merge-only') ? undefined : Math.round((Date.now() - t0) / 1000),
  runs,
  reports: usedReports,
  targets: { overallCovered: 85, 'src/graph': 90, 'src/cache': 90 },
  overall: score(overall),
  folders: Object.fromEntries(Object.entries(byFolder).map(([f, c]) => [f, score(c)])),
  // Where a folder was only sampled: its covered score estimated from the sample (see notes).
  estimates,
  overallEstimate,
  scope,
  notes: [
    'scoreCovered = (killed + timeout) / (killed + timeout + survived), equivalent mutants (listed below, each with why) left out; scoreCoveredRaw counts them as survivors; scoreAll also counts no-coverage mutants.',
    'node run: every mutated folder against the *.node.test.ts tests (Vitest node project, per-test coverage).',
    'browser runs: the groups listed in reports (stryker/browser.config.mjs) against real-Chromium *.browser.test.ts tests; the other groups were not run, so their browser-only code counts as no coverage.',
    'Never covered: code that runs only inside a Web Worker (Stryker switches a mutant on in the page, not in the worker), and the Playwright e2e specs (not a Stryker runner).',
    'estimates: a browser run over a random sample of the mutants no other run detected (stryker/ranges.mjs --sample, seeded); per folder, the frame (those open mutants, spanning at most two lines) is extrapolated from the sampled ones: scoreCoveredEstimate, with a 95 % interval from the Wilson interval of the sample kill rate. The folder figures above count only what ran.',
    'scope: per folder, the files (and the line span of their mutants) each run mutated; notMeasured files were mutated by no run, so the folder figure says nothing about them.',
    ...extraNotes,
  ],
  staleReports: staleFiles,
  survivors,
  equivalent,
  staleEquivalents: [...staleEq].map((e) => ({ ...e, note: 'no surviving mutant matches this entry any more' })),
}
mkdirSync(resolve(root, 'bench/results'), { recursive: true })
writeFileSync(resolve(root, 'bench/results/mutation.json'), JSON.stringify(out, null, 2) + '\n')

console.log('\nmutation score (covered mutants killed, equivalents left out):')
for (const [f, c] of Object.entries(out.folders)) {
  console.log(
    `  ${f.padEnd(14)} ${String(c.scoreCovered ?? '-').padStart(5)} %   killed ${c.killed + c.timeout}, survived ${c.survived}, equivalent ${c.equivalent}, no coverage ${c.noCoverage}`,
  )
}
console.log(
  `  ${'overall'.padEnd(14)} ${String(out.overall.scoreCovered).padStart(5)} %   (${survivors.length} survivors listed in bench/results/mutation.json)`,
)
if (out.runtimeSeconds !== undefined) console.log(`  runtime ${out.runtimeSeconds}s`)
