// Size: each library's typical import, bundled two ways with the same settings for every
// library, `ws` external, gzip level 9: rollup + node-resolve for the browser + commonjs +
// terser, and esbuild (bundle, minify, ESM, browser, target es2020: what esbuild users see, and
// what the import budget is stated for). Lifeline's CDN file (the IIFE) is measured as built.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import commonjs from '@rollup/plugin-commonjs'
import resolve from '@rollup/plugin-node-resolve'
import terser from '@rollup/plugin-terser'
import { build as esbuild, version as esbuildVersion } from 'esbuild'
import { rollup } from 'rollup'

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url))
const LIFELINE_IIFE = fileURLToPath(new URL('../../packages/core/dist/lifeline.iife.min.js', import.meta.url))

/** Each entry is the code an app would write to use the library. */
export const ENTRIES = [
  { name: 'lifeline', label: 'Lifeline', code: "export { connect } from '@lifeline/core'" },
  {
    name: 'lifeline-raw',
    label: 'Lifeline + rawCodec',
    code: "export { connect, rawCodec } from '@lifeline/core'",
  },
  {
    name: 'reconnecting-websocket',
    label: 'reconnecting-websocket',
    code: "export { default } from 'reconnecting-websocket'",
  },
  { name: 'partysocket', label: 'partysocket (PartySocket)', code: "export { default } from 'partysocket'" },
  {
    name: 'partysocket-ws',
    label: 'partysocket (WebSocket)',
    code: "export { WebSocket } from 'partysocket'",
  },
]

/** Same settings as the project's own IIFE build, so Lifeline's numbers are comparable. */
const TERSER = { ecma: 2022, compress: { passes: 3, pure_getters: true }, format: { comments: false } }

function virtualEntry(id, code) {
  return {
    name: 'virtual-entry',
    resolveId: (source) => (source === id ? id : null),
    load: (source) => (source === id ? code : null),
  }
}

export function measure(code) {
  const bytes = Buffer.byteLength(code)
  return { minBytes: bytes, gzipBytes: gzipSync(code, { level: 9 }).length }
}

/** esbuild's settings, the same for every library (and for `npm run size`, see .size-limit.cjs). */
export const ESBUILD = {
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  external: ['ws'],
  // As an app that installed the packages sees them: the repository's tsconfig maps
  // '@lifeline/core' to its TypeScript sources, which esbuild would otherwise follow.
  tsconfigRaw: {},
}

async function rollupBundle({ name, code }) {
  // A path inside bench/ (never written), so bare imports resolve from this workspace.
  const id = `${BENCH_DIR}__size-entry-${name}.js`
  const build = await rollup({
    input: id,
    external: ['ws'],
    onwarn: () => {},
    plugins: [virtualEntry(id, code), resolve({ browser: true }), commonjs(), terser(TERSER)],
  })
  try {
    const { output } = await build.generate({ format: 'es' })
    return output[0].code
  } finally {
    await build.close()
  }
}

async function esbuildBundle({ name, code }) {
  const { outputFiles } = await esbuild({
    ...ESBUILD,
    stdin: { contents: code, resolveDir: BENCH_DIR, sourcefile: `size-entry-${name}.js` },
    write: false,
    logLevel: 'silent',
  })
  const text = outputFiles[0].text
  // es2022 class private fields (#x) left in the output would mean the target did not apply.
  if (/[.{;]#[A-Za-z_$]/.test(text)) throw new Error(`${name}: esbuild left class private fields at target es2020`)
  return text
}

export async function size(config = {}) {
  const results = []
  for (const entry of ENTRIES) {
    const result = {
      name: entry.name,
      label: entry.label,
      entry: entry.code,
      ...measure(await rollupBundle(entry)),
      esbuild: measure(await esbuildBundle(entry)),
    }
    results.push(result)
    config.log?.(
      `  ${entry.label.padEnd(28)} rollup+terser ${result.minBytes} B min, ${result.gzipBytes} B min+gzip; esbuild es2020 ${result.esbuild.minBytes} B min, ${result.esbuild.gzipBytes} B min+gzip`,
    )
  }
  const iife = measure(readFileSync(LIFELINE_IIFE, 'utf8'))
  config.log?.(`  Lifeline IIFE (CDN file)     ${iife.minBytes} B min, ${iife.gzipBytes} B min+gzip`)
  return {
    esbuildSettings: { ...ESBUILD, version: esbuildVersion },
    results,
    lifelineIife: { file: 'packages/core/dist/lifeline.iife.min.js', ...iife },
  }
}
