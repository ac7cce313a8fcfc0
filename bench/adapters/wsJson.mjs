// Raw `ws` plus JSON.stringify/JSON.parse of the same envelope Lifeline's JSON codec uses:
// the yardstick for "the JSON codec costs no more than JSON itself".
import ws from './ws.mjs'

export default {
  ...ws,
  name: 'ws-json',
  label: 'ws + JSON',
  connect(url) {
    const link = ws.connect(url)
    return {
      ...link,
      onMessage: (fn) => link.onMessage((text) => fn(JSON.parse(text).data)),
      send: (data) => link.send(JSON.stringify({ type: 'm', data })),
    }
  },
}
