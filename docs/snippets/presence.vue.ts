// The Vue sample of docs/presence.md, pasted into the guide as it is.
import { usePresence } from '@lifeline/vue'

export function setup() {
  // #region vue
  const { members, count } = usePresence<{ name: string }>('room:42')
  const stadium = usePresence('match:final', { countOnly: true }) // stadium.count.value only
  // <li v-for="member in members.value" :key="member.id">{{ member.data.name }}</li>
  // #endregion
  return { members, count, stadium }
}
