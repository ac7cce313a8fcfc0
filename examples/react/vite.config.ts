// `npx vite examples/react` (dev server), `npx vite build examples/react` (into dist/, served by
// the demo server at /react/). @lifeline/react and @lifeline/core resolve as a user's would: through
// node_modules to the packages' built dist/, so run `npm run build` first.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig, type Plugin, type ProxyOptions } from 'vite'
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

export default defineConfig(async ({ command }) => {
  for (const name of ['core', 'react']) {
    if (!existsSync(new URL(`../../packages/${name}/dist/index.js`, import.meta.url))) {
      throw new Error(`@lifeline/${name} is not built yet: run \`npm run build\` first.`)
    }
  }
  const backend = command === 'serve' ? await demoBackend() : undefined
  return {
    root: fileURLToPath(new URL('.', import.meta.url)),
    base: '/react/',
    plugins: [react(), backend?.plugin],
    server: { proxy: backend?.proxy },
    preview: { proxy: backend?.proxy },
  }
})
