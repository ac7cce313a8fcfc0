import { BARRIER, type TabChannelConstructor, type TabLocks, type TabMessage } from './protocol.js'

const noop = () => {}
const randomId = () => Math.random().toString(36).slice(2)
/** Resolves when `signal` aborts: holds a Web Lock until then. */
const until = (signal: AbortSignal) =>
  new Promise<unknown>((resolve) => (signal.aborted ? resolve(0) : signal.addEventListener('abort', resolve)))

/** Where a tab runs: its window (`pagehide`) and document (`freeze`, `resume`), where there are such. */
export interface TabPage {
  // biome-ignore lint/suspicious/noExplicitAny: a DOM window, or a test's event target.
  addEventListener?(type: string, listener: (event: any) => void, options: { signal: AbortSignal }): void
  document?: TabPage
}

/** What a tab's membership tells the rest of the tab. */
export interface MembershipHost {
  /** Another tab posted `message` on the channel (or this tab, to itself, the `BARRIER`). */
  heard(message: TabMessage): void
  /** The tab holds its presence lock: the leader will learn when it leaves. */
  present(): void
  /** The page goes for good, or freezes: the tab must stop leading for the others now. */
  standAside(): void
}

/** A tab in the group, from `join` until `leave`. */
export interface Membership {
  /** The tab's id: fresh each time it joins. */
  readonly me: string
  /** Whether it holds its presence lock. */
  readonly present: boolean
  /** Posts to every other tab. */
  post(message: TabMessage): void
  /** Leaves: frees its presence, and the channel's lock once `closed` (its link's close) resolves. */
  leave(closed?: Promise<unknown>): void
}

/**
 * Joins the group of tabs named `name`. The tab holds a presence lock while it is in the group (the
 * leader learns it left or died when the lock is free), and asks for the channel's lock, whose holder
 * leads. Once granted, before it leads, it posts to itself through the channel (`BARRIER`): once that
 * arrives, so has everything the old leader posted (acknowledgements included), since the channel
 * keeps the order of what it forwards and the old leader posted before it let go.
 *
 * A frozen tab runs nothing: it withdraws its request for the lock at the page's `freeze` (standing
 * aside if it leads) and asks again at `resume`, so that the group never waits for it to thaw.
 */
export function membership(
  name: string,
  locks: TabLocks,
  Channel: TabChannelConstructor,
  page: TabPage,
  host: MembershipHost,
): Membership {
  const me = randomId()
  // Open while the tab is in the group only: an open channel would keep a Node or Deno process alive.
  const bus = new Channel(name)
  bus.onmessage = ({ data }: { data: TabMessage }) => host.heard(data)
  const leaving = new AbortController()
  const { signal } = leaving
  /** This tab's request for the channel's lock, withdrawn while the tab is frozen. */
  let candidacy = leaving
  /** What the lock waits for once let go: the close of the link this tab led on. */
  let closed: Promise<unknown> | undefined
  let present = false

  const self: Membership = {
    me,
    get present() {
      return present
    },
    post: (message) => bus.postMessage(message),
    leave(linkClosed) {
      closed = linkClosed
      leaving.abort()
      candidacy.abort()
      bus.close()
    },
  }

  locks
    .request(`${name}:${me}`, { signal }, () => {
      present = true
      host.present()
      return until(signal)
    })
    .catch(noop)

  /**
   * The page goes for good (closed, reloaded, navigated from): a going page may still run a few
   * tasks, and what it posts then may never arrive, so it hears nothing more.
   */
  const hide = (event: { persisted?: boolean }) => {
    if (event.persisted) return
    bus.onmessage = null
    host.standAside()
  }

  const candidate = () => {
    candidacy = new AbortController()
    const own = candidacy.signal
    locks
      .request(name, { signal: own }, () => {
        page.addEventListener?.('pagehide', hide, { signal: own })
        const probe = new Channel(name)
        probe.postMessage({ k: BARRIER, t: me })
        probe.close()
        // Held until the tab leaves or freezes; after a `close()`, until its link has closed.
        return until(own).then(() => closed)
      })
      .catch(noop)
  }
  candidate()

  const doc = page.document
  doc?.addEventListener?.(
    'freeze',
    () => {
      host.standAside()
      candidacy.abort()
    },
    { signal },
  )
  doc?.addEventListener?.(
    'resume',
    () => {
      if (candidacy.signal.aborted) candidate()
    },
    { signal },
  )
  return self
}
