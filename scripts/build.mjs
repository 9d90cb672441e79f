// Builds the library (ES modules, two IIFE globals, .d.ts) and the static demo site.
//   node scripts/build.mjs        both
//   node scripts/build.mjs lib    library only -> dist/
//   node scripts/build.mjs site   site only    -> dist-site/ (expects dist/ for the script-tag page)
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs'
import { resolve } from 'node:path'
import { build } from 'vite'
import { fixDeclarationSpecifiers } from './dts-specifiers.mjs'

const root = resolve(import.meta.dirname, '..')
const what = process.argv[2] ?? 'all'
const quiet = { logLevel: 'warn', configFile: false, root }

async function buildLib() {
  rmSync(resolve(root, 'dist'), { recursive: true, force: true })
  // ES modules for bundlers: dependencies stay external so apps dedupe them.
  await build({
    ...quiet,
    build: {
      outDir: 'dist',
      emptyOutDir: false,
      sourcemap: true,
      minify: false,
      lib: {
        entry: {
          switchboard: resolve(root, 'src/index.ts'),
          preact: resolve(root, 'src/preact/index.ts'),
          worker: resolve(root, 'src/worker/index.ts'),
          devtools: resolve(root, 'src/devtools/index.ts'),
        },
        formats: ['es'],
      },
      rolldownOptions: { external: [/^preact/, /^@dagrejs\/dagre/, 'idb-keyval'] },
    },
  })
  // switchboard/testing runs in Node under Playwright, not in the page: its own small build,
  // with @playwright/test (an optional peer dependency) left to the user's install.
  await build({
    ...quiet,
    build: {
      outDir: 'dist',
      emptyOutDir: false,
      sourcemap: true,
      minify: false,
      target: 'node20',
      lib: { entry: { testing: resolve(root, 'src/testing/index.ts') }, formats: ['es'] },
      rolldownOptions: { external: [/^@playwright\/test/, /^node:/] },
    },
  })
  // Plain <script> globals: everything bundled and minified, one file per thread.
  for (const [entry, name, file] of [
    ['src/index.ts', 'Switchboard', 'switchboard.iife.js'],
    ['src/worker/index.ts', 'SwitchboardWorker', 'switchboard.worker.iife.js'],
  ]) {
    await build({
      ...quiet,
      build: {
        outDir: 'dist',
        emptyOutDir: false,
        sourcemap: true,
        lib: { entry: resolve(root, entry), name, formats: ['iife'], fileName: () => file },
      },
    })
  }
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' })
  // Published types must resolve under node16/nodenext too (see dts-specifiers.mjs).
  fixDeclarationSpecifiers(resolve(root, 'dist/types'))
}

async function buildSite() {
  await build({ root, logLevel: 'warn' })
  // The script-tag example loads the IIFE bundles as a user would, from plain files.
  if (existsSync(resolve(root, 'dist'))) {
    mkdirSync(resolve(root, 'dist-site/dist'), { recursive: true })
    cpSync(resolve(root, 'dist'), resolve(root, 'dist-site/dist'), {
      recursive: true,
      filter: (src) => !src.includes('/types'),
    })
  }
  if (existsSync(resolve(root, 'examples'))) {
    // examples/testing holds Playwright specs (Node code), not pages of the site.
    const specs = resolve(root, 'examples/testing')
    cpSync(resolve(root, 'examples'), resolve(root, 'dist-site/examples'), {
      recursive: true,
      filter: (src) => !src.startsWith(specs),
    })
  }
}

if (what === 'lib' || what === 'all') await buildLib()
if (what === 'site' || what === 'all') await buildSite()
