/** The part of Node's `net.Socket` that holds writes back and lets them go in one system call. */
interface Corkable {
  cork(): void
  uncork(): void
}

/**
 * Batches a peer's writes per turn of the event loop: the first frame written in a turn corks
 * the connection's TCP socket, and it is uncorked once the turn's callbacks and promise jobs have
 * run (`process.nextTick`), so every frame written meanwhile (the replies to a burst of requests
 * that arrived in one read, a broadcast and the replies around it) leaves in one `writev` system
 * call instead of one each. Order and content are unchanged; a frame waits at most until the end
 * of the turn it was written in.
 *
 * `ws` keeps its TCP socket in `_socket` and corks it itself around each frame's two writes
 * (corks nest), but offers no public way to hold frames back across `send` calls. Where the
 * socket has no `cork` (another WebSocket implementation), writes go straight through.
 */
export function createBatcher(socket: object): () => void {
  let corked = false
  let tcp: Corkable | undefined
  const uncork = () => {
    corked = false
    tcp?.uncork()
  }
  /** Call before each write. */
  return () => {
    if (corked) return
    tcp = (socket as { _socket?: Partial<Corkable> | null })._socket as Corkable | undefined
    if (typeof tcp?.cork !== 'function' || typeof tcp.uncork !== 'function') return
    corked = true
    tcp.cork()
    process.nextTick(uncork)
  }
}
