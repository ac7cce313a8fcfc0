// Starts ./defenceServer.mjs (or ./flooder.mjs) as a child process and calls its commands over IPC.
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { withTimeout } from './clock.mjs'

const SERVER = fileURLToPath(new URL('./defenceServer.mjs', import.meta.url))
const FLOODER = fileURLToPath(new URL('./flooder.mjs', import.meta.url))

/** Forks `file` and returns `call(command)(...args)`, which resolves with the child's answer, and `stop()`. */
async function child(file, execArgv) {
  const process = fork(file, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const pending = new Map()
  let nextId = 0
  process.on('message', ({ id, result, error }) => {
    const call = pending.get(id)
    pending.delete(id)
    if (error) call?.reject(new Error(`${file}: ${error}`))
    else call?.resolve(result)
  })
  process.on('exit', (code) => {
    for (const call of pending.values()) call.reject(new Error(`${file} exited (${code})`))
    pending.clear()
  })
  await new Promise((resolve, reject) => {
    process.once('spawn', resolve)
    process.once('error', reject)
  })
  return {
    call:
      (command) =>
      (...args) =>
        new Promise((resolve, reject) => {
          const id = nextId++
          pending.set(id, { resolve, reject })
          process.send({ id, command, args })
        }),
    async stop() {
      if (process.exitCode !== null) return
      const exited = new Promise((resolve) => process.once('exit', resolve))
      process.disconnect()
      if ((await withTimeout(exited, 5000)) === 'timeout') process.kill('SIGKILL')
    },
  }
}

/**
 * The servers' process, with --expose-gc.
 * @returns {Promise<{ listen(name, kind, options?): Promise<{ port }>, take(name): Promise<object>,
 *   broadcastOnce(name, bytes): Promise<{ at, callMs, loopMs }>, broadcastVolume(name, count, bytes): Promise<object>,
 *   close(name, options?): Promise<{ at, endedAt }>, down(name): Promise<void>, stop(): Promise<void> }>}
 */
export async function startDefenceServer() {
  const { call, stop } = await child(SERVER, ['--expose-gc'])
  return {
    listen: call('listen'),
    take: call('take'),
    broadcastOnce: call('broadcastOnce'),
    broadcastVolume: call('broadcastVolume'),
    close: call('close'),
    down: call('down'),
    stop,
  }
}

/** A process that floods a server from one connection: `flood(url, count)` resolves with `{ sent, ms, closeCode }`. */
export async function startFlooder() {
  const { call, stop } = await child(FLOODER, [])
  return { flood: call('flood'), stop }
}
