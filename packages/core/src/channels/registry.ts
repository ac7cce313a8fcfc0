import type { Status } from '@lifeline/core'
import { isPresenceFrame, isPublication } from '../protocol/channels.js'
import type { ChannelOptions, ChannelSocket } from './types.js'
import { createWire, type TabGroup, type Wire } from './wire.js'

/** The wire subscriptions of one socket, by channel name, and what it listens to while it has any. */
interface Registry {
  wires: Map<string, Wire>
  stop: () => void
}

const registries = new WeakMap<ChannelSocket, Registry>()

/** The tabs group of a socket of `connectShared` (which puts it there), if it is one. */
const groupOf = (socket: ChannelSocket) =>
  (socket as unknown as Record<symbol, TabGroup | undefined>)[Symbol.for('lifeline.tabs')]

/** Forgets `wire`; the socket's listeners go with the socket's last subscription. */
export function unregister(socket: ChannelSocket, name: string, wire: Wire): void {
  const registry = registries.get(socket)
  if (registry?.wires.get(name) !== wire) return
  registry.wires.delete(name)
  if (registry.wires.size) return
  registries.delete(socket)
  registry.stop()
}

function listen(socket: ChannelSocket): Registry {
  const wires = new Map<string, Wire>()
  let status: Status = socket.getSnapshot().status
  const each = (fn: (wire: Wire, name: string) => void) => {
    for (const [name, wire] of [...wires]) if (wires.get(name) === wire) fn(wire, name)
  }
  const group = groupOf(socket)
  const offs = [
    group?.on((message) => wires.get(message.n)?.heard(message)),
    // Publications and presence frames have no `type`: the socket emits them as `message` only.
    socket.on('message', (message: unknown) => {
      if (isPublication(message)) wires.get(message.ch)?.receive(message)
      else if (isPresenceFrame(message)) wires.get(message.pr)?.hear(message)
    }),
    socket.on('open', () => each((wire) => wire.relink())),
    socket.on('state', () => {
      const was = status
      status = socket.getSnapshot().status
      if (status === was) return
      if (status === 'closed') {
        // Closed for good (or disposed): every subscription ends.
        each((wire, name) => {
          wire.stop(false)
          unregister(socket, name, wire)
          for (const member of [...wire.members]) member.end()
        })
      } else if (was === 'open') each((wire) => wire.lost())
    }),
  ]
  return {
    wires,
    stop: () => {
      for (const off of offs) off?.()
    },
  }
}

/**
 * The wire subscription of `name` on `socket`: the one there is (joined again if the server
 * refused it), or a new one, joining now.
 */
export function register(socket: ChannelSocket, name: string, options: ChannelOptions): Wire {
  let registry = registries.get(socket)
  if (!registry) {
    registry = listen(socket)
    registries.set(socket, registry)
  }
  const { since, recover = true, presence } = options
  const mode = presence === 'count' ? presence : presence ? 'list' : undefined
  let wire = registry.wires.get(name)
  if (wire) {
    if (wire.snapshot.status === 'failed') wire.join(true)
    wire.want(mode)
    return wire
  }
  wire = createWire(
    socket,
    name,
    { status: 'joining', epoch: since?.epoch ?? null, offset: since?.offset ?? 0, recovered: false, error: null },
    recover,
    groupOf(socket),
  )
  registry.wires.set(name, wire)
  wire.want(mode)
  if (!mode) wire.join(true)
  return wire
}
