// One row per package. Each row builds ESM + CJS (dependencies external), declarations for
// both (index.d.ts and index.d.cts), and a minified IIFE for <script> tags with a source map,
// whose Subresource Integrity hash goes to dist/sri.json and into the docs' CDN snippets.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import commonjs from '@rollup/plugin-commonjs'
import resolve from '@rollup/plugin-node-resolve'
import terser from '@rollup/plugin-terser'
import typescript from '@rollup/plugin-typescript'
import { dts } from 'rollup-plugin-dts'

const packages = [
  // `globals` maps the IIFE's external imports to page globals; anything not listed is bundled.
  { dir: 'packages/core', iife: 'lifeline.iife.min.js', name: 'Lifeline', globals: {} },
  {
    dir: 'packages/react',
    iife: 'lifeline-react.iife.min.js',
    name: 'LifelineReact',
    globals: { react: 'React', '@lifeline/core': 'Lifeline' },
    // Lets Next.js (App Router) server components import the provider and hooks.
    banner: "'use client'",
  },
  {
    dir: 'packages/vue',
    iife: 'lifeline-vue.iife.min.js',
    name: 'LifelineVue',
    globals: { vue: 'Vue', '@lifeline/core': 'Lifeline' },
  },
]

const only = process.env.PACKAGE // e.g. PACKAGE=core npm run build

/** The CDN snippets of the docs, rebuilt from every package's dist/sri.json. */
function refreshCdnDocs() {
  const bundles = packages.flatMap(({ dir, iife }) => {
    const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'))
    try {
      const integrity = JSON.parse(readFileSync(`${dir}/dist/sri.json`, 'utf8'))[`dist/${iife}`]
      return [{ path: `${pkg.name}@${pkg.version}/dist/${iife}`, name: pkg.name, integrity }]
    } catch {
      return [] // not built yet
    }
  })
  const rows = bundles.map(
    ({ path, name, integrity }) =>
      `| \`${name}\` | https://cdn.jsdelivr.net/npm/${path} | https://unpkg.com/${path} | \`${integrity}\` |`,
  )
  const core = bundles.find((b) => b.name === '@lifeline/core')
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

/** Writes the IIFE's integrity hash to dist/sri.json, then refreshes the docs' CDN snippets. */
function integrity(dir, iife) {
  return {
    name: 'integrity',
    writeBundle() {
      const hash = createHash('sha384')
        .update(readFileSync(`${dir}/dist/${iife}`))
        .digest('base64')
      writeFileSync(`${dir}/dist/sri.json`, `${JSON.stringify({ [`dist/${iife}`]: `sha384-${hash}` }, null, 2)}\n`)
      refreshCdnDocs()
    },
  }
}

function configs({ dir, iife, name, globals, banner }) {
  const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'))
  const dependencies = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]
  const external = (id) => dependencies.some((dep) => id === dep || id.startsWith(`${dep}/`))
  const input = `${dir}/src/index.ts`
  const ts = (options = {}) =>
    typescript({ tsconfig: `${dir}/tsconfig.json`, declaration: false, declarationMap: false, ...options })
  return [
    {
      input,
      external,
      plugins: [ts()],
      output: [
        { file: `${dir}/dist/index.js`, format: 'es', banner },
        { file: `${dir}/dist/index.cjs`, format: 'cjs', banner },
      ],
    },
    {
      input,
      external,
      plugins: [dts({ tsconfig: `${dir}/tsconfig.json` })],
      output: [
        { file: `${dir}/dist/index.d.ts`, format: 'es' },
        { file: `${dir}/dist/index.d.cts`, format: 'es' },
      ],
    },
    {
      input,
      external: Object.keys(globals),
      plugins: [
        resolve({ browser: true }),
        commonjs(),
        ts({ sourceMap: true, inlineSources: true }),
        terser({ ecma: 2022, compress: { passes: 3, pure_getters: true }, format: { comments: false } }),
        integrity(dir, iife),
      ],
      output: { file: `${dir}/dist/${iife}`, format: 'iife', name, globals, sourcemap: true },
    },
  ]
}

export default packages.filter((p) => !only || p.dir.endsWith(`/${only}`)).flatMap(configs)
