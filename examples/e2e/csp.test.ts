// The strict-CSP proof page: the CDN bundle connects and round-trips a message under
// `script-src 'self'` with no 'unsafe-eval', and not one securitypolicyviolation is reported.
import { expect, it } from 'vitest'
import { describeEach, useDemo } from './demo.js'

interface CspCheck {
  result: 'ok' | 'fail'
  checks: { name: string; ok: boolean; detail: string }[]
  violations: { directive: string; blocked: string }[]
}

describeEach('the strict-CSP page', (browser) => {
  const demo = useDemo('csp', browser)

  async function run(path: string): Promise<{ check: CspCheck; policy: string | undefined }> {
    const page = await demo().open(path)
    await page.locator('body:not([data-result="running"])').waitFor()
    const check = (await page.evaluate(() => (globalThis as { cspCheck?: unknown }).cspCheck)) as CspCheck
    const policy = (await fetch(page.url())).headers.get('content-security-policy') ?? undefined
    return { check, policy }
  }

  it('reports zero violations and a successful round trip', async () => {
    const { check, policy } = await run('csp/')
    expect(policy).toBe("default-src 'self'; script-src 'self'; connect-src 'self' ws: wss:")
    expect(check.violations).toEqual([])
    expect(check.checks.filter((c) => !c.ok)).toEqual([])
    expect(check.checks.map((c) => c.name)).toContain('a chat message came back')
    expect(check.result).toBe('ok')
  })

  it('does catch a violation when one is provoked, so the zero above means something', async () => {
    const { check } = await run('csp/?probe=eval')
    expect(check.result).toBe('fail')
    expect(check.violations).toEqual([expect.objectContaining({ directive: 'script-src', blocked: 'eval' })])
    // The bundle still worked: only the probe broke the policy.
    expect(check.checks.find((c) => c.name === 'a chat message came back')?.ok).toBe(true)
  })
})
