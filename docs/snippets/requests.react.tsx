// The React sample of docs/requests.md, pasted into the guide as it is.
import type { Socket } from '@lifeline/core'
import { useRequest } from '@lifeline/react'
import { useEffect } from 'react'
import type { Incoming, Outgoing, Replies } from './requests'

// #region react
function Profile({ socket, id }: { socket: Socket<Incoming, Outgoing, Replies>; id: string }) {
  const { send, data, error, pending } = useRequest('getUser', socket)
  useEffect(() => void send({ id }), [send, id]) // a new id aborts the request for the old one
  if (error) return <p>Could not load ({error.code})</p>
  return <p>{pending ? 'Loading…' : data?.name}</p>
}

// #endregion

export { Profile }
