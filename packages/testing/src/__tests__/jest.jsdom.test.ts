// Runs the guide's Jest component test (docs/snippets/testing/ChatPanel.jest.tsx) with the Jest
// configuration docs/testing.md gives, read from the guide itself: jsdom, ts-jest, the built packages
// as Jest users get them. Checks that every test ran and passed, and that React reported no update
// outside act.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../../../', import.meta.url))

/** The `jest` object of the guide's ```json block. */
function guideConfig(): Record<string, unknown> {
  const guide = readFileSync(join(root, 'docs/testing.md'), 'utf8')
  const block = [...guide.matchAll(/^```json\n([\s\S]*?)\n```$/gm)].find(([, json]) => json?.includes('"jest"'))
  if (!block) throw new Error('docs/testing.md has no ```json block with a Jest configuration')
  return JSON.parse(block[1] as string).jest
}

it('runs the guide’s React test under Jest with jsdom and ts-jest, as the guide configures them', () => {
  const require = createRequire(import.meta.url)
  const jest = require.resolve('jest/bin/jest')
  for (const dependency of ['jest-environment-jsdom', 'ts-jest']) require.resolve(dependency)
  for (const built of ['core', 'react', 'testing']) {
    const file = `packages/${built}/dist/index.cjs`
    if (!existsSync(join(root, file))) throw new Error(`${file} is missing: run \`npm run build\` first`)
  }
  const config = {
    ...guideConfig(),
    rootDir: root,
    testMatch: ['<rootDir>/docs/snippets/testing/ChatPanel.jest.tsx'],
    cacheDirectory: '<rootDir>/node_modules/.cache/jest-jsdom',
  }
  expect(config).toMatchObject({ testEnvironment: 'jsdom' })
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-jest-jsdom-'))
  try {
    const report = join(dir, 'report.json')
    const run = spawnSync(
      process.execPath,
      [jest, '--config', JSON.stringify(config), '--ci', '--json', `--outputFile=${report}`],
      { cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NODE_ENV: 'test' } },
    )
    const result = existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : null
    expect(result, `Jest wrote no report:\n${run.stderr}`).not.toBeNull()
    const failures = result.testResults.flatMap((file: { message: string }) => (file.message ? [file.message] : []))
    expect(failures, run.stderr).toEqual([])
    expect({ passed: result.numPassedTests, failed: result.numFailedTests, exit: run.status }).toEqual({
      passed: 2,
      failed: 0,
      exit: 0,
    })
    // Jest prints what the tests logged to stderr: React's act warning would be there.
    expect(run.stderr).not.toContain('not wrapped in act')
    expect(run.stderr).not.toMatch(/console\.(error|warn)/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
