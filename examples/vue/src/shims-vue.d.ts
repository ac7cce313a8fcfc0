// For tsc, which does not read .vue files (vue-tsc does): each is a component.
declare module '*.vue' {
  import type { DefineComponent } from 'vue'

  const component: DefineComponent
  export default component
}
