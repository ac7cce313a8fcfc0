/**
 * A map from message type to payload type, as each side declares it, in which the names the
 * side reserves for its own events are refused: such a name makes it a type error whose text
 * says so, e.g. `Type '{ why: string; }' is not assignable to type '"Error: 'close' is a reserved
 * peer event name; rename this message type"'`.
 *
 * @typeParam T - the map being checked.
 * @typeParam Reserved - the names this side reserves.
 * @typeParam Why - what the error calls such a name, e.g. `a reserved peer event name`.
 */
export type MessageMap<T, Reserved extends PropertyKey, Why extends string> = {
  // What the compiler quotes when a name is reserved.
  [K in keyof T]: K extends Reserved ? `Error: '${K & string}' is ${Why}; rename this message type` : unknown
} & {
  // Keeps a reserved name's payload `never`, as generic code over `In` relies on.
  [K in keyof T]: K extends Reserved ? never : unknown
}

/** The arguments of `send(type, data)`: `data` is optional only where the payload type allows `undefined`. */
export type SendArgs<Out, K extends keyof Out> = undefined extends Out[K] ? [data?: Out[K]] : [data: Out[K]]

/** The arguments of `request(type, data, options)`: `send`'s, then the request's options. */
export type RequestArgs<Out, K extends keyof Out, Options> = undefined extends Out[K]
  ? [data?: Out[K], options?: Options]
  : [data: Out[K], options?: Options]

/** What a request of type `K` is answered with: the type declared in `Replies`, else `unknown`. */
export type ReplyOf<Replies, K> = K extends keyof Replies ? Replies[K] : unknown
