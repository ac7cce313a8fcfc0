// The Vue sample of docs/channels.md, pasted into the guide as it is.
import { useChannel } from '@lifeline/vue'
import { computed } from 'vue'
import type { ChatLine } from './channels.types'

export function setup() {
  // #region vue
  const room = useChannel<ChatLine>('room:42', { limit: 200 })
  const label = computed(() =>
    room.status.value === 'joined' ? `${room.messages.value.length} lines` : room.status.value,
  )
  const say = (text: string) => void room.publish({ from: 'me', text })
  // <li v-for="line in room.messages.value">{{ line.from }}: {{ line.text }}</li>
  // #endregion
  return { room, label, say }
}
