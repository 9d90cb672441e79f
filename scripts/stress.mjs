// `npm run test:stress`: the whole `npm test` while every core is kept busy, as on a
// loaded CI machine. It exists because a fresh-clone `npm test` once failed on a test that
// hit a 5 s timeout under load (S26); no test may depend on the machine's speed.
// One `yes > /dev/null` per core (at least two) competes with the suite for the whole run.
import { spawn, spawnSync } from 'node:child_process'
import { availableParallelism } from 'node:os'

const burners = Array.from({ length: Math.max(2, availableParallelism()) }, () =>
  spawn('yes', [], { stdio: ['ignore', 'ignore', 'ignore'] }),
)
const stop = () => {
  for (const b of burners) b.kill('SIGKILL')
}
process.on('exit', stop)
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130))

console.log(`[switchboard] ${burners.length} busy processes started; running npm test under load`)
const t0 = Date.now()
const r = spawnSync('node', ['scripts/test.mjs'], { stdio: 'inherit' })
console.log(
  `[switchboard] npm test under load: exit ${r.status ?? r.signal} after ${((Date.now() - t0) / 1000).toFixed(0)} s`,
)
process.exit(r.status ?? 1)
