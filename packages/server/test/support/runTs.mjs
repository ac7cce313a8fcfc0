// Runs one TypeScript module of the tests in a plain Node process, straight from the sources:
//   node packages/server/test/support/runTs.mjs <file.ts>
// Vite's module runner (already in the tree for vitest) transpiles it, and `@lifeline/server` and
// `@lifeline/core` resolve to their sources as they do under vitest; other packages load from
// node_modules.
import { fileURLToPath } from 'node:url'
import { runnerImport } from 'vite'

const src = fileURLToPath(new URL('../../src/', import.meta.url))
const coreSrc = fileURLToPath(new URL('../../../core/src/', import.meta.url))

await runnerImport(process.argv[2], {
  configFile: false,
  logLevel: 'error',
  resolve: {
    alias: [
      { find: /^@lifeline\/server$/, replacement: `${src}index.ts` },
      { find: /^@lifeline\/server\/(.+)$/, replacement: `${src}$1.ts` },
      { find: /^@lifeline\/core$/, replacement: `${coreSrc}index.ts` },
      { find: /^@lifeline\/core\/(.+)$/, replacement: `${coreSrc}$1.ts` },
    ],
  },
})
