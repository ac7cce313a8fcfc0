import { afterEach, describe, expect, it, vi } from 'vitest'

describe('the Redis entry without @redis/client installed', () => {
  afterEach(() => {
    vi.doUnmock('@redis/client')
    vi.resetModules()
  })

  it('fails to start with ADAPTER_FAILED, saying to npm install @redis/client', async () => {
    vi.resetModules()
    vi.doMock('@redis/client', () => {
      throw Object.assign(new Error("Cannot find package '@redis/client'"), { code: 'ERR_MODULE_NOT_FOUND' })
    })
    const { redisAdapter } = await import('../redis.js')
    const { replies } = redisAdapter({ url: 'redis://127.0.0.1:1' })
    const started = replies.start({
      dedupe: { ttl: 1000, max: 10, maxBytes: 1e6, claimTimeout: 2000 },
      report: () => {},
    })
    await expect(started).rejects.toMatchObject({
      name: 'LifelineServerError',
      code: 'ADAPTER_FAILED',
      message: expect.stringContaining('npm install @redis/client'),
    })
  })
})
