// Makes the emitted declarations resolve under `moduleResolution: node16 / nodenext`.
//
// src/ imports siblings without an extension (`from './board'`), which `bundler` resolution
// accepts and tsc copies into the .d.ts as is. Node's ESM resolution (and TypeScript's
// node16/nodenext, which follows it) needs the full file name, so a consumer with those
// settings could not follow `./graph/board` and every type behind it became `any` (attw:
// "internal resolution error"). Here every relative specifier in dist/types is rewritten to
// the file that exists: `./board` -> `./board.js`, `./aggregate` -> `./aggregate/index.js`.
// Specifiers are found with the TypeScript parser, so text in comments and strings is left
// alone; a specifier that matches no emitted file fails the build.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'

/** Rewrites every .d.ts under `dir` in place; returns how many specifiers changed. */
export function fixDeclarationSpecifiers(dir) {
  let changed = 0
  for (const file of declarationFiles(dir)) {
    const text = readFileSync(file, 'utf8')
    const edits = relativeSpecifiers(file, text).map((lit) => ({
      start: lit.getStart() + 1, // inside the quotes
      end: lit.getEnd() - 1,
      to: withExtension(file, lit.text, dir),
    }))
    if (edits.length === 0) continue
    let out = text
    for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.to + out.slice(e.end)
    writeFileSync(file, out)
    changed += edits.length
  }
  return changed
}

function declarationFiles(dir) {
  return readdirSync(dir, { recursive: true })
    .map((f) => join(dir, String(f)))
    .filter((f) => f.endsWith('.d.ts') && statSync(f).isFile())
}

/** The string literals naming a relative module: import/export ... from, import("..") types. */
function relativeSpecifiers(file, text) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const found = []
  const visit = (node) => {
    let spec
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      spec = node.moduleSpecifier
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      spec = node.argument.literal
    } else if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) {
      spec = node.name
    }
    if (spec && ts.isStringLiteral(spec) && spec.text.startsWith('.')) found.push(spec)
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

function withExtension(file, spec, root) {
  if (/\.(m|c)?js$/.test(spec)) return spec
  const target = resolve(dirname(file), spec)
  if (isFile(`${target}.d.ts`)) return `${spec}.js`
  if (isFile(join(target, 'index.d.ts'))) return `${spec.replace(/\/$/, '')}/index.js`
  throw new Error(
    `[switchboard] build: ${relative(root, file)} imports '${spec}', which matches no emitted declaration.`,
  )
}

function isFile(path) {
  try {
    return statSync(path).isFile()
  } catch {
    return false // absent: the caller tries the next candidate
  }
}
