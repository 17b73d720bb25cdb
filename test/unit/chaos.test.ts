import {describe, expect, it} from 'vitest'
import {parseLab} from '../../src/lab/load.js'
import {degradedWindow, longestGap, type TimedAnswer} from '../../src/probe/continuous.js'
import {makeDrill} from '../../src/drills/drills.js'
import {drillReport, marginMs, measurePhase, openPhase} from '../../src/ops/drill/report.js'
import {isRoundRobin} from '../../src/ops/verify.js'

const a = (sentAt: number, doneAt: number, ok: boolean, server?: string): TimedAnswer => ({
  at: sentAt,
  sentAt,
  doneAt,
  ok,
  status: ok ? 200 : 0,
  ms: doneAt - sentAt,
  ...(server ? {server} : {}),
})
describe('the windows the drills measure', () => {
  const answers = [
    a(0, 10, true, 'x'),
    a(50, 60, true, 'y'),
    a(100, 1100, false),
    a(150, 1150, false),
    a(1200, 1210, true, 'x'),
    a(1250, 1260, true, 'y'),
  ]

  it('longest gap: the longest time between good answers, from the phase start to its end', () => {
    expect(longestGap(answers, 0, 1300)).toEqual({ms: 1150, start: 60, end: 1210})
    expect(longestGap([], 0, 500).ms).toBe(500)
  })

  it('degraded: from the first failed request sent to the last failure seen', () => {
    expect(degradedWindow(answers, 0, 1300)).toBe(1050)
    expect(
      degradedWindow(
        answers.filter((x) => x.ok),
        0,
        1300,
      ),
    ).toBe(0)
  })

  it('a phase measured: its requests in [from, to), its windows, the bounded one against bound + margin', () => {
    const window = {measure: 'degraded', boundSeconds: 1, bound: 'test'} as const
    const r = measurePhase(openPhase(window), answers, {from: 0, to: 1300}, window, 50)
    expect(r).toMatchObject({ok: true, longestGapMs: 1150, degradedMs: 1050, requests: {sent: 6, failed: 2, perServer: {x: 2, y: 2}}})
    expect(r.window).toEqual({measure: 'degraded', measuredMs: 1050, boundMs: 1000, allowedMs: 1050, bound: 'test', within: true})
    const over = measurePhase(openPhase(window), answers, {from: 0, to: 1300}, window, 49)
    expect(over).toMatchObject({ok: false, failure: 'degraded window 1050 ms exceeds the bound 1000 ms + margin 49 ms'})
    // an earlier failure (an expectation) stays the phase's failure
    const failed = {...openPhase(window), ok: false, failure: 'lvs2 holds the VIP: not within 8.8 s'}
    expect(measurePhase(failed, answers, {from: 0, to: 1300}, window, 49).failure).toBe('lvs2 holds the VIP: not within 8.8 s')
  })

  it("a drill's report: the fault phase measured up to the restore's start, the restore from it to the end", () => {
    const drill = makeDrill(parseLab(''), 'kill-master')
    const d = {drill, restore: true, prober: {via: 'host' as const, rateHz: 20, timeoutMs: 1000}, scale: 1, t0: 0, timeline: []}
    const fault = openPhase(drill.faultWindow)
    const r = drillReport({...d, fault, restored: {from: 100, report: openPhase(drill.restoreWindow)}}, answers, 1300)
    expect([r.fault.requests.sent, r.restore?.requests.sent, r.requests.sent]).toEqual([2, 4, 6])
    expect([r.fault.longestGapMs, r.restore?.longestGapMs]).toEqual([50, 1110])
    expect(r).toMatchObject({
      ok: true,
      restored: true,
      marginMs: 1050,
      prober: {via: 'host', rateHz: 20, timeoutMs: 1000, resolutionMs: 50},
    })
    const alone = drillReport({...d, restore: false, fault}, answers, 1300)
    expect(alone.fault.requests.sent).toBe(6)
    expect('restore' in alone).toBe(false)
  })

  it('the margin is the prober resolution plus a second per time-scale unit', () => {
    expect(marginMs(20, 1)).toBe(1050)
    expect(marginMs(20, 8)).toBe(8050)
  })
})

describe('the drills as data', () => {
  const lab = parseLab('')

  it('rs-down defaults to rs1, expects the others to serve, bounded by the health check', () => {
    const d = makeDrill(lab, 'rs-down')
    expect(d.target).toBe('rs1')
    expect(d.faultServers).toEqual(['172.20.1.11'])
    expect(d.restoredServers).toEqual(['172.20.1.10', '172.20.1.11'])
    expect(d.faultWindow).toMatchObject({measure: 'degraded', boundSeconds: 27})
    expect(d.expectFault.map((e) => e.event)).toEqual(['rs1 evicted'])
    expect(d.expectRestored.map((e) => e.event)).toEqual(['rs1 httpd up', 'rs1 re-added'])
  })

  it('director-down defaults to the MASTER and expects the BACKUP to take over, then preemption', () => {
    const d = makeDrill(lab, 'director-down')
    expect(d.target).toBe('lvs1')
    expect([d.faultHolder, d.restoredHolder]).toEqual(['lvs2', 'lvs1'])
    expect(d.faultWindow.boundSeconds).toBeCloseTo(3 + 206 / 256, 5)
  })

  it('director-down of the BACKUP expects the MASTER to keep the VIP', () => {
    const d = makeDrill(lab, 'director-down', 'lvs2')
    expect([d.faultHolder, d.restoredHolder]).toEqual(['lvs1', 'lvs1'])
  })

  it('kill-master expects the BACKUP to take over and the container to stay up', () => {
    const d = makeDrill(lab, 'kill-master')
    expect(d.target).toBe('lvs1')
    expect(d.expectFault.map((e) => e.event)).toEqual(['VIP moved to lvs2', 'lvs1 up, keepalived gone'])
  })

  it('names that are not in the lab are refused with the choices', () => {
    expect(() => makeDrill(lab, 'rs-down', 'rs9')).toThrow(/no real server rs9.*fix: name one of rs1, rs2/)
    expect(() => makeDrill(lab, 'director-down', 'lvs9')).toThrow(/no director lvs9/)
    expect(() => makeDrill(parseLab('directors: [{name: solo, ip: 172.20.1.1}]'), 'kill-master')).toThrow(/one director/)
  })
})

describe('round robin', () => {
  it.each([
    [['a', 'b', 'a', 'b', 'a', 'b'], 2, true],
    [['b', 'a', 'b', 'a'], 2, true],
    [['a', 'a', 'b', 'b'], 2, false],
    [['a', 'b', 'c', 'a', 'b', 'c'], 3, true],
    [['a', 'b', 'c', 'a', 'c', 'b'], 3, false],
    [['a', 'b'], 3, false],
  ] as const)('%j over %i servers: %s', (seq, n, ok) => {
    expect(isRoundRobin([...seq], n)).toBe(ok)
  })
})
