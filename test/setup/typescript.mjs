// Loads the project's TypeScript in every test process (.taprc: node-arg), in the loading thread. tap's default,
// ts-node in a loader thread of its own, spends about 2 s of CPU per test file before its first test runs (tap.env
// turns it off). Each file is compiled by TypeScript's own emitter (transpileModule, as ts-node and tsc do: the
// source maps then agree with dist/'s, and coverage from a spawned `b24bi serve` and from the test process add up
// to one count per function) and kept under node_modules/.cache/b24bi/typescript, keyed by its path, its text and
// the compiler's version; V8's compile cache keeps the dependencies' bytecode. A test process then compiles only
// what changed, and loads TypeScript only to do so. Sources import each other as `./x.js` (what tsc emits); the
// file on disk is `x.ts`. On a Node without `registerHooks` (before 22.15) this does nothing: run tap there with
// TAP_TYPE_STRIP_ONLY=0, and tap's ts-node compiles the files.
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import module from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const CACHE = fileURLToPath(new URL('../../node_modules/.cache/b24bi/typescript/', import.meta.url))
const require = module.createRequire(import.meta.url)
const VERSION = JSON.parse(readFileSync(require.resolve('typescript/package.json'), 'utf8')).version

/** The file's JavaScript, from the cache or compiled now (and cached: written whole, then renamed into place). */
function compile (url, source) {
  const key = createHash('sha1').update(`${VERSION}\0${url}\0${source}`).digest('hex')
  const cached = join(CACHE, `${key}.js`)
  try {
    return readFileSync(cached, 'utf8')
  } catch {}
  const ts = require('typescript')
  const { outputText } = ts.transpileModule(source, {
    fileName: fileURLToPath(url),
    // tsconfig.json's target; ES modules, as Node loads every file of this package.
    compilerOptions: { target: ts.ScriptTarget.ES2024, module: ts.ModuleKind.ESNext, inlineSourceMap: true, inlineSources: true }
  })
  try {
    mkdirSync(CACHE, { recursive: true })
    const temporary = `${cached}.${process.pid}`
    writeFileSync(temporary, outputText)
    renameSync(temporary, cached)
  } catch {} // a read-only tree: no cache, the same code
  return outputText
}

if (typeof module.registerHooks === 'function') {
  module.enableCompileCache?.(join(CACHE, '../v8'))
  module.registerHooks({
    resolve (specifier, context, next) {
      try {
        return next(specifier, context)
      } catch (error) {
        const js = /^((?:\.|\/|file:).*)\.js([?#].*)?$/.exec(specifier)
        if (error?.code !== 'ERR_MODULE_NOT_FOUND' || js === null) throw error
        return next(`${js[1]}.ts${js[2] ?? ''}`, context)
      }
    },
    load (url, context, next) {
      if (!url.startsWith('file:') || !new URL(url).pathname.endsWith('.ts') || url.includes('/node_modules/')) return next(url, context)
      return { format: 'module', source: compile(url, readFileSync(fileURLToPath(url), 'utf8')), shortCircuit: true }
    }
  })
}
