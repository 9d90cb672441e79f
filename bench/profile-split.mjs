// `node bench/profile-split.mjs <file.cpuprofile> [top]`: where the time of each named
// bench root went. P1 and P2 wrap each implementation's unit of work in a named function
// (p1_ours, p1_alien, p1_preact, p2_ours, p2_alien); this attributes every sample to the
// nearest such root on its stack and prints, per root, its total and the self time per
// function beneath it, heaviest first. `npm run bench -- P1 --profile` writes the profile
// (its path is printed); VITE_P1_CASES=deep profiles one case alone.
import { readFileSync } from 'node:fs'

const [file, topArg] = process.argv.slice(2)
if (!file) {
  console.error('usage: node bench/profile-split.mjs <file.cpuprofile> [top]')
  process.exit(2)
}
const top = Number(topArg ?? 12)
const cpu = JSON.parse(readFileSync(file, 'utf8'))
const byId = new Map(cpu.nodes.map((n) => [n.id, n]))
const parent = new Map()
for (const n of cpu.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
const rootOf = new Map()
/** The nearest named bench root above a node (memoised), or undefined. */
function root(id) {
  if (rootOf.has(id)) return rootOf.get(id)
  const node = byId.get(id)
  const name = node.callFrame.functionName
  const r = /^p\d+_\w+$/.test(name) ? name : parent.has(id) ? root(parent.get(id)) : undefined
  rootOf.set(id, r)
  return r
}
const per = new Map()
for (let i = 0; i < cpu.samples.length; i++) {
  const id = cpu.samples[i]
  const r = root(id)
  if (!r) continue
  const ms = (cpu.timeDeltas[i + 1] ?? 0) / 1000
  const { functionName, url, lineNumber } = byId.get(id).callFrame
  const key = `${functionName || '(anonymous)'} ${url.split('/').pop()}:${lineNumber + 1}`
  const entry = per.get(r) ?? { total: 0, self: new Map() }
  entry.total += ms
  entry.self.set(key, (entry.self.get(key) ?? 0) + ms)
  per.set(r, entry)
}
for (const [r, { total, self }] of [...per].sort((a, b) => a[0].localeCompare(b[0]))) {
  console.log(`\n${r}: ${total.toFixed(1)} ms sampled`)
  for (const [key, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`  ${ms.toFixed(1).padStart(8)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${key}`)
}
