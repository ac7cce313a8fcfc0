// For the type check of the .ts samples of docs/testing.md: vue-tsc checks ChatRoom.vue itself
// (docs/snippets/tsconfig.vue.json), tsc sees it through this declaration.
declare module '*/ChatRoom.vue' {
  import type { DefineComponent } from 'vue'

  const ChatRoom: DefineComponent
  export default ChatRoom
}
