// `npm run demo`: build the library and the static site, then serve the site as plain files.
import { spawnSync } from 'node:child_process'

const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status || 1)
}
run('node', ['scripts/build.mjs'])
console.log('\nswitchboard demo: open http://127.0.0.1:4173/ (Ctrl+C to stop)\n')
run('npx', ['vite', 'preview', '--port', '4173', '--host', '127.0.0.1'])
