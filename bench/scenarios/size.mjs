// Size: each library's typical import, bundled the same way (rollup + node-resolve for the
// browser + commonjs + terser, `ws` external), minified and gzipped. Lifeline's CDN file
// (the IIFE the size budget is about) is measured as it was built.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import commonjs from '@rollup/plugin-commonjs'
import resolve from '@rollup/plugin-node-resolve'
import terser from '@rollup/plugin-terser'
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

async function bundle({ name, code }) {
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

export async function size(config = {}) {
  const results = []
  for (const entry of ENTRIES) {
    const result = { name: entry.name, label: entry.label, entry: entry.code, ...measure(await bundle(entry)) }
    results.push(result)
    config.log?.(`  ${entry.label.padEnd(28)} ${result.minBytes} B min, ${result.gzipBytes} B min+gzip`)
  }
  const iife = measure(readFileSync(LIFELINE_IIFE, 'utf8'))
  config.log?.(`  Lifeline IIFE (CDN file)     ${iife.minBytes} B min, ${iife.gzipBytes} B min+gzip`)
  return { results, lifelineIife: { file: 'packages/core/dist/lifeline.iife.min.js', ...iife } }
}
