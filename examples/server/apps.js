// The React and Vue demos (examples/react, examples/vue), built with Vite into their dist/, which
// the demo server serves at /react/ and /vue/. `npm start` builds them after the packages; an app
// whose inputs have not changed since its last build is left alone, so a second start costs only
// the hashing of its inputs (tens of ms).
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const at = (path) => fileURLToPath(new URL(path, import.meta.url))

/** The framework demos, each in `examples/<app>`, served at `/<app>/`. */
export const APPS = /** @type {const} */ (['react', 'vue'])

/** @typedef {(typeof APPS)[number]} App */

/** Where the hash of each app's inputs at its last build is kept (not in dist/: the server serves that). */
const STAMPS = at('../../node_modules/.cache/lifeline-demos/')

/**
 * What goes into `app`'s build: its own sources and config, the shared demo code and styles (the
 * plain page's stylesheet included), the built packages it bundles, and the installed versions.
 * @param {App} app
 */
function inputs(app) {
  return [
    ...['src', 'public', 'index.html', 'vite.config.ts'].map((name) => at(`../${app}/${name}`)),
    at('../shared'),
    at('../cdn/style.css'),
    at('../../packages/core/dist'),
    at(`../../packages/${app}/dist`),
    at('../../package-lock.json'),
  ]
}

/** Every file under `path` (a file or a folder), sorted; none when it is missing. */
function files(path) {
  if (!existsSync(path)) return []
  if (!statSync(path).isDirectory()) return [path]
  return readdirSync(path)
    .sort()
    .flatMap((name) => files(join(path, name)))
}

/** A SHA-256 over the names and contents of `app`'s inputs. */
function inputHash(app) {
  const hash = createHash('sha256')
  for (const file of inputs(app).flatMap(files)) hash.update(`${file}\0`).update(readFileSync(file)).update('\0')
  return hash.digest('hex')
}

/**
 * Whether `app`'s dist/ was built from its current inputs.
 * @param {App} app
 */
export function isBuilt(app) {
  if (!existsSync(at(`../${app}/dist/index.html`))) return false
  try {
    return readFileSync(join(STAMPS, app), 'utf8') === inputHash(app)
  } catch {
    return false
  }
}

/**
 * Builds the apps whose dist/ is missing or was built from other inputs, one after the other, for
 * production. Needs the packages built first (`npm run build`): the apps bundle their dist/.
 *
 * @param {{ apps?: readonly App[] }} [options]
 * @returns {Promise<{ built: App[], ms: number }>} the apps built now, and how long it took
 * @example
 * ```js
 * const { built } = await buildApps() // [] when both were up to date
 * ```
 */
export async function buildApps({ apps = APPS } = {}) {
  const started = performance.now()
  const stale = apps.filter((app) => !isBuilt(app))
  if (stale.length) {
    const { build } = await import('vite')
    // Vite takes NODE_ENV=test (vitest sets it) or development for a development build: React's
    // development bundle, import.meta.env.DEV. The demos are built as `npx vite build` builds them.
    const nodeEnv = process.env.NODE_ENV
    process.env.NODE_ENV = 'production'
    try {
      for (const app of stale) {
        const hash = inputHash(app)
        await build({ configFile: at(`../${app}/vite.config.ts`), logLevel: 'warn' })
        mkdirSync(STAMPS, { recursive: true })
        writeFileSync(join(STAMPS, app), hash)
      }
    } finally {
      if (nodeEnv === undefined) delete process.env.NODE_ENV
      else process.env.NODE_ENV = nodeEnv
    }
  }
  return { built: stale, ms: performance.now() - started }
}
