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
  expect(failed, `${what} failed; requests: ${JSON.stringify(v!.requests)}`).toEqual([])
  expect(v!.ok).toBe(true)
}
