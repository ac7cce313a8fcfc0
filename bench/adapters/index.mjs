// Every library under test, in a fixed order (raw baselines first).
import { lifelineJson, lifelineRaw } from './lifeline.mjs'
import partysocket from './partysocket.mjs'
import reconnectingWebsocket from './reconnectingWebsocket.mjs'
import ws from './ws.mjs'
import wsJson from './wsJson.mjs'

export const adapters = [ws, wsJson, reconnectingWebsocket, partysocket, lifelineRaw, lifelineJson]

/** The adapter called `name`. */
export const adapter = (name) => adapters.find((a) => a.name === name)
