// The child side of a bench server driven over IPC: each `{ id, command, args }` message from the
// parent runs `commands[command](...args)` and is answered `{ id, result }` or `{ id, error }`.

/** Serves `commands` to the parent process; the parent going away (even by a crash) ends this one. */
export function serveCommands(commands) {
  process.on('message', async ({ id, command, args }) => {
    try {
      const result = await commands[command](...args)
      process.send({ id, result })
    } catch (error) {
      process.send({ id, error: String(error?.stack ?? error) })
    }
  })
  process.on('disconnect', () => process.exit(0))
}
