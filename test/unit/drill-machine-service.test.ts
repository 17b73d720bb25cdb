// The drill state machine (src/ops/drill/machine.ts) on synthetic events (test/helpers/drill-machine.ts):
// the service through the VIP judged on samples, and interrupts in every state.
import {describe, expect, it} from 'vitest'
import {nextAction, startDrill, step} from '../../src/ops/drill/machine.js'
import {slowHostExcuse} from '../../src/ops/drill/sample.js'
import {interruption} from '../../src/ops/drill/run.js'
import type {TimedAnswer} from '../../src/probe/continuous.js'
import {answers, config, ev, KILL_MASTER, RS1, RS2, run, sampled} from '../helpers/drill-machine.js'

describe('the service through the VIP', () => {
  // director-down of lvs1: one expectation, then the sample (from a container: one timeout of slack)
  const c = config('director-down', {prober: {via: 'container', rateHz: 20, timeoutMs: 1000, stampSlackMs: 1000}})
  const toCheck = run(startDrill(c), [ev('baseline', 0), ev('ran', 10), ev('met', 2000)])
  const failingUntil = (until: number) => answers(0, 20_000, (t) => (t < until ? 'fail' : t % 100 === 0 ? RS1 : RS2))

  it('is sampled from one stamp slack after the state was seen', () => {
    expect(nextAction(toCheck)).toMatchObject({kind: 'sample', from: 3000, need: 10})
  })

  it('a clean first sample passes, saying the slack', () => {
    const s = step(toCheck, sampled(4000, failingUntil(0)))
    if (s.kind !== 'restoring') throw new Error(s.kind)
    expect(s.fault.service).toEqual({
      ok: true,
      detail: `10/10 good, from ${RS1}, ${RS2} (expected ${RS1}, ${RS2}); requests sent from 1000 ms after the state was seen`,
    })
  })

  it('a first sample with a failure: a second one from after its last request; clean, it passes, both said', () => {
    const s = step(toCheck, sampled(4000, failingUntil(3100)))
    expect(s.kind).toBe('fault-service-check')
    // the first sample: the 10 requests sent from 3000 to 3450
    expect(nextAction(s)).toMatchObject({kind: 'sample', from: 3451})
    const t = step(s, sampled(4500, failingUntil(3100)))
    if (t.kind !== 'restoring') throw new Error(t.kind)
    expect(t.fault.ok).toBe(true)
    expect(t.fault.service.detail).toMatch(
      /^first sample 8\/10 good, from .*; second sample 10\/10 good, from .*; requests sent from 1000 ms/,
    )
    // the failed ones named: their place in the sample, why, how long they took
    expect(t.fault.service.detail).toContain('; failed: #1 no answer after 1000 ms, #2 no answer after 1000 ms; second sample')
  })

  it('a second sample with a failure fails the phase', () => {
    const s = run(toCheck, [sampled(4000, failingUntil(20_000)), sampled(5000, failingUntil(20_000))])
    if (s.kind !== 'restoring') throw new Error(s.kind)
    expect(s.fault.ok).toBe(false)
    expect(s.fault.failure).toMatch(/^service through the VIP: first sample 0\/10 good, from nobody .*; second sample 0\/10 good/)
  })

  it('no answer at all: failed at once, without a second sample', () => {
    const s = step(toCheck, sampled(4000, []))
    if (s.kind !== 'restoring') throw new Error(s.kind)
    expect(s.fault.failure).toBe(
      `service through the VIP: 0/0 good, from nobody (expected ${RS1}, ${RS2}); requests sent from 1000 ms after the state was seen`,
    )
  })
})

describe('a sample on a slow host (LVSLAB_TIME_SCALE above 1)', () => {
  const slow = config('director-down', {scale: 8})
  const toCheck = run(startDrill(slow), [ev('baseline', 0), ev('ran', 10), ev('met', 2000)])
  // each sample of 10 from 2000: `fail` says which requests (by their sending time) fail, and how
  const with_ = (fail: Record<number, Partial<TimedAnswer>>) =>
    answers(0, 20_000).map((a) =>
      fail[a.sentAt] ? {...a, ok: false, status: 0, server: undefined, ms: 1000, error: 'no connection', ...fail[a.sentAt]} : a,
    )

  it('excuses one request without an answer within the timeout, and says so', () => {
    const s = step(toCheck, sampled(4000, with_({2150: {}})))
    if (s.kind !== 'restoring') throw new Error(s.kind)
    expect(s.fault.ok).toBe(true)
    expect(s.fault.service.detail).toBe(
      `9/10 good, from ${RS1}, ${RS2} (expected ${RS1}, ${RS2}); failed: #4 no connection after 1000 ms (excused: a timeout on a host 8x slow)`,
    )
  })

  it('excuses a connection that then timed out too (a stalled real server or client), and says so', () => {
    const s = step(toCheck, sampled(4000, with_({2150: {ms: 1004, error: 'connected, no answer'}})))
    expect(s.kind).toBe('restoring')
  })

  it('excuses no refusal, no reset, no slow error status, no second timeout, and nothing at scale 1', () => {
    const judged = (c: typeof toCheck, fail: Record<number, Partial<TimedAnswer>>) => step(c, sampled(4000, with_(fail))).kind
    // a refusal (at once), a reset after the connection: failures of the lab, not of the host
    expect(judged(toCheck, {2150: {ms: 0}})).toBe('fault-service-check')
    expect(judged(toCheck, {2150: {ms: 540, error: 'connected, no answer'}})).toBe('fault-service-check')
    // from this machine the socket names a refusal or reset, however late it came
    expect(judged(toCheck, {2150: {ms: 1200, error: 'ECONNREFUSED'}})).toBe('fault-service-check')
    expect(judged(toCheck, {2150: {}, 2300: {}})).toBe('fault-service-check')
    expect(judged(toCheck, {2150: {ok: false, status: 503, ms: 1000, error: undefined}})).toBe('fault-service-check')
    const real = run(startDrill(config('director-down')), [ev('baseline', 0), ev('ran', 10), ev('met', 2000)])
    expect(judged(real, {2150: {}})).toBe('fault-service-check')
  })
})

describe('slowHostExcuse', () => {
  const fail = (ms: number, error = 'no connection'): TimedAnswer => ({at: 0, sentAt: 0, doneAt: ms, ok: false, status: 0, ms, error})
  const good = answers(0, 450)
  it('excuses a timeout from 95 % of the wait, not before', () => {
    expect(slowHostExcuse([...good, fail(950)], {waitMs: 1000, scale: 8})).toBe(9)
    expect(slowHostExcuse([...good, fail(949)], {waitMs: 1000, scale: 8})).toBeUndefined()
    // a container's curl waits whole seconds: a 1.5 s timeout is a 2 s wait
    expect(slowHostExcuse([...good, fail(1500)], {waitMs: 2000, scale: 8})).toBeUndefined()
    expect(slowHostExcuse([...good, fail(1000)], {waitMs: 1000, scale: 1})).toBeUndefined()
    expect(slowHostExcuse([...good, fail(1000)])).toBeUndefined()
    expect(slowHostExcuse([...good, fail(1000, 'TimeoutError')], {waitMs: 1000, scale: 8})).toBe(9)
    expect(slowHostExcuse([...good, fail(1000, 'ECONNRESET')], {waitMs: 1000, scale: 8})).toBeUndefined()
  })
})

describe('an interrupt', () => {
  const c = config('kill-master')
  it.each([
    ['baseline', 0, 'baseline answers: interrupted'],
    ['injecting', 1, 'chaos kill-master: interrupted with the fault in place'],
    ['fault-expected', 2, 'chaos kill-master: interrupted with the fault in place'],
    ['fault-service-check', 4, 'chaos kill-master: interrupted with the fault in place'],
    ['restoring', 5, 'chaos kill-master: interrupted during the restore, with the fault perhaps still in place'],
    ['restore-expected', 6, 'chaos kill-master: interrupted during the restore, with the fault perhaps still in place'],
    ['restore-service-check', 8, 'chaos kill-master: interrupted during the restore, with the fault perhaps still in place'],
  ] as const)('in %s ends the drill, interrupted there', (kind, after, message) => {
    const s = run(startDrill(c), KILL_MASTER.slice(0, after))
    expect(s.kind).toBe(kind)
    const t = step(s, ev('interrupt', 99_999))
    expect(t).toMatchObject({kind: 'interrupted', in: kind, at: 99_999})
    expect(nextAction(t)).toEqual({kind: 'none'})
    if (t.kind === 'interrupted') expect(interruption(c.drill, t.in).message).toBe(message)
  })

  it('is not taken once the prober is being stopped, nor is any event a state does not expect', () => {
    const stopping = run(startDrill(c), KILL_MASTER.slice(0, 9))
    expect(() => step(stopping, ev('interrupt', 1))).toThrow('drill kill-master: no transition from stopping on interrupt')
    expect(() => step(startDrill(c), ev('met', 1))).toThrow(/no transition from baseline on met/)
  })

  it('no baseline: ends without injecting, keeping the wait error', () => {
    const error = new Error('baseline answers: not reached within 10.0 s; last seen: 0 answers, 0 good')
    expect(step(startDrill(c), {type: 'baseline-missed', error})).toMatchObject({kind: 'no-baseline', error})
  })
})
