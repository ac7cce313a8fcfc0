import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'

const coreSrc = fileURLToPath(new URL('./packages/core/src/', import.meta.url))
const serverSrc = fileURLToPath(new URL('./packages/server/src/', import.meta.url))
const supportSrc = fileURLToPath(new URL('./packages/test-support/src/', import.meta.url))

/**
 * `@lifeline/core` and its subpath entries (`@lifeline/core/adapters`, …) from source; `@lifeline/server`
 * too; and the tests' shared doubles and harnesses, `@lifeline/test-support/<file>`.
 */
const alias = () => [
  { find: /^@lifeline\/core$/, replacement: `${coreSrc}index.ts` },
  { find: /^@lifeline\/core\/(.+)$/, replacement: `${coreSrc}$1.ts` },
  { find: /^@lifeline\/server$/, replacement: `${serverSrc}index.ts` },
  { find: /^@lifeline\/server\/(.+)$/, replacement: `${serverSrc}$1.ts` },
  { find: /^@lifeline\/test-support\/(.+)$/, replacement: `${supportSrc}$1.ts` },
]

// Each project gets its own object: vitest mutates project configs while resolving them.
function project(name: string, include: string[], environment: 'node' | 'happy-dom', extra: object = {}) {
  return {
    resolve: { alias: alias() },
    test: { name, include, environment, typecheck: { enabled: false }, ...extra },
  }
}

export default defineConfig({
  test: {
    projects: [
      project('core', ['packages/core/src/**/*.test.ts'], 'node'),
      project('react', ['packages/react/src/**/*.test.{ts,tsx}'], 'happy-dom'),
      project('vue', ['packages/vue/src/**/*.test.ts'], 'happy-dom'),
      project('browser', ['examples/e2e/**/*.test.ts'], 'node', {
        testTimeout: 60_000,
        hookTimeout: 60_000,
        fileParallelism: false,
        // One Firefox for the run; each describe block gets a fresh profile of it.
        globalSetup: ['examples/e2e/globalSetup.ts'],
      }),
      project('integration', ['packages/core/test/**/*.test.ts'], 'node', { testTimeout: 20_000 }),
      project('server', ['packages/server/{src,test}/**/*.test.ts', 'examples/socketio/*.test.ts'], 'node', {
        testTimeout: 20_000,
      }),
      // The testing kit's tests, and its Jest run (a child process).
      project('testing', ['packages/testing/src/**/*.test.{ts,tsx}'], 'node', { testTimeout: 30_000 }),
      // The samples of docs/testing.md are tests: they run as the guide shows them, on the packages' sources.
      {
        plugins: [vue()],
        resolve: {
          alias: [
            ...alias(),
            ...['react', 'vue', 'testing'].map((name) => ({
              find: new RegExp(`^@lifeline/${name}$`),
              replacement: fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url)),
            })),
          ],
        },
        test: {
          name: 'docs',
          include: [
            'docs/snippets/testing.ts',
            'docs/snippets/testing.ws.ts',
            'docs/snippets/testing/**/*.test.{ts,tsx}',
          ],
          environment: 'happy-dom',
          typecheck: { enabled: false },
        },
      },
      {
        resolve: { alias: alias() },
        test: {
          name: 'types',
          include: [],
          typecheck: {
            enabled: true,
            only: true,
            include: ['packages/*/src/**/*.test-d.ts'],
            tsconfig: './tsconfig.json',
          },
        },
      },
    ],
  },
})
