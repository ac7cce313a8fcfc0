// The React sample of docs/presence.md, pasted into the guide as it is.
import { usePresence } from '@lifeline/react'

// #region react
function WhoIsHere({ room }: { room: string }) {
  const { members, count } = usePresence<{ name: string }>(`room:${room}`)
  return (
    <aside>
      <h2>{`${count} here`}</h2>
      <ul>
        {members.map((member) => (
          <li key={member.id}>{member.data.name}</li>
        ))}
      </ul>
    </aside>
  )
}

// #endregion

export { WhoIsHere }
