// @lifeline/server/metrics where prom-client is not installed: a clear INVALID_OPTIONS saying what
// to install, not a module resolution error from deep inside.
import { collectHubMetrics } from '@lifeline/server/metrics'
import { describe, expect, it, vi } from 'vitest'

vi.mock('node:module', async (importOriginal) => ({
  ...(await importOriginal<typeof import('node:module')>()),
  createRequire: () => (id: string) => {
    throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' })
  },
}))

describe('@lifeline/server/metrics without prom-client', () => {
  it('throws INVALID_OPTIONS that says to install prom-client', () => {
    const hub = { stats: () => ({}) as never }
    expect(() => collectHubMetrics(hub)).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTIONS',
        message: '@lifeline/server/metrics needs prom-client, which is not installed: npm install prom-client',
      }),
    )
  })
})
