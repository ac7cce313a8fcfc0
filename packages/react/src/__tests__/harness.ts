import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { act, cleanup } from '@testing-library/react'
import { afterEach, beforeEach, vi } from 'vitest'

/** Fake timers and a fresh FakeWebSocket log per test; unmounts and lets shared sockets go after each. */
export function installHarness(): void {
  beforeEach(() => {
    vi.useFakeTimers()
    FakeWebSocket.reset()
  })
  afterEach(() => {
    cleanup()
    vi.runOnlyPendingTimers()
    vi.useRealTimers()
  })
}

/** Runs the timers due now, inside `act`: what lets a released shared socket be disposed. */
export function nextTick(ms = 0): void {
  act(() => {
    vi.advanceTimersByTime(ms)
  })
}

/** Lets pending promises (an async url) settle, inside `act`. */
export async function settle(): Promise<void> {
  await act(() => vi.advanceTimersByTimeAsync(0))
}
