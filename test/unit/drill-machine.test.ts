// The drill state machine (src/ops/drill/machine.ts) on synthetic events: every time is a number of ms
// on a made-up prober clock, nothing waits.
import {describe, expect, it} from 'vitest'
import {parseLab} from '../../src/lab/load.js'
import type {DrillName} from '../../src/drills/drill.js'
import {makeDrill} from '../../src/drills/drills.js'
import {type DrillConfig, type DrillEvent, type DrillState, nextAction, startDrill, step} from '../../src/ops/drill/machine.js'
import {interruption} from '../../src/ops/drill/run.js'
import {waitMs} from '../../src/plan/plan.js'
import type {TimedAnswer} from '../../src/probe/continuous.js'

const lab = parseLab('')
const RS1 = '172.20.1.10'
const RS2 = '172.20.1.11'

function config(name: DrillName, over: Partial<DrillConfig> = {}): DrillConfig {
  return {
    lab,
    drill: makeDrill(lab, name),
    restore: true,
    prober: {via: 'host', rateHz: 20, timeoutMs: 1000, stampSlackMs: 0},
    scale: 1,
    ...over,
  }
}

/** An event without a payload, at `at` ms; a sample's or the stop's answers. */
const ev = (type: 'baseline' | 'ran' | 'met' | 'interrupt', at: number): DrillEvent => ({type, at})
const sampled = (at: number, answers: TimedAnswer[]): DrillEvent => ({type: 'sampled', at, answers})
const stopped = (at: number, answers: TimedAnswer[]): DrillEvent => ({type: 'stopped', at, answers})

/** The state after each event in turn. */
const run = (s: DrillState, events: DrillEvent[]) => events.reduce(step, s)

/** A request every 50 ms sent in [from, to), answered 5 ms later; `how` says whether it fails, else which server answers. */
function answers(from: number, to: number, how: (t: number) => string | 'fail' = (t) => (t % 100 === 0 ? RS1 : RS2)): TimedAnswer[] {
  const out: TimedAnswer[] = []
  for (let t = from; t < to; t += 50) {
    const who = how(t)
    out.push(
      who === 'fail'
        ? {at: t, sentAt: t, doneAt: t + 1000, ok: false, status: 0, ms: 1000, error: 'no answer'}
        : {at: t, sentAt: t, doneAt: t + 5, ok: true, status: 200, ms: 5, server: who},
    )
  }
  return out
}

const kinds = (s: DrillState, events: DrillEvent[]) => events.map((e) => (s = step(s, e)).kind)

// kill-master at t0 = 10000: the VIP moves at +1500, the container is seen at +1700, the sample from then
// is clean; the restore at +3000: the VIP back at +4500, the table at +4800, the sample clean.
const T0 = 10_000
const all = [...answers(0, T0 + 1000), ...answers(T0 + 1500, T0 + 9000)]
const KILL_MASTER: DrillEvent[] = [
  ev('baseline', T0),
  ev('ran', T0 + 20),
  ev('met', T0 + 1500),
  ev('met', T0 + 1700),
  sampled(T0 + 3000, all),
  ev('ran', T0 + 3050),
  ev('met', T0 + 4500),
  ev('met', T0 + 4800),
  sampled(T0 + 6000, all),
  stopped(T0 + 9000, all),
]

describe('a drill whose every phase is met', () => {
  const c = config('kill-master')

  it('goes through every state in order', () => {
    expect(kinds(startDrill(c), KILL_MASTER).join(' > ')).toBe(
      'injecting > fault-expected > fault-expected > fault-service-check > restoring > restore-expected > restore-expected > restore-service-check > stopping > done',
    )
  })

  it('asks for the baseline, the commands, each expectation within its bound, the samples, then the stop', () => {
    let s = startDrill(c)
    const actions = [nextAction(s)]
    for (const e of KILL_MASTER) actions.push(nextAction((s = step(s, e))))
    expect(actions.map((a) => a.kind)).toEqual([
      'baseline',
      'run',
      'expect',
      'expect',
      'sample',
      'run',
      'expect',
      'expect',
      'sample',
      'stop',
      'none',
    ])
    expect(actions[0]).toEqual({kind: 'baseline', good: 10, limitMs: 10_000})
    expect(actions[1]).toEqual({kind: 'run', command: c.drill.inject})
    expect(actions[2]).toMatchObject({expectation: {event: 'VIP moved to lvs2'}, limitMs: waitMs(3 + 206 / 256, 1)})
    // the sample starts when the last state was seen (no slack from this machine): 10 answers within 10 s
    expect(actions[4]).toEqual({kind: 'sample', from: T0 + 1700, need: 10, limitMs: 10_000})
    expect(actions[5]).toEqual({kind: 'run', command: c.drill.restore})
  })

  it('reports the timeline from the injection, each expectation from its phase start, the windows and requests', () => {
    const s = run(startDrill(c), KILL_MASTER)
    if (s.kind !== 'done') throw new Error(s.kind)
    const r = s.report
    expect(r.timeline).toEqual([
      {event: 'fault injected: kill -9 the keepalived main process of lvs1', t_ms: 0},
      {event: 'VIP moved to lvs2', t_ms: 1500},
      {event: 'lvs1 up, keepalived gone', t_ms: 1700},
      {event: 'restore', t_ms: 3000},
      {event: 'VIP back on lvs1', t_ms: 4500},
      {event: 'IPVS table complete', t_ms: 4800},
      {event: 'recovered', t_ms: 6000},
    ])
    expect(r.fault.expectations.map((e) => e.ms)).toEqual([1500, 1700])
    expect(r.restore?.expectations.map((e) => e.ms)).toEqual([1500, 1800])
    expect(r.fault.service).toEqual({ok: true, detail: `10/10 good, from ${RS1}, ${RS2} (expected ${RS1}, ${RS2})`})
    // no good answer from +1000 (the last request sent before it, at +950, answered at +955) to +1505
    expect(r.fault.window).toMatchObject({measure: 'longest gap', ms: 550, bound_ms: 3805, allowed_ms: 3805 + 1050, within: true})
    expect(r.fault.requests).toEqual({sent: 20 + 30, failed: 0, perServer: {[RS1]: 25, [RS2]: 25}})
    expect(r.restore?.requests.sent).toBe(120)
    expect(r).toMatchObject({ok: true, restored: true, margin_ms: 1050, time_scale: 1})
    expect(r.prober).toEqual({via: 'host', rate_hz: 20, timeout_ms: 1000, resolution_ms: 50})
    expect(r.requests.sent).toBe(all.length)
  })

  it('without restore: the fault phase ends the drill, with no restore phase', () => {
    const s = run(startDrill(config('kill-master', {restore: false})), [...KILL_MASTER.slice(0, 5), stopped(T0 + 9000, all)])
    if (s.kind !== 'done') throw new Error(s.kind)
    expect(s.report).toMatchObject({ok: true, restored: false})
    expect('restore' in s.report).toBe(false)
    expect(s.report.timeline.map((e) => e.event)).not.toContain('restore')
    // the fault phase runs to the end
    expect(s.report.fault.requests.sent).toBe(all.filter((a) => a.sentAt >= T0).length)
  })
})

describe('an expectation that does not come', () => {
  it('fails the phase naming it and what was seen, and the restore still runs', () => {
    const c = config('kill-master')
    const s = run(startDrill(c), [
      ev('baseline', T0),
      ev('ran', T0 + 20),
      {type: 'timed-out', at: T0 + 8805, seen: 'lvs1: FAULT, lvs2: BACKUP'},
    ])
    if (s.kind !== 'restoring') throw new Error(s.kind)
    expect(s.fault).toMatchObject({
      ok: false,
      failure: 'lvs2 takes the VIP as eth0:1 and becomes MASTER: not within 8.8 s; seen instead: lvs1: FAULT, lvs2: BACKUP',
      expectations: [
        {name: 'lvs2 takes the VIP as eth0:1 and becomes MASTER', ok: false, bound_ms: 8805, seen: 'lvs1: FAULT, lvs2: BACKUP'},
      ],
      service: {ok: false, detail: 'not checked'},
    })
    expect(s.timeline.at(-1)).toEqual({event: 'restore', t_ms: 8805})
    expect(nextAction(s)).toEqual({kind: 'run', command: c.drill.restore})
  })

  it('--timeout replaces every derived bound', () => {
    const c = config('rs-down', {timeoutSeconds: 2})
    const s = run(startDrill(c), [ev('baseline', 0), ev('ran', 10)])
    expect(nextAction(s)).toMatchObject({kind: 'expect', limitMs: 2000})
    const t = step(s, {type: 'timed-out', at: 2010, seen: "lvs1's IPVS table: 172.20.1.10, 172.20.1.11"})
    if (t.kind !== 'restoring') throw new Error(t.kind)
    expect(t.fault.failure).toMatch(/: not within 2\.0 s; seen instead: lvs1's IPVS table/)
  })

  it("a command that fails: the phase fails with the command's words; a failed restore ends the drill", () => {
    const c = config('rs-down')
    const s = run(startDrill(c), [
      ev('baseline', 0),
      {type: 'run-failed', at: 30, message: 'stop httpd on rs1: classic-rs1: httpd (pid 42) did not stop'},
      {type: 'run-failed', at: 60, message: 'start httpd on rs1: classic-rs1: no'},
      stopped(100, []),
    ])
    if (s.kind !== 'failed') throw new Error(s.kind)
    expect(s.report.fault.failure).toBe('injecting the fault: stop httpd on rs1: classic-rs1: httpd (pid 42) did not stop')
    expect(s.report.restore?.failure).toBe('restoring: start httpd on rs1: classic-rs1: no')
    expect(s.report.timeline.map((e) => e.event)).toEqual(['fault injected: stop httpd on rs1 (as systemctl stop httpd)', 'restore'])
  })
})

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
