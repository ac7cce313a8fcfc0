// `npm run size` (CI): the two size budgets of docs/DESIGN.md ("Budgets"). The bench measures
// the same numbers (bench/scenarios/size.mjs) with the same esbuild settings.
const { readFileSync } = require('node:fs')
const { resolve } = require('node:path')

/** Fails the build if class private fields (#x) survive, i.e. if the es2020 target did not apply. */
const privateFieldsLowered = {
  name: 'private-fields-lowered',
  setup(build) {
    build.onEnd((result) => {
      for (const file of Object.keys(result.metafile?.outputs ?? {})) {
        if (/[.{;]#[A-Za-z_$]/.test(readFileSync(resolve(file), 'utf8'))) {
          return { errors: [{ text: `${file} still has class private fields: the es2020 target did not apply` }] }
        }
      }
    })
  },
}

/** What esbuild users targeting es2020 ship: class private fields become WeakMaps. */
const es2020 = (config) => ({
  ...config,
  target: 'es2020',
  format: 'esm',
  platform: 'browser',
  // As an app that installed the package sees it, without the repository's tsconfig paths.
  tsconfigRaw: {},
  plugins: [...(config.plugins ?? []), privateFieldsLowered],
})

module.exports = [
  {
    name: '@lifeline/core CDN bundle: lifeline.iife.min.js (eventemitter3 included), min+gzip',
    path: 'packages/core/dist/lifeline.iife.min.js',
    limit: '6 KiB',
    gzip: true,
  },
  {
    name: "import { connect } from '@lifeline/core', bundled by esbuild (target es2020, minified), gzip",
    // The file '@lifeline/core' resolves to in a bundler (the "import" condition of its exports).
    path: 'packages/core/dist/index.js',
    import: '{ connect }',
    ignore: ['ws'],
    modifyEsbuildConfig: es2020,
    limit: '6 KiB',
    gzip: true,
  },
]
