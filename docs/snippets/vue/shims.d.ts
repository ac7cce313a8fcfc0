// Ambient modules for the samples of docs/vue.md that import what the guide does not show.

// `main.ts` mounts the app's root component, which the guide leaves to the reader.
declare module '*/App.vue' {
  import type { DefineComponent } from 'vue'

  const App: DefineComponent
  export default App
}

// Pinia is no dependency of this repository: the one call `stores/live.ts` makes, typed as Pinia
// types a setup store (the store holds the setup's return value, refs unwrapped; `$dispose()`
// stops its effect scope, which disposes a socket made there with `useSocket(url)`). Should Pinia
// become a devDependency, delete this declaration: the sample then checks against Pinia itself.
declare module 'pinia' {
  import type { UnwrapRef } from 'vue'

  export type SetupStore<Id extends string, SS> = { [K in keyof SS]: UnwrapRef<SS[K]> } & {
    readonly $id: Id
    $dispose(): void
  }
  export function defineStore<Id extends string, SS extends Record<string, unknown>>(
    id: Id,
    setup: () => SS,
  ): () => SetupStore<Id, SS>
}
