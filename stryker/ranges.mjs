// Prints a STRYKER_MUTATE value (comma-separated `file:start-end` line ranges) that covers
// every mutant no run has detected yet: survived or without coverage in any report in
// reports/mutation/, and not killed or timed out in another (reports of an older version of
// a file are left out for that file, as in the merge). A browser run given it tests
// only what the node runs left (the merge keeps each mutant's strongest status).
//
//   node stryker/ranges.mjs [--only src/graph,src/cache] [--skip src/graph/kept.ts]
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const args = process.argv.slice(2)
const listArg = (name) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1].split(',').filter(Boolean) : []
}
const only = listArg('--only')
const skip = listArg('--skip')
const dir = 'reports/mutation'
const status = new Map() // file\0line:col\0mutator\0replacement -> { detected, line, endLine, file }
for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
  const report = JSON.parse(readFileSync(join(dir, name), 'utf8'))
  for (const [file, f] of Object.entries(report.files ?? {})) {
    // As the merge does (scripts/mutate.mjs): a report of an older version of the file names other lines.
    if (f.source !== undefined && (!existsSync(file) || f.source !== readFileSync(file, 'utf8'))) continue
    for (const m of f.mutants) {
      const key = [file, `${m.location.start.line}:${m.location.start.column}`, m.mutatorName, m.replacement].join('\0')
      const detected = m.status === 'Killed' || m.status === 'Timeout'
      const open = m.status === 'Survived' || m.status === 'NoCoverage'
      const prev = status.get(key)
      status.set(key, {
        file,
        line: m.location.start.line,
        endLine: m.location.end.line,
        detected: (prev?.detected ?? false) || detected,
        open: (prev?.open ?? false) || open,
      })
    }
  }
}
const byFile = new Map()
for (const m of status.values()) {
  if (m.detected || !m.open) continue
  if (only.length && !only.some((p) => m.file.startsWith(p))) continue
  if (skip.some((p) => m.file.startsWith(p))) continue
  const list = byFile.get(m.file) ?? []
  list.push([m.line, m.endLine])
  byFile.set(m.file, list)
}
const out = []
for (const [file, list] of [...byFile].sort()) {
  list.sort((a, b) => a[0] - b[0])
  const merged = []
  for (const [s, e] of list) {
    const last = merged[merged.length - 1]
    if (last && s <= last[1] + 1) last[1] = Math.max(last[1], e)
    else merged.push([s, e])
  }
  for (const [s, e] of merged) out.push(`${file}:${s}-${e}`)
}
console.error(
  `${[...byFile.values()].reduce((a, l) => a + l.length, 0)} open mutants in ${byFile.size} files, ${out.length} ranges`,
)
console.log(out.join(','))
