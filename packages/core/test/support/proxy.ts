import net from 'node:net'

/** What the proxy does with a new TCP connection. */
export type AcceptMode =
  /** Connect to the target and forward both ways (the default). */
  | 'forward'
  /** Accept, then reset at once: the client sees ECONNRESET before any handshake. */
  | 'refuse'
  /** Accept and never answer: the handshake hangs until the client gives up. */
  | 'drop-handshake'

/** Limits that keep a proxy bounded. */
export interface ProxyOptions {
  /** Where to forward to. */
  target: { port: number; host?: string }
  /**
   * Connections held at once; the kernel-level excess is closed by Node at accept.
   * @default 64
   */
  maxConnections?: number
  /**
   * Bytes per direction and connection held back by `delay()`; the sender is paused beyond it.
   * @default 1_048_576
   */
  maxDelayedBytes?: number
}

type Direction = 'up' | 'down'

/** A chunk held back by `delay()`, or the end of the stream (`null`), and when it is due. */
interface Held {
  readonly due: number
  readonly chunk: Buffer | null
}

/**
 * What `delay()` holds back in one direction: a FIFO drained from its head by one timer, armed
 * for the head's due time. Due times never decrease along the queue, so nothing can overtake.
 */
interface DelayQueue {
  readonly held: Held[]
  /** Index of the head in `held` (items before it are already written). */
  head: number
  /** Bytes held now. */
  bytes: number
  /** The one timer of this direction, armed while something is held. */
  timer: ReturnType<typeof setTimeout> | null
  /** The sender is paused because `bytes` went beyond `maxDelayedBytes`. */
  paused: boolean
}

/** One client connection and, when forwarded, its connection to the target. */
interface Link {
  readonly client: net.Socket
  readonly upstream: net.Socket | null
  /** Silent both ways; nothing is forwarded or propagated again (a lost route never comes back). */
  blackholed: boolean
  /** Data held by `delay()`, per direction. */
  readonly queues: Record<Direction, DelayQueue>
}

function delayQueue(): DelayQueue {
  return { held: [], head: 0, bytes: 0, timer: null, paused: false }
}

const isEmpty = (queue: DelayQueue): boolean => queue.head === queue.held.length

/** Forgets everything `queue` holds and stops its timer. */
function clear(queue: DelayQueue): void {
  if (queue.timer) clearTimeout(queue.timer)
  queue.timer = null
  queue.held.length = 0
  queue.head = 0
  queue.bytes = 0
  queue.paused = false
}

function reset(socket: net.Socket): void {
  if (socket.destroyed) return
  try {
    socket.resetAndDestroy()
  } catch {
    socket.destroy()
  }
}

/**
 * A TCP proxy on 127.0.0.1 for fault injection: put it between a client and a server and
 * break the link on purpose. Faults on existing connections: `cut()` (RST both ways),
 * `blackhole()` (open but silent both ways), `delay(ms)`. What new connections get:
 * `forward()`, `refuse()`, `dropHandshakes()`. `close()` releases every socket, timer and
 * the listener.
 *
 * @example
 * ```ts
 * const proxy = await FaultProxy.start({ target: { port: server.port } })
 * const socket = connect(proxy.url('/live'), { WebSocket })
 * proxy.blackhole()   // the current link goes silent; new connections are still forwarded
 * ```
 */
export class FaultProxy {
  /** TCP connections accepted since start (refused ones included). */
  accepted = 0
  readonly #server: net.Server
  readonly #target: { port: number; host: string }
  readonly #maxDelayedBytes: number
  readonly #links = new Set<Link>()
  #mode: AcceptMode = 'forward'
  #latency = 0
  #closing: Promise<void> | null = null

  private constructor(server: net.Server, options: ProxyOptions) {
    this.#server = server
    this.#target = { host: '127.0.0.1', ...options.target }
    this.#maxDelayedBytes = options.maxDelayedBytes ?? 1_048_576
    server.maxConnections = options.maxConnections ?? 64
    server.on('connection', (client) => this.#accept(client))
  }

  /** Starts a proxy to `options.target` on 127.0.0.1 on a free port. */
  static async start(options: ProxyOptions): Promise<FaultProxy> {
    const server = net.createServer()
    const proxy = new FaultProxy(server, options)
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ port: 0, host: '127.0.0.1' }, () => {
        server.off('error', reject)
        resolve()
      })
    })
    return proxy
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port
  }

  /** A `ws:` URL through this proxy. */
  url(path = '/'): string {
    return `ws://127.0.0.1:${this.port}${path}`
  }

  /** Connections held now (black-holed ones included, until cut or closed). */
  get connections(): number {
    return this.#links.size
  }

  /** What new connections get now. */
  get mode(): AcceptMode {
    return this.#mode
  }

  /** New connections are forwarded to the target (the default). Existing faults stay. */
  forward(): this {
    this.#mode = 'forward'
    return this
  }

  /** New connections are reset at once, before any byte is read. */
  refuse(): this {
    this.#mode = 'refuse'
    return this
  }

  /** New connections are accepted and never answered (nor forwarded). */
  dropHandshakes(): this {
    this.#mode = 'drop-handshake'
    return this
  }

  /**
   * Every connection held now goes silent both ways and stays open: data is discarded and
   * neither side's close reaches the other, as when a route dies. The server's end stays
   * open until `cut()` or `close()`. New connections follow the accept mode (forwarded by
   * default); to black-hole those too, call `dropHandshakes()` as well.
   */
  blackhole(): this {
    for (const link of this.#links) {
      link.blackholed = true
      this.#clear(link)
      link.client.resume()
      link.upstream?.resume()
    }
    return this
  }

  /**
   * Forwarded data waits `ms` in each direction, order kept (0: no delay). A shorter delay never
   * lets data overtake what is already held: it leaves no earlier than the data ahead of it.
   */
  delay(ms: number): this {
    if (!(ms >= 0)) throw new RangeError('delay takes a number of ms >= 0')
    this.#latency = ms
    return this
  }

  /** Resets every connection held now (RST to both sides). */
  cut(): void {
    for (const link of [...this.#links]) this.#drop(link, true)
  }

  /** Stops listening and releases every connection and timer. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.#server.close(() => resolve())
      for (const link of [...this.#links]) this.#drop(link, false)
    })
    return this.#closing
  }

  #accept(client: net.Socket): void {
    this.accepted++
    client.on('error', () => {})
    client.setNoDelay(true)
    if (this.#closing || this.#mode === 'refuse') return reset(client)
    const upstream = this.#mode === 'forward' ? net.connect({ port: this.#target.port, host: this.#target.host }) : null
    const link: Link = {
      client,
      upstream,
      blackholed: upstream === null,
      queues: { up: delayQueue(), down: delayQueue() },
    }
    this.#links.add(link)
    if (!upstream) {
      // A dropped handshake: read and discard, forget the link once the client gives up.
      client.on('data', () => {})
      client.once('close', () => this.#links.delete(link))
      return
    }
    upstream.on('error', () => {})
    upstream.setNoDelay(true)
    this.#relay(link, client, upstream, 'up')
    this.#relay(link, upstream, client, 'down')
  }

  #relay(link: Link, from: net.Socket, to: net.Socket, direction: Direction): void {
    const queue = link.queues[direction]
    from.on('data', (chunk: Buffer) => {
      if (link.blackholed) return
      if (this.#latency === 0 && isEmpty(queue)) {
        if (!to.destroyed && !to.write(chunk)) {
          from.pause()
          to.once('drain', () => from.resume())
        }
        return
      }
      this.#hold(link, direction, chunk)
      if (queue.bytes > this.#maxDelayedBytes) {
        queue.paused = true
        from.pause()
      }
    })
    from.once('end', () => {
      if (link.blackholed) return
      // The end of the stream waits behind the data before it, as a FIN would.
      if (this.#latency === 0 && isEmpty(queue)) to.end()
      else this.#hold(link, direction, null)
    })
    from.once('close', (hadError: boolean) => {
      // A reset or failed side resets the other, so a crash or a refusal looks the same through the proxy.
      if (!link.blackholed && hadError) return this.#drop(link, true)
      if (link.client.destroyed && (link.upstream?.destroyed ?? true)) this.#forget(link)
      else if (!link.blackholed && isEmpty(queue)) to.end()
    })
    to.once('close', () => {
      if (link.client.destroyed && (link.upstream?.destroyed ?? true)) this.#forget(link)
    })
  }

  /** Queues `chunk` (`null`: the end of the stream) behind everything held in `direction`. */
  #hold(link: Link, direction: Direction, chunk: Buffer | null): void {
    const queue = link.queues[direction]
    // A monotonic clock, so a test that mocks Date.now cannot stall delayed data. A shorter
    // delay than before never lets a chunk overtake: it is due no earlier than the one ahead.
    const now = performance.now()
    const ahead = isEmpty(queue) ? undefined : queue.held[queue.held.length - 1]
    const due = Math.max(now + this.#latency, ahead?.due ?? 0)
    queue.held.push({ due, chunk })
    queue.bytes += chunk?.length ?? 0
    if (!queue.timer) this.#arm(link, direction, due - now)
  }

  #arm(link: Link, direction: Direction, ms: number): void {
    link.queues[direction].timer = setTimeout(() => this.#release(link, direction), Math.max(0, ms))
  }

  /** Writes, in order, every held item of `direction` that is due, then re-arms for the next one. */
  #release(link: Link, direction: Direction): void {
    const queue = link.queues[direction]
    queue.timer = null
    if (link.blackholed) return
    const to = direction === 'up' ? link.upstream : link.client
    const from = direction === 'up' ? link.client : link.upstream
    const now = performance.now()
    while (!isEmpty(queue)) {
      const item = queue.held[queue.head] as Held
      if (item.due > now) break
      queue.head++
      if (item.chunk) queue.bytes -= item.chunk.length
      if (!to || to.destroyed) continue
      if (item.chunk) to.write(item.chunk)
      else to.end()
    }
    if (isEmpty(queue)) {
      queue.held.length = 0
      queue.head = 0
    } else {
      // Drop written items now and then, so a long-lived queue does not grow without bound.
      if (queue.head > 1024 && queue.head * 2 > queue.held.length) {
        queue.held.splice(0, queue.head)
        queue.head = 0
      }
      this.#arm(link, direction, (queue.held[queue.head] as Held).due - now)
    }
    if (queue.paused && queue.bytes <= this.#maxDelayedBytes) {
      queue.paused = false
      from?.resume()
    }
  }

  /** Stops both directions' timers and forgets what they hold. */
  #clear(link: Link): void {
    clear(link.queues.up)
    clear(link.queues.down)
  }

  #drop(link: Link, rst: boolean): void {
    this.#clear(link)
    for (const socket of [link.client, link.upstream]) {
      if (!socket) continue
      if (rst) reset(socket)
      else socket.destroy()
    }
    this.#forget(link)
  }

  #forget(link: Link): void {
    this.#clear(link)
    this.#links.delete(link)
  }
}
