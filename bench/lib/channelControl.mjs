// Starts ./channelServer.mjs as a child process and calls its commands over IPC.
// `execArgv` (e.g. ['--cpu-prof', '--cpu-prof-dir=…']) is passed to the child's Node.
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { withTimeout } from './clock.mjs'

const SERVER = fileURLToPath(new URL('./channelServer.mjs', import.meta.url))

/**
 * @returns {Promise<{ pid: number, listen(name, kind, options?): Promise<{ port, directPort }>,
 *   burst(name, channel, count): Promise<{ last }>, stream(name, channel, options): Promise<object>,
 *   away(name, channel, count, waitMs?): Promise<{ peersLeft, last, forwardedAt }>, cut(name): Promise<number>,
 *   info(name): Promise<object>, down(name): Promise<void>, cpu(): Promise<{ user, system }>, stop(): Promise<void> }>}
 */
export async function startChannelServer({ execArgv = [] } = {}) {
  const child = fork(SERVER, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const pending = new Map()
  let nextId = 0
  child.on('message', ({ id, result, error }) => {
    const call = pending.get(id)
    pending.delete(id)
    if (error) call?.reject(new Error(`channel server: ${error}`))
    else call?.resolve(result)
  })
  child.on('exit', (code) => {
    for (const call of pending.values()) call.reject(new Error(`the channel server process exited (${code})`))
    pending.clear()
  })
  await new Promise((resolve, reject) => {
    child.once('spawn', resolve)
    child.once('error', reject)
  })
  const call =
    (command) =>
    (...args) =>
      new Promise((resolve, reject) => {
        const id = nextId++
        pending.set(id, { resolve, reject })
        child.send({ id, command, args })
      })
  return {
    pid: child.pid,
    listen: call('listen'),
    burst: call('burst'),
    stream: call('stream'),
    away: call('away'),
    cut: call('cut'),
    info: call('info'),
    down: call('down'),
    cpu: call('cpu'),
    async stop() {
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.disconnect()
      if ((await withTimeout(exited, 5000)) === 'timeout') child.kill('SIGKILL')
    },
  }
}
