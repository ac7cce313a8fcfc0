// `npm start`: builds the React and Vue demos when they need it, runs the demo server and prints
// the one URL to open. PORT picks the port; without it, 8080, or a free port when 8080 is taken.
import { existsSync } from 'node:fs'
import { APPS, buildApps } from './apps.js'

// The server runs on @lifeline/server, which loads from its build (packages/server/dist).
let startDemoServer
try {
  ;({ startDemoServer } = await import('./server.js'))
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error
  console.error(`Lifeline is not built yet: run \`npm run build\` (or use \`npm start\`). ${error.message}`)
  process.exit(1)
}

const FRIENDLY_PORT = 8080
const bundle = new URL('../../packages/core/dist/lifeline.iife.min.js', import.meta.url)

async function start() {
  const wanted = process.env.PORT
  if (wanted !== undefined && wanted !== '') {
    const port = Number(wanted)
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`PORT must be 0-65535, got "${wanted}"`)
    return startDemoServer({ port })
  }
  try {
    return await startDemoServer({ port: FRIENDLY_PORT })
  } catch (error) {
    if (error?.code !== 'EADDRINUSE') throw error
    return startDemoServer({ port: 0 })
  }
}

/** Builds the React and Vue demos (served at /react/ and /vue/) unless they are up to date. */
async function buildDemos() {
  if (!existsSync(bundle)) return // the packages are not built: the server says so below
  const names = APPS.map((app) => `${app[0].toUpperCase()}${app.slice(1)}`).join(' and ')
  try {
    const { built, ms } = await buildApps()
    const took = `${(ms / 1000).toFixed(1)} s`
    console.log(built.length ? `Built the ${names} demos (${took}).` : `The ${names} demos are up to date.`)
  } catch (error) {
    console.error(`The ${names} demos could not be built, so /react/ and /vue/ are missing: ${error?.message ?? error}`)
  }
}

await buildDemos()

let demo
try {
  demo = await start()
} catch (error) {
  console.error(`Lifeline demo could not start: ${error?.message ?? error}`)
  process.exit(1)
}

let stopping = false
function stop() {
  if (stopping) process.exit(130) // a second Ctrl+C does not wait
  stopping = true
  // close() leaves no handle behind, so the process ends by itself; the timer is a safety net.
  setTimeout(() => process.exit(0), 2000).unref()
  demo.close().catch((error) => {
    console.error(error)
    process.exitCode = 1
  })
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)

if (!existsSync(bundle)) console.error('Lifeline is not built yet: run `npm run build` (or use `npm start`).')
console.log(`Lifeline demo: ${demo.url}`)
