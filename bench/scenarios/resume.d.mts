// Types of resume.mjs for the e2e test that drives it (examples/e2e/sleep.test.ts).
import type { Browser } from 'puppeteer-core'

export interface Engine {
  name: 'chromium' | 'firefox'
  label: string
  install: string
}

export interface SleepCase {
  name: string
  label: string
  engines: Engine['name'][]
  cut?: boolean
  survives(engine: Engine['name']): boolean
}

export interface Outcome {
  settled: boolean
  resumeToOpenMs: number | null
  reconnects: number
  closeCodes: number[]
  /** The `code`s of the socket's `error` events around the resume (e.g. `HEARTBEAT_TIMEOUT`). */
  errors: string[]
  deliveredOnce: boolean
  published: number
  shown: number
  recovered: number
}

export const ENGINES: Engine[]
export const CASES: SleepCase[]
export function launchEngine(engine: Engine): Promise<Browser> | null
export function once(browser: Browser, server: { url: string }, sleepCase: SleepCase, ms: number): Promise<Outcome>
export function resume(options: { runs: number; sleepMs: number; log: (line: string) => void }): Promise<unknown>
