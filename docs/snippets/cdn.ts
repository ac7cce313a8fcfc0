// Samples of docs/cdn.md. The region is plain JavaScript (a page script for the IIFE build),
// type-checked here against the global `Lifeline` typed as the ESM build, for this page's messages.
import type * as Core from '@lifeline/core'

interface Incoming {
  chat: { from: string; text: string }
}
interface Outgoing {
  chat: { text: string }
}

declare const Lifeline: Omit<typeof Core, 'connect'> & { connect: typeof Core.connect<Incoming, Outgoing> }

// #region page
// app.js
const statusLine = document.querySelector('#status')
const list = document.querySelector('#messages')
const form = document.querySelector('form')

const socket = Lifeline.connect('/live', { heartbeat: true })

socket.subscribe(() => {
  if (statusLine) statusLine.textContent = socket.getSnapshot().status
})

socket.on('chat', (chat) => {
  const item = document.createElement('li')
  item.textContent = `${chat.from}: ${chat.text}`
  list?.append(item)
})

socket.on('drop', ({ reason }) => console.warn('not sent:', reason))

form?.addEventListener('submit', (event) => {
  event.preventDefault()
  const input = form.elements.namedItem('text')
  if (!(input instanceof HTMLInputElement) || !input.value) return
  socket.send('chat', { text: input.value })
  input.value = ''
})
// #endregion
