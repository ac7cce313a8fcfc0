// The React sample of docs/channels.md, pasted into the guide as it is.
import { SocketProvider, useChannel } from '@lifeline/react'
import { useEffect } from 'react'
import type { ChatLine } from './channels.types'

declare function reloadFromApi(from: number, to: number): Promise<void>

// #region react
function Room({ id }: { id: string }) {
  const { status, messages, recovered, publish, error } = useChannel<ChatLine>(`room:${id}`, { limit: 200 })
  if (error?.code === 'JOIN_REFUSED') return <p>You cannot read this room.</p>
  return (
    <section>
      <p>{status === 'joined' ? (recovered ? 'up to date' : 'live') : status}</p>
      <ul>
        {messages.map((line, i) => (
          <li key={i}>{`${line.from}: ${line.text}`}</li>
        ))}
      </ul>
      <button type="button" onClick={() => publish({ from: 'me', text: 'hi' })}>
        Say hi
      </button>
    </section>
  )
}

// #endregion

function Gaps() {
  // #region react-gap
  const room = useChannel<ChatLine>('room:42')
  useEffect(() => {
    if (room.gap) void reloadFromApi(room.gap.from, room.gap.to)
  }, [room.gap])
  useEffect(() => {
    if (room.epoch) localStorage.setItem('room:42 position', JSON.stringify({ epoch: room.epoch, offset: room.offset }))
  }, [room.epoch, room.offset])
  // #endregion
  return <p>{room.messages.length}</p>
}

export { Gaps, Room, SocketProvider }
