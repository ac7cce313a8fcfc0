import type { Socket } from '@lifeline/core'

// Sockets are marked raw (`markRaw`) wherever this package hands them out or takes them in, so
// no proxy ever wraps one. This tells Vue's types the same: a socket held in reactive state or
// returned from a Pinia setup store keeps its type, message maps included, instead of being
// "unwrapped" into a plain object whose methods lose their generics. (The interface is declared
// in @vue/reactivity, which every Vue app has; it is an optional peer dependency so that strict
// installs such as pnpm's let these types see it.)
declare module '@vue/reactivity' {
  interface RefUnwrapBailTypes {
    // biome-ignore lint/suspicious/noExplicitAny: every socket, whatever its message maps.
    lifelineSocket: Socket<any, any, any>
  }
}
