// Proves the CDN bundle works under a strict Content-Security-Policy: loaded before the bundle,
// it records every `securitypolicyviolation`, then connects, round-trips a chat message and
// writes the verdict to the page: `document.body.dataset.result` is 'ok' or 'fail', and
// `window.cspCheck` holds the details.
;(() => {
  const STEP_TIMEOUT = 5000

  /** @type {{ directive: string, blocked: string, sample: string, source: string }[]} */
  const violations = []
  document.addEventListener('securitypolicyviolation', (event) => {
    violations.push({
      directive: event.effectiveDirective,
      blocked: event.blockedURI,
      sample: event.sample,
      source: `${event.sourceFile}:${event.lineNumber}`,
    })
  })

  // ?probe=eval breaks the policy on purpose, to show that a violation would be caught.
  const probe = new URLSearchParams(location.search).get('probe')
  let probeResult = null
  if (probe === 'eval') {
    try {
      // biome-ignore lint/security/noGlobalEval: the point of the probe is to be refused.
      eval('1')
      probeResult = 'eval ran: the policy is not enforced'
    } catch (error) {
      probeResult = `eval refused (${error.name})`
    }
  }

  /** @type {{ name: string, ok: boolean, detail: string }[]} */
  const checks = []
  const check = (name, ok, detail = '') => {
    checks.push({ name, ok, detail })
    return ok
  }

  /** Resolves with `event`'s payload from `socket`, or rejects after STEP_TIMEOUT. */
  function waitFor(socket, event, test = () => true) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off()
        reject(new Error(`no ${event} within ${STEP_TIMEOUT} ms`))
      }, STEP_TIMEOUT)
      const off = socket.on(event, (payload) => {
        if (!test(payload)) return
        clearTimeout(timer)
        off()
        resolve(payload)
      })
    })
  }

  async function run() {
    const policy = await fetch(location.href, { method: 'HEAD', cache: 'no-store' })
      .then((response) => response.headers.get('content-security-policy'))
      .catch(() => null)
    document.getElementById('policy').textContent = `Content-Security-Policy: ${policy ?? '(none)'}`
    check(
      'the page is served with a policy that forbids eval',
      !!policy && !policy.includes('unsafe-eval'),
      policy ?? '',
    )

    const Lifeline = /** @type {any} */ (globalThis).Lifeline
    if (!check('the CDN bundle loaded', typeof Lifeline?.connect === 'function', 'window.Lifeline.connect')) return

    const socket = Lifeline.connect('/live', { heartbeat: true, reconnect: false })
    try {
      if (socket.getSnapshot().status !== 'open') await waitFor(socket, 'open')
      check('connected', true, `status ${socket.getSnapshot().status}`)
      const id = `csp-${Math.random().toString(36).slice(2)}`
      const sentAt = performance.now()
      const echo = waitFor(socket, 'chat', (chat) => chat.id === id)
      socket.send('chat', { text: 'round trip under a strict CSP', from: 'csp-check', id })
      const chat = await echo
      check(
        'a chat message came back',
        chat.text === 'round trip under a strict CSP',
        `${Math.round(performance.now() - sentAt)} ms`,
      )
    } catch (error) {
      check('connected and round-tripped a message', false, error.message)
    } finally {
      socket.dispose()
    }
  }

  function report() {
    if (probeResult) checks.push({ name: 'probe', ok: true, detail: probeResult })
    check(
      'no securitypolicyviolation events',
      violations.length === 0,
      violations.map((v) => `${v.directive} blocked ${v.blocked || 'inline'} ${v.sample}`.trim()).join('; '),
    )
    const ok = checks.every((c) => c.ok)
    const list = document.getElementById('checks')
    for (const { name, ok: passed, detail } of checks) {
      const item = document.createElement('li')
      item.dataset.ok = String(passed)
      item.textContent = `${passed ? '✓' : '✗'} ${name}${detail ? ` — ${detail}` : ''}`
      list.append(item)
    }
    document.getElementById('verdict').textContent = ok
      ? 'OK: Lifeline runs under this policy.'
      : `FAIL: ${checks
          .filter((c) => !c.ok)
          .map((c) => c.name)
          .join(', ')}`
    Object.assign(globalThis, { cspCheck: { result: ok ? 'ok' : 'fail', checks, violations } })
    document.body.dataset.violations = String(violations.length)
    document.body.dataset.result = ok ? 'ok' : 'fail'
  }

  document.addEventListener('DOMContentLoaded', () => {
    run()
      .catch((error) => check('the check ran', false, String(error)))
      // Violation reports are queued as tasks: let any pending one arrive before the verdict.
      .then(() => new Promise((resolve) => setTimeout(resolve, 50)))
      .then(report)
  })
})()
