// CPU affinity for the requests scenario (PIN=1): the client process on one core, the server
// child on another, so the scheduler cannot put both on one core for some slices and on two for
// others (on an idle 2-core machine that alone moved a round trip rate by a third). Linux only,
// through util-linux's `taskset` (every thread of the process: `-a`); elsewhere, or without it,
// nothing is pinned and the result says so.
import { execFileSync } from 'node:child_process'
import os from 'node:os'

function taskset(pid, cpus) {
  execFileSync('taskset', ['-a', '-pc', cpus, String(pid)], { stdio: 'ignore' })
}

/**
 * Pins `clientPid` to the first core and `serverPid` to the second, when there are at least two
 * and `taskset` works. Returns `{ pinned, layout, restore() }`; `restore` gives both every core again.
 */
export function pinApart(clientPid, serverPid) {
  const cores = os.cpus().length
  const all = `0-${cores - 1}`
  if (process.platform !== 'linux' || cores < 2) {
    return { pinned: false, layout: `not pinned (${process.platform}, ${cores} cores)`, restore() {} }
  }
  try {
    taskset(clientPid, '0')
    taskset(serverPid, '1')
  } catch (error) {
    return { pinned: false, layout: `not pinned (taskset: ${error.message.split('\n')[0]})`, restore() {} }
  }
  return {
    pinned: true,
    layout: `client process on core 0, server process on core 1 (taskset; ${cores} cores)`,
    restore() {
      for (const pid of [clientPid, serverPid]) {
        try {
          taskset(pid, all)
        } catch {
          // The server may have exited already.
        }
      }
    },
  }
}
