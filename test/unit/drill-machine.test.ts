// The drill state machine (src/ops/drill/machine.ts) on synthetic events (test/helpers/drill-machine.ts):
// every time is a number of ms on a made-up prober clock, nothing waits. Drills met, and expectations
// that do not come; the service checks and interrupts are in drill-machine-service.test.ts.
import {describe, expect, it} from 'vitest'
import {nextAction, startDrill, step} from '../../src/ops/drill/machine.js'
import {waitMs} from '../../src/plan/plan.js'
import {all, config, ev, KILL_MASTER, kinds, RS1, RS2, run, stopped, T0} from '../helpers/drill-machine.js'

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
      {event: 'fault injected: kill -9 the keepalived main process of lvs1', atMs: 0},
      {event: 'VIP moved to lvs2', atMs: 1500},
      {event: 'lvs1 up, keepalived gone', atMs: 1700},
      {event: 'restore', atMs: 3000},
      {event: 'VIP back on lvs1', atMs: 4500},
      {event: 'IPVS table complete', atMs: 4800},
      {event: 'recovered', atMs: 6000},
    ])
    expect(r.fault.expectations.map((e) => e.tookMs)).toEqual([1500, 1700])
    expect(r.restore?.expectations.map((e) => e.tookMs)).toEqual([1500, 1800])
    expect(r.fault.service).toEqual({ok: true, detail: `10/10 good, from ${RS1}, ${RS2} (expected ${RS1}, ${RS2})`})
    // no good answer from +1000 (the last request sent before it, at +950, answered at +955) to +1505
    expect(r.fault.window).toMatchObject({measure: 'longest gap', measuredMs: 550, boundMs: 3805, allowedMs: 3805 + 1050, within: true})
    expect(r.fault.requests).toEqual({sent: 20 + 30, failed: 0, perServer: {[RS1]: 25, [RS2]: 25}})
    expect(r.restore?.requests.sent).toBe(120)
    expect(r).toMatchObject({ok: true, restored: true, marginMs: 1050, timeScale: 1})
    expect(r.prober).toEqual({via: 'host', rateHz: 20, timeoutMs: 1000, resolutionMs: 50})
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
        {name: 'lvs2 takes the VIP as eth0:1 and becomes MASTER', ok: false, boundMs: 8805, seen: 'lvs1: FAULT, lvs2: BACKUP'},
      ],
      service: {ok: false, detail: 'not checked'},
    })
    expect(s.timeline.at(-1)).toEqual({event: 'restore', atMs: 8805})
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
