// Checks the published types as a user's project sees them: the packed tarball unpacked into
// a fresh node_modules, compiled by tsc under `moduleResolution: nodenext` and `bundler`.
// The consumer file makes deliberate type errors; the check passes only when tsc reports
// exactly those (so a type that silently became `any` fails it: its error disappears).
// Needs dist/ (node scripts/build.mjs lib). Offline: the dependencies are linked from ours.
//   node scripts/consumer.mjs
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const dir = mkdtempSync(join(tmpdir(), 'switchboard-consumer-'))

// Each line marked `// expect TSxxxx` must carry that error, and no other line any error.
const consumer = `import { createBoard, isHandle, type Store } from 'switchboard'
import { exposeTasks } from 'switchboard/worker'
import { useStore } from 'switchboard/preact'
import { mountDevPanel } from 'switchboard/devtools'

const board = createBoard({ name: 'consumer' })
const n: Store<number> = board.store('n', { initial: 1 })
n.set(2)
n.set('two') // expect TS2345
createBoard({ title: 'no name' }) // expect TS2353
const twice = board.store('twice', { initial: 0 })
board.callback({ inputs: [n], outputs: twice, run: (v) => v * 2 })
board.callback({ inputs: [n], outputs: twice, run: (v) => String(v) }) // expect TS2322
const flag: boolean = isHandle(null)
exposeTasks({ double: (x: number) => x * 2 })
exposeTasks('not tasks') // expect TS2345
export { flag, useStore, mountDevPanel }
`

try {
  const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: root, encoding: 'utf8' })
  const tarball = join(dir, out.trim().split('\n').pop())
  const pkg = join(dir, 'node_modules', 'switchboard')
  mkdirSync(pkg, { recursive: true })
  execFileSync('tar', ['-xzf', tarball, '-C', pkg, '--strip-components=1'])
  for (const dep of ['idb-keyval', 'preact', '@dagrejs']) {
    symlinkSync(join(root, 'node_modules', dep), join(dir, 'node_modules', dep), 'dir')
  }
  writeFileSync(join(dir, 'package.json'), '{ "name": "consumer", "private": true, "type": "module" }\n')
  writeFileSync(join(dir, 'consumer.ts'), consumer)
  const expected = consumer
    .split('\n')
    .flatMap((line, i) => [...line.matchAll(/expect (TS\d+)/g)].map((m) => `consumer.ts:${i + 1} ${m[1]}`))

  let failed = false
  for (const resolution of ['nodenext', 'bundler']) {
    const options = {
      strict: true,
      // The setting under which broken package types used to turn into `any` silently.
      skipLibCheck: true,
      noEmit: true,
      module: resolution === 'nodenext' ? 'nodenext' : 'esnext',
      moduleResolution: resolution,
      target: 'es2022',
      lib: ['es2023', 'dom', 'dom.iterable'],
      jsx: 'react-jsx',
      jsxImportSource: 'preact',
      types: [],
    }
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, files: ['consumer.ts'] }))
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
    const r = spawnSync(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { cwd: dir, encoding: 'utf8' })
    const seen = [...r.stdout.matchAll(/^(consumer\.ts)\((\d+),\d+\): error (TS\d+)/gm)].map(
      (m) => `${m[1]}:${m[2]} ${m[3]}`,
    )
    const other = r.stdout.split('\n').filter((l) => l.trim() && !/^consumer\.ts\(/.test(l) && !/^\s/.test(l))
    const missing = expected.filter((e) => !seen.includes(e))
    const extra = seen.filter((e) => !expected.includes(e))
    if (missing.length || extra.length || other.length) {
      failed = true
      console.error(`[switchboard] consumer types (${resolution}): the packed types do not type-check as expected.`)
      if (missing.length) console.error(`  errors that should be reported but are not (a type became any?): ${missing}`)
      if (extra.length || other.length) console.error(`  unexpected errors:\n${r.stdout}`)
    } else {
      console.log(`consumer types (${resolution}): ${expected.length} deliberate errors reported, nothing else`)
    }
  }
  if (failed) process.exitCode = 1
} finally {
  if (!process.env.KEEP_CONSUMER) rmSync(dir, { recursive: true, force: true })
  else console.log(`kept ${dir}: ${readdirSync(dir)}`)
}
