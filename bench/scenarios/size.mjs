// Size: every Lifeline entry and each peer library's typical import, bundled two ways with the
// same settings for every one, gzip level 9: rollup + node-resolve for the browser + commonjs +
// terser, and esbuild (bundle, minify, ESM, browser, target es2020: what esbuild users see, and
// what the import budget is stated for). `ws` and the frameworks (react, vue) are external: an
// app has them already. An entry with `over` is also reported as what it adds to that entry
// (the difference of the two bundles). The CDN files (the IIFEs) are measured as built.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import commonjs from '@rollup/plugin-commonjs'
import resolve from '@rollup/plugin-node-resolve'
import terser from '@rollup/plugin-terser'
import { build as esbuild, version as esbuildVersion } from 'esbuild'
import { rollup } from 'rollup'

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url))
const PACKAGES = fileURLToPath(new URL('../../packages/', import.meta.url))
const CORE = "export { connect } from '@lifeline/core'"

/**
 * Each entry is the code an app would write to use the library. `group`: 'lifeline', 'dev'
 * (a test-only package: its size is informational) or 'peer'.
 */
export const ENTRIES = [
  { name: 'lifeline', label: '@lifeline/core', group: 'lifeline', code: CORE },
  {
    name: 'lifeline-request',
    label: '@lifeline/core, request used',
    group: 'lifeline',
    code: "import { connect } from '@lifeline/core'\nexport const ask = (url) => connect(url).request('getUser', { id: 1 })",
    over: 'lifeline',
  },
  {
    name: 'lifeline-raw',
    label: '@lifeline/core + rawCodec',
    group: 'lifeline',
    code: "export { connect, rawCodec } from '@lifeline/core'",
    over: 'lifeline',
  },
  {
    name: 'lifeline-all',
    label: '@lifeline/core, whole API',
    group: 'lifeline',
    code: "export * from '@lifeline/core'",
    over: 'lifeline',
  },
  {
    name: 'lifeline-tabs',
    label: '@lifeline/core/tabs',
    group: 'lifeline',
    code: `${CORE}\nexport { connectShared } from '@lifeline/core/tabs'`,
    over: 'lifeline',
  },
  {
    name: 'lifeline-websocket',
    label: '@lifeline/core/websocket',
    group: 'lifeline',
    code: `${CORE}\nexport { LifelineWebSocket } from '@lifeline/core/websocket'`,
    over: 'lifeline',
  },
  {
    name: 'lifeline-channels',
    label: '@lifeline/core/channels',
    group: 'lifeline',
    code: `${CORE}\nexport { channel } from '@lifeline/core/channels'`,
    over: 'lifeline',
  },
  {
    name: 'lifeline-react',
    label: '@lifeline/react',
    group: 'lifeline',
    code: `${CORE}\nexport * from '@lifeline/react'`,
    over: 'lifeline',
    external: ['react', 'react/jsx-runtime'],
  },
  {
    name: 'lifeline-vue',
    label: '@lifeline/vue',
    group: 'lifeline',
    code: `${CORE}\nexport * from '@lifeline/vue'`,
    over: 'lifeline',
    external: ['vue', '@vue/reactivity'],
  },
  {
    name: 'lifeline-testing',
    label: '@lifeline/testing',
    group: 'dev',
    code: "export * from '@lifeline/testing'",
  },
  {
    name: 'reconnecting-websocket',
    label: 'reconnecting-websocket',
    group: 'peer',
    code: "export { default } from 'reconnecting-websocket'",
  },
  {
    name: 'partysocket',
    label: 'partysocket (PartySocket)',
    group: 'peer',
    code: "export { default } from 'partysocket'",
  },
  {
    name: 'partysocket-ws',
    label: 'partysocket (WebSocket)',
    group: 'peer',
    code: "export { WebSocket } from 'partysocket'",
  },
  { name: 'socket.io-client', label: 'socket.io-client', group: 'peer', code: "export { io } from 'socket.io-client'" },
  { name: 'centrifuge', label: 'centrifuge', group: 'peer', code: "export { Centrifuge } from 'centrifuge'" },
]

/**
 * The CDN files, as built. `needs`: the files a page loads before this one (their globals).
 */
export const IIFES = [
  { name: 'core', file: 'core/dist/lifeline.iife.min.js', label: 'the `@lifeline/core` API, eventemitter3 included' },
  {
    name: 'tabs',
    file: 'core/dist/lifeline-tabs.iife.min.js',
    label: 'adds `Lifeline.connectShared`',
    needs: ['lifeline.iife.min.js'],
  },
  {
    name: 'websocket',
    file: 'core/dist/lifeline-websocket.iife.min.js',
    label: 'adds `Lifeline.LifelineWebSocket`',
    needs: ['lifeline.iife.min.js'],
  },
  {
    name: 'channels',
    file: 'core/dist/lifeline-channels.iife.min.js',
    label: 'adds `Lifeline.channel`',
    needs: ['lifeline.iife.min.js'],
  },
  {
    name: 'react',
    file: 'react/dist/lifeline-react.iife.min.js',
    label: 'the `@lifeline/react` API as `LifelineReact`',
    needs: ['React', 'lifeline.iife.min.js'],
  },
  {
    name: 'vue',
    file: 'vue/dist/lifeline-vue.iife.min.js',
    label: 'the `@lifeline/vue` API as `LifelineVue`',
    needs: ['Vue', 'lifeline.iife.min.js'],
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
  // As an app that installed the packages sees them: the repository's tsconfig maps
  // '@lifeline/core' to its TypeScript sources, which esbuild would otherwise follow.
  tsconfigRaw: {},
}

const externals = (entry) => ['ws', ...(entry.external ?? [])]

async function rollupBundle(entry) {
  const { name, code } = entry
  // A path inside bench/ (never written), so bare imports resolve from this workspace.
  const id = `${BENCH_DIR}__size-entry-${name}.js`
  const build = await rollup({
    input: id,
    external: externals(entry),
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

async function esbuildBundle(entry) {
  const { name, code } = entry
  const { outputFiles } = await esbuild({
    ...ESBUILD,
    external: externals(entry),
    stdin: { contents: code, resolveDir: BENCH_DIR, sourcefile: `size-entry-${name}.js` },
    write: false,
    logLevel: 'silent',
  })
  const text = outputFiles[0].text
  // es2022 class private fields (#x) left in the output would mean the target did not apply.
  if (/[.{;]#[A-Za-z_$]/.test(text)) throw new Error(`${name}: esbuild left class private fields at target es2020`)
  return text
}

/** `fn` over `items`, at most `width` at a time; the results in the order of `items`. */
async function inTurns(items, width, fn) {
  const results = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i])
    }
  }
  await Promise.all(Array.from({ length: width }, worker))
  return results
}

/** @param config { rollupOnly?: string[] (entry names; null: every entry), log? } */
export async function size(config = {}) {
  // Two bundles at a time: terser runs in a worker, so the second core is not idle meanwhile.
  const withRollup = (entry) => !config.rollupOnly || config.rollupOnly.includes(entry.name)
  const results = await inTurns(ENTRIES, 2, async (entry) => ({
    name: entry.name,
    label: entry.label,
    group: entry.group,
    entry: entry.code,
    external: externals(entry),
    over: entry.over ?? null,
    ...(withRollup(entry) ? measure(await rollupBundle(entry)) : { minBytes: null, gzipBytes: null }),
    esbuild: measure(await esbuildBundle(entry)),
  }))
  for (const result of results) {
    const rolled =
      result.minBytes === null
        ? 'rollup+terser not run'
        : `rollup+terser ${result.minBytes} B min, ${result.gzipBytes} B min+gzip`
    config.log?.(
      `  ${result.label.padEnd(30)} ${rolled}; esbuild es2020 ${result.esbuild.minBytes} B min, ${result.esbuild.gzipBytes} B min+gzip`,
    )
  }
  // What an entry adds to the one it builds on, both bundlers.
  for (const result of results) {
    const base = result.over && results.find((r) => r.name === result.over)
    result.added = base
      ? {
          gzipBytes: result.gzipBytes === null ? null : result.gzipBytes - base.gzipBytes,
          esbuildGzipBytes: result.esbuild.gzipBytes - base.esbuild.gzipBytes,
        }
      : null
  }
  const iifes = IIFES.map((iife) => {
    const measured = {
      ...iife,
      file: `packages/${iife.file}`,
      ...measure(readFileSync(`${PACKAGES}${iife.file}`, 'utf8')),
    }
    config.log?.(`  ${iife.file.padEnd(42)} ${measured.minBytes} B min, ${measured.gzipBytes} B min+gzip (as built)`)
    return measured
  })
  return {
    esbuildSettings: { ...ESBUILD, version: esbuildVersion },
    results,
    iifes,
    lifelineIife: iifes[0],
  }
}
