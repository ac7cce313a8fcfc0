import type { TabChannel, TabLocks } from '@lifeline/core/tabs/protocol'

interface Request {
  tab: FakeTab
  callback: (lock: unknown) => unknown
  settle: (result: Promise<unknown>) => void
  fail: (error: unknown) => void
  signal: AbortSignal | undefined
}

/** One tab of a {@link fakeBrowser}: what to pass to `connectShared`, and a way to kill it. */
export interface FakeTab {
  locks: TabLocks
  BroadcastChannel: new (name: string) => TabChannel
  /** The tab crashes or is closed: its locks are released and its channels go silent, without a word. */
  kill(): void
  /** The tab's renderer crashes: as `kill()`, and what it posted that was not delivered yet is lost with it. */
  crash(): void
  /**
   * The browser freezes the tab: it runs nothing (no message, no lock callback) until `resume()`,
   * and keeps what comes for it meanwhile. Its locks stay held and its requests stay queued.
   */
  freeze(): void
  /** The tab runs again: what came for it while frozen runs now, in order. */
  resume(): void
  /** Runs `task` now, or once the tab resumes. */
  run(task: () => void): void
  readonly dead: boolean
}

const abortError = () => new DOMException('aborted', 'AbortError')

/**
 * The Web Locks and `BroadcastChannel` that the tabs of one browser profile share, as the
 * standards define them: a lock is granted to one request at a time, in the order asked, and
 * held until the promise its callback returned settles; `ifAvailable` gets `null` when it is
 * taken; an aborted request rejects. A channel delivers a structured clone of each message to
 * every other open channel of that name, each in a task of its own, in the order posted.
 */
export function fakeBrowser() {
  const holders = new Map<string, Request>()
  const queues = new Map<string, Request[]>()
  const channels = new Set<{ name: string; tab: FakeTab; channel: TabChannel; closed: boolean }>()

  const grant = (name: string) => {
    if (holders.has(name)) return
    const next = queues.get(name)?.shift()
    if (!next) return
    holders.set(name, next)
    setTimeout(() => {
      if (next.tab.dead) return
      next.tab.run(() => {
        const result = new Promise((resolve) => resolve(next.callback({ name })))
        next.settle(result)
        result.then(release, release)
      })
    }, 0)
    function release() {
      if (holders.get(name) !== next) return
      holders.delete(name)
      grant(name)
    }
  }

  /** Which locks are held, by name. */
  const held = () => [...holders.keys()]

  function tab(): FakeTab {
    let dead = false
    let crashed = false
    let frozen: Array<() => void> | null = null
    const self: FakeTab = {
      get dead() {
        return dead
      },
      locks: {
        request(name, ...args: unknown[]) {
          // (name, callback) or (name, options, callback), as navigator.locks takes them.
          const callback = args.at(-1) as (lock: unknown) => unknown
          const options = (args.length > 1 ? args[0] : {}) as { signal?: AbortSignal; ifAvailable?: boolean }
          return new Promise<unknown>((resolve, reject) => {
            const { signal, ifAvailable } = options
            if (dead) return
            if (signal?.aborted) return reject(abortError())
            if (ifAvailable && (holders.has(name) || queues.get(name)?.length)) {
              return resolve(new Promise((r) => r(callback(null))))
            }
            const request: Request = { tab: self, callback, settle: resolve, fail: reject, signal }
            signal?.addEventListener('abort', () => {
              const queue = queues.get(name) ?? []
              if (!queue.includes(request)) return
              queue.splice(queue.indexOf(request), 1)
              reject(abortError())
            })
            queues.set(name, [...(queues.get(name) ?? []), request])
            grant(name)
          })
        },
      },
      BroadcastChannel: class {
        onmessage: ((event: { data: unknown }) => void) | null = null
        readonly entry
        constructor(name: string) {
          this.entry = { name, tab: self, channel: this as TabChannel, closed: false }
          channels.add(this.entry)
        }
        postMessage(message: unknown) {
          if (dead) return
          if (this.entry.closed) throw new DOMException('closed', 'InvalidStateError')
          for (const other of channels) {
            if (other === this.entry || other.name !== this.entry.name || other.tab.dead) continue
            const data = structuredClone(message)
            setTimeout(() => {
              other.tab.run(() => {
                if (!crashed && !other.closed && !other.tab.dead) other.channel.onmessage?.({ data })
              })
            }, 0)
          }
        }
        close() {
          this.entry.closed = true
          channels.delete(this.entry)
        }
      },
      freeze() {
        frozen ??= []
      },
      resume() {
        const tasks = frozen ?? []
        frozen = null
        for (const task of tasks) setTimeout(() => self.run(task), 0)
      },
      run(task) {
        if (frozen) frozen.push(task)
        else if (!dead) task()
      },
      crash() {
        crashed = true
        self.kill()
      },
      kill() {
        dead = true
        for (const entry of channels) if (entry.tab === self) channels.delete(entry)
        for (const [name, queue] of queues)
          queues.set(
            name,
            queue.filter((r) => r.tab !== self),
          )
        for (const [name, request] of holders) {
          if (request.tab !== self) continue
          holders.delete(name)
          grant(name)
        }
      },
    }
    return self
  }

  return { tab, held }
}
