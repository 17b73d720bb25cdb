import {expect} from 'vitest'

interface Verified {
  ok: boolean
  checks: {name: string; ok: boolean; detail: string}[]
  requests?: unknown
}

/**
 * Asserts that a verify result (in-process VerifyResult or its JSON) passed, and on failure shows
 * which checks failed with what they saw, and the requests: a bare `ok` false says nothing in CI's log.
 */
export function expectVerified(v: Verified | undefined, what = 'verify'): void {
  expect(v, `${what}: no verify result`).toBeDefined()
  const failed = v!.checks.filter((c) => !c.ok)
  // the failed checks and what they saw in the message itself: CI's summary keeps a message's first line
  const why = failed.map((c) => `${c.name}: ${c.detail}`).join(' | ')
  expect(failed.length, `${what} failed: ${why}; requests: ${JSON.stringify(v!.requests)}`).toBe(0)
  expect(v!.ok).toBe(true)
}
