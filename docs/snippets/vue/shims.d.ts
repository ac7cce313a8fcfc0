// Ambient modules for the samples of docs/vue.md that import what the guide does not show.

// `main.ts` mounts the app's root component, which the guide leaves to the reader.
declare module '*/App.vue' {
  import type { DefineComponent } from 'vue'

  const App: DefineComponent
  export default App
}
