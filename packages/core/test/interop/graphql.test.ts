// graphql-ws (a client nobody here wrote) over LifelineWebSocket: a query and a subscription, through
// a server restart. graphql-ws reconnects and resubscribes by itself, so the class runs with
// `reconnect: false`; it constructs with two arguments, so the options come from a subclass. The
// heartbeat speaks graphql-ws's own ping, which the server answers with its pong.
import { createRequire } from 'node:module'
import { type Client, createClient } from 'graphql-ws'
import { useServer } from 'graphql-ws/use/ws'
import { afterEach, expect, it } from 'vitest'
import { LifelineWebSocket } from '../../src/LifelineWebSocket.js'
import { clientWebSocket } from '../support/client.js'
import { restartableServer, until } from './restartable.js'

// The copy of graphql that graphql-ws's server loads (Node resolves graphql 16 to its CommonJS
// build): a schema from another copy is refused.
const { GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString } = createRequire(import.meta.url)(
  'graphql',
) as typeof import('graphql')

let latencies = 0

class GraphQLSocket extends LifelineWebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols, {
      WebSocket: clientWebSocket.WebSocket,
      reconnect: false,
      heartbeat: { interval: 50, timeout: 1000, ping: () => '{"type":"ping"}', isPong: (m) => m === '{"type":"pong"}' },
    })
    this.socket.on('latency', () => latencies++)
  }
}

let generation = 0
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: { server: { type: GraphQLString, resolve: () => `generation ${generation}` } },
  }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      ticks: {
        type: GraphQLInt,
        async *subscribe() {
          for (let tick = 0; ; tick++) {
            yield { ticks: tick }
            await new Promise((resolve) => setTimeout(resolve, 20))
          }
        },
      },
    },
  }),
})

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function query(client: Client, text: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let result: unknown
    client.subscribe(
      { query: text },
      { next: (value) => (result = value), error: reject, complete: () => resolve(result) },
    )
  })
}

it('runs a query and a subscription through graphql-ws, across a server restart', async () => {
  const server = await restartableServer((wss) => {
    generation++
    useServer({ schema }, wss)
  })
  cleanups.push(() => server.stop())
  const client = createClient({
    url: server.url,
    webSocketImpl: GraphQLSocket,
    lazy: false,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: () => new Promise((resolve) => setTimeout(resolve, 50)),
  })
  cleanups.push(() => client.dispose())

  expect(await query(client, '{ server }')).toEqual({ data: { server: 'generation 1' } })
  // The link is quiet now: after 50 ms of silence the heartbeat pings, graphql-ws's server pongs.
  await until(() => latencies > 0, 'a heartbeat round trip (graphql-ws ping and pong)')
  const ticks: number[] = []
  const errors: unknown[] = []
  const stop = client.subscribe<{ ticks: number }>(
    { query: 'subscription { ticks }' },
    { next: ({ data }) => ticks.push(data?.ticks ?? -1), error: (error) => errors.push(error), complete: () => {} },
  )
  cleanups.push(stop)
  await until(() => ticks.length >= 3, 'three ticks')

  const before = ticks.length
  await server.restart()
  // graphql-ws resubscribed on the restarted server: its ticks start again from 0.
  await until(
    () => ticks.length > before && ticks.at(-1) !== undefined && ticks.lastIndexOf(0) >= before,
    'ticks again',
  )
  await until(() => ticks.length >= before + 3, 'three more ticks')
  expect(await query(client, '{ server }')).toEqual({ data: { server: 'generation 2' } })
  expect(errors).toEqual([])
})
