// One row per package, one entry per subpath export. Each entry builds ESM + CJS (dependencies
// external), declarations for both (.d.ts and .d.cts), and, where it has one, a minified IIFE
// for <script> tags with a source map, whose Subresource Integrity hash goes to dist/sri.json
// and into the docs' CDN snippets.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import commonjs from '@rollup/plugin-commonjs'
import resolve from '@rollup/plugin-node-resolve'
import terser from '@rollup/plugin-terser'
import typescript from '@rollup/plugin-typescript'
import { dts } from 'rollup-plugin-dts'

const packages = [
  {
    dir: 'packages/core',
    entries: [
      // `globals` maps the IIFE's external imports to page globals; anything not listed is bundled.
      {
        input: 'index',
        iife: 'lifeline.iife.min.js',
        name: 'Lifeline',
        globals: {},
        // Function expressions that use no `this` become arrows: none is a constructor here.
        compress: { unsafe_arrows: true },
        // Fields of the core's internal parts (the `*Host` interfaces and what the parts return),
        // shortened in its IIFE: none is a public name, an option, or a field of a frame or of
        // stored items. Terser leaves JavaScript's and the DOM's own names alone whatever is
        // listed; `checkMangled` refuses a name that any declaration file shows.
        mangle: [
          'alive',
          'answered',
          'atomic',
          'beat',
          'closeForGood',
          'changes',
          'counted',
          'counts',
          'dead',
          'deadline',
          'dispatch',
          'doubt',
          'drain',
          'emitFresh',
          'gate',
          'generation',
          'lose',
          'online',
          'probe',
          'received',
          'report',
          'requests',
          'route',
          'running',
          'settings',
          'teardown',
          'unanswered',
          'written',
          'ws',
        ],
      },
      // Adds Lifeline.connectShared to the core bundle's global: one connection for every tab.
      {
        input: 'tabs',
        iife: 'lifeline-tabs.iife.min.js',
        name: 'Lifeline',
        extend: true,
        globals: { '@lifeline/core': 'Lifeline' },
      },
      // For framework adapters: bundled into their IIFEs, so it needs none of its own.
      { input: 'adapters' },
      // The wire protocol, for @lifeline/server, @lifeline/testing and other servers: no IIFE.
      { input: 'protocol' },
      // Adds Lifeline.LifelineWebSocket to the core bundle's global, for pages that use WebSocket directly.
      {
        input: 'websocket',
        iife: 'lifeline-websocket.iife.min.js',
        name: 'Lifeline',
        extend: true,
        globals: { '@lifeline/core': 'Lifeline' },
      },
      // Adds Lifeline.FallbackWebSocket to the core bundle's global: HTTP where WebSockets are blocked.
      {
        input: 'fallback',
        iife: 'lifeline-fallback.iife.min.js',
        name: 'Lifeline',
        extend: true,
        globals: { '@lifeline/core': 'Lifeline' },
      },
      // Adds Lifeline.channel to the core bundle's global: channels that never miss a message.
      {
        input: 'channels',
        iife: 'lifeline-channels.iife.min.js',
        name: 'Lifeline',
        extend: true,
        globals: { '@lifeline/core': 'Lifeline' },
      },
    ],
  },
  {
    dir: 'packages/react',
    // Lets Next.js (App Router) server components import the provider and hooks.
    banner: "'use client'",
    entries: [
      {
        input: 'index',
        iife: 'lifeline-react.iife.min.js',
        name: 'LifelineReact',
        globals: { react: 'React', '@lifeline/core': 'Lifeline' },
      },
    ],
  },
  {
    dir: 'packages/vue',
    entries: [
      {
        input: 'index',
        iife: 'lifeline-vue.iife.min.js',
        name: 'LifelineVue',
        globals: { vue: 'Vue', '@lifeline/core': 'Lifeline' },
      },
    ],
  },
  {
    dir: 'packages/server',
    // Node only: no IIFE. The Redis adapter and the metrics have their own entries, so only their
    // users load the Redis client or prom-client.
    entries: [{ input: 'index' }, { input: 'redis' }, { input: 'metrics' }],
  },
  {
    dir: 'packages/testing',
    // For test runners in Node: no IIFE.
    entries: [{ input: 'index' }],
  },
]

/** Every entry with an IIFE, with its package directory. */
const bundles = () => packages.flatMap(({ dir, entries }) => entries.filter((e) => e.iife).map((e) => ({ dir, ...e })))

const only = process.env.PACKAGE // e.g. PACKAGE=core npm run build

/** The CDN snippets of the docs, rebuilt from every package's dist/sri.json. */
function refreshCdnDocs() {
  const built = bundles().flatMap(({ dir, iife }) => {
    const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'))
    try {
      const integrity = JSON.parse(readFileSync(`${dir}/dist/sri.json`, 'utf8'))[`dist/${iife}`]
      return integrity
        ? [{ path: `${pkg.name}@${pkg.version}/dist/${iife}`, name: pkg.name, file: iife, integrity }]
        : []
    } catch {
      return [] // not built yet
    }
  })
  const rows = built.map(
    ({ path, file, integrity }) =>
      `| \`${file}\` | https://cdn.jsdelivr.net/npm/${path} | https://unpkg.com/${path} | \`${integrity}\` |`,
  )
  const core = built.find((b) => b.file === 'lifeline.iife.min.js')
  // Each block sits between <!-- name:start --> and <!-- name:end --> markers.
  const blocks = {
    'cdn-table': ['| file | jsdelivr | unpkg | integrity |', '| --- | --- | --- | --- |', ...rows].join('\n'),
    'cdn-tag': core
      ? `\`\`\`html\n<script src="https://cdn.jsdelivr.net/npm/${core.path}"\n        integrity="${core.integrity}" crossorigin="anonymous"></script>\n\`\`\``
      : '',
  }
  for (const doc of ['README.md', ...readdirSync('docs').map((f) => `docs/${f}`)].filter((f) => f.endsWith('.md'))) {
    const text = readFileSync(doc, 'utf8')
    const next = text.replace(/<!-- ([\w-]+):start -->[\s\S]*?<!-- \1:end -->/g, (block, key) =>
      key in blocks ? `<!-- ${key}:start -->\n${blocks[key]}\n<!-- ${key}:end -->` : block,
    )
    if (next !== text) writeFileSync(doc, next)
  }
}

/**
 * Fails the build when a property name the IIFE's terser shortens (`mangle`) is also a name in one
 * of the package's declaration files: a public type's field (an option, a snapshot field, a frame
 * or stored item) must keep its name, so it may never be listed.
 */
function checkMangled(dir, names) {
  return {
    name: 'check-mangled',
    writeBundle() {
      const declared = new Set()
      for (const file of readdirSync(`${dir}/dist`).filter((f) => f.endsWith('.d.ts'))) {
        const code = readFileSync(`${dir}/dist/${file}`, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*/g, '')
        for (const word of code.match(/[\w$]+/g) ?? []) declared.add(word)
      }
      const clashes = names.filter((name) => declared.has(name))
      if (clashes.length) this.error(`${dir}: declared names listed in \`mangle\`: ${clashes.join(', ')}`)
    },
  }
}

/** Adds the IIFE's integrity hash to dist/sri.json, then refreshes the docs' CDN snippets. */
function integrity(dir, iife) {
  return {
    name: 'integrity',
    writeBundle() {
      const hash = createHash('sha384')
        .update(readFileSync(`${dir}/dist/${iife}`))
        .digest('base64')
      let hashes = {}
      try {
        hashes = JSON.parse(readFileSync(`${dir}/dist/sri.json`, 'utf8'))
      } catch {
        // the first IIFE of this package
      }
      hashes[`dist/${iife}`] = `sha384-${hash}`
      const sorted = Object.fromEntries(Object.entries(hashes).sort(([a], [b]) => a.localeCompare(b)))
      writeFileSync(`${dir}/dist/sri.json`, `${JSON.stringify(sorted, null, 2)}\n`)
      refreshCdnDocs()
    },
  }
}

function configs({ dir, banner, entries }) {
  const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'))
  const dependencies = [
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.peerDependencies ?? {}),
    pkg.name, // an entry importing the package's main entry (`@lifeline/core/tabs` -> `@lifeline/core`)
  ]
  const external = (id) => id.startsWith('node:') || dependencies.some((dep) => id === dep || id.startsWith(`${dep}/`))
  const ts = (options = {}) =>
    typescript({ tsconfig: `${dir}/tsconfig.json`, declaration: false, declarationMap: false, ...options })
  return entries.flatMap(({ input: name, iife, name: global, globals = {}, extend, compress, mangle = [] }) => {
    const input = `${dir}/src/${name}.ts`
    return [
      {
        input,
        external,
        plugins: [ts()],
        output: [
          { file: `${dir}/dist/${name}.js`, format: 'es', banner },
          { file: `${dir}/dist/${name}.cjs`, format: 'cjs', banner },
        ],
      },
      {
        input,
        external,
        plugins: [dts({ tsconfig: `${dir}/tsconfig.json` })],
        output: [
          { file: `${dir}/dist/${name}.d.ts`, format: 'es' },
          { file: `${dir}/dist/${name}.d.cts`, format: 'es' },
        ],
      },
      ...(iife
        ? [
            {
              input,
              external: Object.keys(globals),
              plugins: [
                resolve({ browser: true }),
                commonjs(),
                ts({ sourceMap: true, inlineSources: true }),
                terser({
                  ecma: 2022,
                  compress: { passes: 3, pure_getters: true, ...compress },
                  mangle: mangle.length ? { properties: { regex: new RegExp(`^(${mangle.join('|')})$`) } } : true,
                  format: { comments: false },
                }),
                ...(mangle.length ? [checkMangled(dir, mangle)] : []),
                integrity(dir, iife),
              ],
              // `extend` adds to a global another bundle made (lifeline-tabs adds to Lifeline).
              output: { file: `${dir}/dist/${iife}`, format: 'iife', name: global, globals, extend, sourcemap: true },
            },
          ]
        : []),
    ]
  })
}

export default packages.filter((p) => !only || p.dir.endsWith(`/${only}`)).flatMap(configs)
