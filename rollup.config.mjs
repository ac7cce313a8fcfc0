// One row per package. Each row builds ESM + CJS (dependencies external), declarations for
// both (index.d.ts and index.d.cts), and a minified IIFE for <script> tags with a source map.
import { readFileSync } from 'node:fs'
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
      ],
      output: { file: `${dir}/dist/${iife}`, format: 'iife', name, globals, sourcemap: true },
    },
  ]
}

export default packages.filter((p) => !only || p.dir.endsWith(`/${only}`)).flatMap(configs)
