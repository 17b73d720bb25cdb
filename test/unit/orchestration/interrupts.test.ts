// Interrupts and deadlines reach every engine call: waitFor gives each check a signal that aborts at
// the wait's cut (its bound plus one poll interval) or on the caller's interrupt, the snapshot reads
// pass it to their exec, and every use case passes its signal to its engine calls and probes. So an
// interrupt ends a convergence wait, a verify or any other use case at once, and a hanging read ends
// a wait at most one poll interval past its bound. All on the virtual clock (10 ms steps), except the
// probe from this machine, which meets a real HTTP server that never answers.
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {afterEach, describe, expect, it} from 'vitest'
import {StepError} from '../../../src/errors.js'
import {runChaos} from '../../../src/ops/chaos.js'
import {doctor} from '../../../src/ops/doctor.js'
import {downLab} from '../../../src/ops/down.js'
import {restoreLab} from '../../../src/ops/restore.js'
import {labStatus} from '../../../src/ops/status.js'
import {collectSteps, type StepEvent} from '../../../src/ops/steps.js'
import {upLab} from '../../../src/ops/up/index.js'
import {verifyLab} from '../../../src/ops/verify.js'
import {CHECK_ABORT_GRACE_MS, CHECK_OVERRUN_MS, type Poll, waitFor} from '../../../src/ops/wait.js'
import {HostProber} from '../../../src/probe/host.js'
import {type MemoryRuntime, onVirtualClock, sleep} from '../../helpers/memory/index.js'
import {c, classic, closeAll, memory, running, UP} from './lab.js'

afterEach(closeAll)

/** How a piece of work ended: its error (undefined when it did not fail), when (virtual ms from its start), and how long after the interrupt. */
interface Ended {
  error: unknown
  atMs: number
  lateMs: number
}

/**
 * Runs `work` on the virtual clock and interrupts it `afterMs` in (or never, when absent), or when
 * `work` calls its `later(ms)`: ms after that call.
 * @returns how it ended
 */
function interruptAfter(work: (signal: AbortSignal, later: (ms: number) => void) => Promise<unknown>, afterMs?: number): Promise<Ended> {
  const ac = new AbortController()
  return onVirtualClock(async () => {
    const started = Date.now()
    let abortedAt = Number.NaN
    const later = (ms: number) =>
      setTimeout(() => {
        abortedAt = Date.now()
        ac.abort()
      }, ms)
    if (afterMs !== undefined) later(afterMs)
    const error = await work(ac.signal, later).then(
      () => undefined,
      (e: unknown) => e,
    )
    return {error, atMs: Date.now() - started, lateMs: Date.now() - abortedAt}
  })
}

/** upLab on the virtual clock, interrupted `afterMs` after its step `step` started: how it ended, and its step events. */
async function upInterrupted(rt: MemoryRuntime, step: string, afterMs: number): Promise<Ended & {events: StepEvent[]}> {
  const {events, sink} = collectSteps()
  const onStep = (later: (ms: number) => void) => (e: StepEvent) => {
    sink(e)
    if (e.type === 'start' && e.step === step) later(afterMs)
  }
  const ended = await interruptAfter((signal, later) => upLab(rt, classic, {...UP, signal, onStep: onStep(later)}))
  return {...ended, events}
}

/** The message of a StepError (the test fails for anything else). */
function message(error: unknown): string {
  expect(error).toBeInstanceOf(StepError)
  return (error as StepError).message
}

/** A check that never answers until its signal aborts, then throws as the Runtime does ("<step>: interrupted"). */
const hanging = (step: string) => (signal: AbortSignal) =>
  new Promise<Poll<unknown>>((_, reject) => {
    signal.addEventListener('abort', () => reject(new StepError(step, 'interrupted')), {once: true})
  })

/** "At once" on the virtual clock: within two of its 10 ms steps. */
const AT_ONCE_MS = 20

describe('waitFor', () => {
  it('polls on the same schedule as before: a last poll after the bound, then the timeout with what it saw', async () => {
    const polls: number[] = []
    const {error} = await interruptAfter(() =>
      waitFor('x', 1000, async () => {
        polls.push(Date.now())
        return {done: false, seen: `poll ${polls.length}`}
      }),
    )
    expect(message(error)).toBe('x: not reached within 1.0 s; last seen: poll 5')
    expect(polls.map((t) => t - polls[0]!)).toEqual([0, 250, 500, 750, 1000])
  })

  it("gives each check a signal that aborts at the wait's cut: a hanging check ends the wait one interval plus CHECK_OVERRUN_MS past its bound", async () => {
    let polls = 0
    const check = (signal: AbortSignal) => (++polls <= 2 ? Promise.resolve({done: false, seen: 'state A'}) : hanging('read lvs2')(signal))
    const {error, atMs} = await interruptAfter(() => waitFor('x', 2000, check, {intervalMs: 500}))
    expect(message(error)).toBe('x: not reached within 2.0 s; last seen: state A; then read lvs2: no answer by the deadline')
    expect(atMs).toBeGreaterThanOrEqual(2500 + CHECK_OVERRUN_MS)
    expect(atMs).toBeLessThanOrEqual(2500 + CHECK_OVERRUN_MS + AT_ONCE_MS)
  })

  it('gives up a check that ignores its signal CHECK_ABORT_GRACE_MS after the cut', async () => {
    const {error, atMs} = await interruptAfter(() => waitFor('x', 2000, () => new Promise<Poll<unknown>>(() => {}), {intervalMs: 500}))
    expect(message(error)).toBe('x: not reached within 2.0 s; last seen: the check: no answer by the deadline')
    expect(atMs).toBeGreaterThanOrEqual(2500 + CHECK_OVERRUN_MS + CHECK_ABORT_GRACE_MS)
    expect(atMs).toBeLessThanOrEqual(2500 + CHECK_OVERRUN_MS + CHECK_ABORT_GRACE_MS + AT_ONCE_MS)
  })

  it('ends at once on an interrupt: during a hanging check (even one that ignores its signal), and during the pause', async () => {
    for (const check of [hanging('read lvs2'), () => new Promise<Poll<unknown>>(() => {})]) {
      const ended = await interruptAfter((signal) => waitFor('x', 60_000, check, {signal}), 700)
      expect(message(ended.error)).toBe('x: interrupted')
      expect(ended.lateMs).toBeLessThanOrEqual(AT_ONCE_MS)
    }
    const pause = await interruptAfter(
      (signal) => waitFor('x', 60_000, async () => ({done: false, seen: 'no'}), {intervalMs: 5000, signal}),
      700,
    )
    expect(message(pause.error)).toBe('x: interrupted')
    expect(pause.lateMs).toBeLessThanOrEqual(AT_ONCE_MS)
  })
})

describe('a convergence wait', () => {
  it("with a hanging facts read: up's wait ends one poll interval (500 ms) plus CHECK_OVERRUN_MS past its 17.8 s bound, naming the read", async () => {
    const rt = memory()
    rt.inject({call: 'exec', match: /^classic-lvs2 lvslab-facts --ipvs --vrrp$/, effect: {hang: true}})
    const {events, sink} = collectSteps()
    const {error} = await interruptAfter(() => upLab(rt, classic, {...UP, onStep: sink}))
    expect(message(error)).toBe(
      'VIP on lvs1 and IPVS table complete: not reached within 17.8 s; last seen: exec in classic-lvs2: lvslab-facts --ipvs --vrrp: no answer by the deadline',
    )
    const failed = events.find((e) => e.type === 'fail')
    expect(failed?.step).toBe('converge')
    expect(failed?.ms).toBeGreaterThanOrEqual(17_800 + 500 + CHECK_OVERRUN_MS)
    expect(failed?.ms).toBeLessThanOrEqual(17_800 + 500 + CHECK_OVERRUN_MS + AT_ONCE_MS)
  })

  it('interrupted during a hanging facts read: up ends at once with the wait\'s "interrupted"', async () => {
    const rt = memory()
    rt.inject({call: 'exec', match: /^classic-lvs2 lvslab-facts --ipvs --vrrp$/, effect: {hang: true}})
    const ended = await upInterrupted(rt, 'converge', 3000)
    expect(message(ended.error)).toBe('VIP on lvs1 and IPVS table complete: interrupted')
    expect(ended.lateMs).toBeLessThanOrEqual(AT_ONCE_MS)
  })

  it("interrupted during `chaos restore`'s wait for a lab that does not converge: it ends at once", async () => {
    const rt = await running()
    rt.model.faults.neverMaster.add(c('lvs1'))
    await onVirtualClock(async () => {
      expect((await rt.exec(c('lvs1'), ['bash', '-c', 'lvslab-svc kill keepalived'])).exitCode).toBe(0)
      await sleep(6000)
    })
    const ended = await interruptAfter((signal) => restoreLab(rt, classic, {signal}), 2250)
    expect(message(ended.error)).toBe('VIP on lvs1 and IPVS table complete: interrupted')
    expect(ended.lateMs).toBeLessThanOrEqual(AT_ONCE_MS)
  })
})

describe('verify', () => {
  it('interrupted while the probe container sends its requests (a hanging exec): ends at once', async () => {
    const rt = await running()
    rt.inject({call: 'exec', match: /^classic-client bash -c LC_ALL=C curl/, effect: {hang: true}})
    const ended = await interruptAfter((signal) => verifyLab(rt, classic, {from: 'container', signal}), 1000)
    expect(message(ended.error)).toMatch(/^exec in classic-client: bash -c LC_ALL=C curl.*: interrupted$/)
    expect(ended.lateMs).toBeLessThanOrEqual(AT_ONCE_MS)
  })

  it("interrupted while it reads the nodes' facts: ends at once", async () => {
    const rt = await running()
    rt.inject({call: 'exec', match: /^classic-rs1 lvslab-facts/, effect: {hang: true}})
    const ended = await interruptAfter((signal) => verifyLab(rt, classic, {from: 'container', signal}), 1000)
    expect(message(ended.error)).toMatch(/^exec in classic-rs1: lvslab-facts --page .*: interrupted$/)
    expect(ended.lateMs).toBeLessThanOrEqual(AT_ONCE_MS)
  })

  it("up's verify step, interrupted while the probes hang: that step fails at once as interrupted", async () => {
    const rt = memory()
    rt.inject({call: 'exec', match: /^classic-client bash -c LC_ALL=C curl/, effect: {hang: true}})
    const {error, lateMs, events} = await upInterrupted(rt, 'verify', 1000)
    expect(message(error)).toMatch(/^exec in classic-client: bash -c LC_ALL=C curl.*: interrupted$/)
    expect(events.find((e) => e.type === 'fail')?.step).toBe('verify')
    expect(lateMs).toBeLessThanOrEqual(AT_ONCE_MS)
  })

  it("from this machine: each answer names its connection's local end, the client IPVS sees", async () => {
    const server: Server = createServer((_, res) => res.end('from 172.20.1.10\n'))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const {port} = server.address() as AddressInfo
      const answers = await new HostProber({vip: '127.0.0.1', port, path: '/', timeoutMs: 3000}).many(2)
      expect(answers.map((a) => [a.ok, a.server])).toEqual([
        [true, '172.20.1.10'],
        [true, '172.20.1.10'],
      ])
      for (const a of answers) expect(a.client).toMatch(/^127\.0\.0\.1:\d+$/)
      expect(answers[0]!.client).not.toBe(answers[1]!.client)
    } finally {
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
    }
  })

  it('from this machine: an interrupt aborts the request under way and ends the sample', async () => {
    // a server that takes every request and never answers
    const server: Server = createServer(() => {})
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const {port} = server.address() as AddressInfo
      const ac = new AbortController()
      const prober = new HostProber({vip: '127.0.0.1', port, path: '/', timeoutMs: 3000}, ac.signal)
      const started = Date.now()
      setTimeout(() => ac.abort(), 50)
      await expect(prober.many(5)).rejects.toThrow('probe the VIP: interrupted')
      expect(Date.now() - started).toBeLessThan(1000)
    } finally {
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
    }
  })
})

describe('a drill', () => {
  it("interrupted while its fault's command hangs: ends with the fault in place, once its prober is stopped", async () => {
    const rt = await running()
    rt.inject({call: 'exec', match: /^classic-lvs1 bash -c lvslab-svc kill keepalived$/, effect: {hang: true}})
    const ended = await interruptAfter(
      (signal) => runChaos(rt, classic, [{name: 'kill-master'}], {restore: true, from: 'container', signal}),
      2000,
    )
    expect(message(ended.error)).toBe('chaos kill-master: interrupted with the fault in place')
    // only the prober's stop comes after the interrupt (its loop killed, its curls waited for: at once here)
    expect(ended.lateMs).toBeLessThanOrEqual(AT_ONCE_MS)
    expect(rt.probers(c('client'))).toBe(0)
  })
})

describe('the other use cases pass their signal to the engine', () => {
  it('status, down, doctor and chaos restore: a hanging engine call ends at once on an interrupt', async () => {
    const rt = await running()
    rt.inject({call: 'findContainer', effect: {hang: true}})
    rt.inject({call: 'listContainers', effect: {hang: true}})
    rt.inject({call: 'info', effect: {hang: true}})
    const cases: [string, (signal: AbortSignal) => Promise<unknown>, RegExp][] = [
      ['status', (signal) => labStatus(rt, classic, {signal}), /^inspect container classic-\w+: interrupted$/],
      ['down', (signal) => downLab(rt, 'classic', {signal}), /: interrupted$/],
      // an interrupt is never one of doctor's findings: it is thrown
      ['doctor', (signal) => doctor(rt, classic, {signal}), /: interrupted$/],
      ['chaos restore', (signal) => restoreLab(rt, classic, {signal}), /^inspect container classic-lvs1: interrupted$/],
    ]
    for (const [name, run, wanted] of cases) {
      const ended = await interruptAfter(run, 1000)
      expect(message(ended.error), name).toMatch(wanted)
      expect(ended.lateMs, name).toBeLessThanOrEqual(AT_ONCE_MS)
    }
  })

  it('a signal aborted before a use case starts: it makes no engine call that changes anything', async () => {
    const rt = await running()
    const ac = new AbortController()
    ac.abort()
    const before = rt.engine.containers.size
    await expect(onVirtualClock(() => downLab(rt, 'classic', {signal: ac.signal}))).rejects.toThrow(/interrupted/)
    expect(rt.engine.containers.size).toBe(before)
    expect(rt.calls.map((x) => x.call)).not.toContain('removeContainer')
  })
})
