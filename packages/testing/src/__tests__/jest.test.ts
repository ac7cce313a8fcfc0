// Runs the kit's Jest suite (packages/testing/jest) in a child process, on the built package as Jest
// users get it, and checks every test ran and passed. A missing Jest or build fails loudly.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../../../', import.meta.url))

it('passes under Jest with modern fake timers, legacy fake timers and real timers', () => {
  let jest: string
  try {
    jest = createRequire(import.meta.url).resolve('jest/bin/jest')
  } catch {
    throw new Error('Jest is not installed: it is a devDependency of the repository, run `npm install`')
  }
  for (const built of ['packages/core/dist/index.cjs', 'packages/testing/dist/index.cjs']) {
    if (!existsSync(join(root, built))) throw new Error(`${built} is missing: run \`npm run build\` first`)
  }
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-jest-'))
  try {
    const report = join(dir, 'report.json')
    const run = spawnSync(
      process.execPath,
      [jest, '--config', 'packages/testing/jest.config.cjs', '--ci', '--json', `--outputFile=${report}`],
      { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_ENV: 'test' } },
    )
    const result = existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : null
    expect(result, `Jest wrote no report:\n${run.stderr}`).not.toBeNull()
    const failures = result.testResults.flatMap((file: { message: string }) => (file.message ? [file.message] : []))
    expect(failures, run.stderr).toEqual([])
    // Four cases under modern fake timers and real timers, three under legacy ones (no heartbeat there).
    expect({ passed: result.numPassedTests, failed: result.numFailedTests, exit: run.status }).toEqual({
      passed: 11,
      failed: 0,
      exit: 0,
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
