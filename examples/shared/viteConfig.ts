// The Vite config the framework apps share: `examples/<app>` as the root, built for the demo
// server's `/<app>/`, and /live and /control proxied to a demo server under `vite` and `vite preview`.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Plugin, PluginOption, ProxyOptions, UserConfigFnPromise } from 'vite'
import { startDemoServer } from '../server/server.js'

/**
 * Where the dev and preview servers send /live and /control: LIFELINE_SERVER when set (e.g. the
 * `npm start` server, http://127.0.0.1:8080), else a demo server started here on a free port and
 * stopped with Vite.
 */
async function demoBackend(): Promise<{ proxy: Record<string, ProxyOptions>; plugin: Plugin }> {
  const given = process.env.LIFELINE_SERVER
  const demo = given ? undefined : await startDemoServer({ port: 0 })
  const target = demo?.url ?? `${given}`
  const stop = () => void demo?.close()
  return {
    proxy: { '/live': { target, ws: true }, '/control': { target } },
    plugin: {
      name: 'lifeline-demo-server',
      configureServer(server) {
        server.config.logger.info(`  /live and /control go to the demo server at ${target}`)
        server.httpServer?.once('close', stop)
      },
      configurePreviewServer: (server) => void server.httpServer.once('close', stop),
    },
  }
}

/**
 * The config of the app in `examples/<app>`, with its framework's Vite plugin. Refuses to run
 * before `npm run build`: @lifeline/core and @lifeline/<app> resolve to their built dist/.
 */
export function demoApp(app: 'react' | 'vue', framework: () => PluginOption): UserConfigFnPromise {
  return async ({ command }) => {
    for (const name of ['core', app]) {
      if (!existsSync(new URL(`../../packages/${name}/dist/index.js`, import.meta.url))) {
        throw new Error(`@lifeline/${name} is not built yet: run \`npm run build\` first.`)
      }
    }
    const backend = command === 'serve' ? await demoBackend() : undefined
    return {
      root: fileURLToPath(new URL(`../${app}/`, import.meta.url)),
      base: `/${app}/`,
      plugins: [framework(), backend?.plugin],
      server: { proxy: backend?.proxy },
      preview: { proxy: backend?.proxy },
    }
  }
}
