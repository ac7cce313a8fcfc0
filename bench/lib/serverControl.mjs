// Starts ./server.mjs as a child process and calls its commands over IPC.
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { withTimeout } from './clock.mjs'

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url))

/**
 * @returns {Promise<{ pid: number, listen(name, port?): Promise<{port, at}>,
 *   listenRpc(name, kind, port?, options?): Promise<{port, at}>, reflap(name, firstMs): Promise<void>,
 *   down(name): Promise<{at}>,
 *   take(name): Promise<{handshakes, collected, clients, stats}>, cpu(): Promise<{user, system}>,
 *   stop(): Promise<void> }>}
 */
export async function startServer() {
  const child = fork(SERVER, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const pending = new Map()
  let nextId = 0
  child.on('message', ({ id, result, error }) => {
    const call = pending.get(id)
    pending.delete(id)
    if (error) call?.reject(new Error(`server: ${error}`))
    else call?.resolve(result)
  })
  child.on('exit', (code) => {
    for (const call of pending.values()) call.reject(new Error(`the server process exited (${code})`))
    pending.clear()
  })
  await new Promise((resolve, reject) => {
    child.once('spawn', resolve)
    child.once('error', reject)
  })
  const call = (command, ...args) =>
    new Promise((resolve, reject) => {
      const id = nextId++
      pending.set(id, { resolve, reject })
      child.send({ id, command, args })
    })
  return {
    pid: child.pid,
    listen: (name, port = 0) => call('listen', name, port),
    listenRpc: (name, kind, port = 0, options = {}) => call('listenRpc', name, kind, port, options),
    reflap: (name, firstMs) => call('reflap', name, firstMs),
    down: (name) => call('down', name),
    take: (name) => call('take', name),
    cpu: () => call('cpu'),
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.disconnect()
      if ((await withTimeout(exited, 2000)) === 'timeout') child.kill('SIGKILL')
    },
  }
}
