// runChaos / runDrill against a memory lab paced like the classic one (a takeover in 1.5 s, a health
// check's verdict in 4 s), on the virtual clock: each drill reaches its states, is restored, and its
// report has the expected shape, events, windows and requests.
import {collectSteps} from '../../../src/ops/steps.js'
import {afterEach, describe, expect, it} from 'vitest'
import {labStatus} from '../../../src/ops/status.js'
import {DRILLS} from '../../../src/drills/drill.js'
import {runDrill} from '../../../src/ops/drill/run.js'
import {makeDrill} from '../../../src/drills/drills.js'
import {LAB_PACE, type MemoryRuntime, onVirtualClock} from '../../helpers/memory/index.js'
import {c, chaos, classic, closeAll, running} from './lab.js'

afterEach(closeAll)

/** The lab is back to its original state, and no prober is left running. */
async function backToNormal(rt: MemoryRuntime): Promise<void> {
  const s = await labStatus(rt, classic)
  expect(s.converged).toMatchObject({ok: true})
  expect(rt.probers(c('client'))).toBe(0)
}

describe('each drill, restored', () => {
  it('rs-down: rs1 evicted while rs2 serves alone, then re-added; the degraded window within its bound', async () => {
    const rt = await running({timings: LAB_PACE})
    const r = await chaos(rt, [{name: 'rs-down'}])
    expect(r).toMatchObject({lab: 'classic', ok: true})
    const d = r.drills[0]!
    expect(d).toMatchObject({drill: 'rs-down', target: 'rs1', ok: true, restored: true})
    expect(d.timeline.map((e) => e.event)).toEqual([
      'fault injected: stop httpd on rs1 (as systemctl stop httpd)',
      'rs1 evicted',
      'restore',
      'rs1 httpd up',
      'rs1 re-added',
      'recovered',
    ])
    // the requests rs1 got before its eviction were refused: the degraded window is the eviction's time
    expect(d.fault.window).toMatchObject({measure: 'degraded', boundMs: 27_000, within: true})
    expect(d.fault.window.measuredMs).toBeGreaterThan(3000)
    expect(d.fault.window.measuredMs).toBeLessThanOrEqual(LAB_PACE.checkMs + 100)
    // at most a request sent in the same instant as the fault reached rs1's httpd
    expect(d.fault.requests.perServer['172.20.1.10'] ?? 0).toBeLessThanOrEqual(1)
    expect(d.fault.requests.failed).toBeGreaterThan(0)
    expect(d.fault.service).toMatchObject({ok: true})
    expect(d.fault.expectations).toEqual([expect.objectContaining({name: "lvs1's health check removes rs1 from the IPVS table", ok: true})])
    expect(Object.keys(d.restore!.requests.perServer).sort()).toEqual(['172.20.1.10', '172.20.1.11'])
    expect(d.restore!.window).toMatchObject({measure: 'longest gap', within: true})
    expect(d.prober).toEqual({via: 'container', rateHz: 20, timeoutMs: 1000, resolutionMs: 50})
    expect(d).toMatchObject({marginMs: 1050, timeScale: 1})
    await backToNormal(rt)
  })

  it('director-down: the VIP moves to lvs2 within failover, comes back to lvs1 on the restore', async () => {
    const rt = await running({timings: LAB_PACE})
    const d = (await chaos(rt, [{name: 'director-down'}])).drills[0]!
    expect(d).toMatchObject({target: 'lvs1', ok: true, restored: true})
    expect(d.timeline.map((e) => e.event)).toEqual([
      'fault injected: take eth0 of lvs1 down (as ifconfig eth0 down)',
      'VIP moved to lvs2',
      'restore',
      'VIP back on lvs1',
      'IPVS table complete',
      'recovered',
    ])
    // nobody answers while lvs2 waits out lvs1's silence: the longest gap is the takeover
    expect(d.fault.window).toMatchObject({measure: 'longest gap', within: true})
    expect(d.fault.window.measuredMs).toBeGreaterThanOrEqual(LAB_PACE.vrrpMs)
    expect(d.fault.window.measuredMs).toBeLessThan(d.fault.window.allowedMs)
    expect(d.timeline.find((e) => e.event === 'VIP moved to lvs2')!.atMs).toBeGreaterThanOrEqual(LAB_PACE.vrrpMs)
    expect(d.fault.service.detail).toMatch(/^10\/10 good, from 172\.20\.1\.10, 172\.20\.1\.11/)
    await backToNormal(rt)
  })

  it('director-down of the BACKUP: its eth0 goes down and the VIP stays on lvs1', async () => {
    const rt = await running({timings: LAB_PACE})
    const d = (await chaos(rt, [{name: 'director-down', target: 'lvs2'}])).drills[0]!
    expect(d).toMatchObject({target: 'lvs2', ok: true})
    expect(d.timeline.map((e) => e.event).slice(0, 3)).toEqual([
      'fault injected: take eth0 of lvs2 down (as ifconfig eth0 down)',
      'lvs2 eth0 down',
      'VIP stays on lvs1',
    ])
    expect(d.fault.requests.failed).toBe(0)
    await backToNormal(rt)
  })

  it("kill-master: lvs2 takes over while lvs1's container runs on without keepalived; lvs1 takes back", async () => {
    const rt = await running({timings: LAB_PACE})
    const d = (await chaos(rt, [{name: 'kill-master'}])).drills[0]!
    expect(d).toMatchObject({target: 'lvs1', ok: true, restored: true})
    expect(d.timeline.map((e) => e.event)).toEqual([
      'fault injected: kill -9 the keepalived main process of lvs1',
      'VIP moved to lvs2',
      'lvs1 up, keepalived gone',
      'restore',
      'VIP back on lvs1',
      'IPVS table complete',
      'recovered',
    ])
    expect(d.restore!.expectations.map((e) => [e.name, e.ok])).toEqual([
      ['lvs1 is MASTER again with the VIP', true],
      ["lvs1's IPVS table lists every real server", true],
    ])
    await backToNormal(rt)
  })
})

describe('chaos all', () => {
  it('runs the three drills in order, each from the original state, and reports them all', async () => {
    const rt = await running({timings: LAB_PACE})
    const steps = collectSteps()
    const r = await chaos(
      rt,
      DRILLS.map((name) => ({name})),
      {onStep: steps.sink},
    )
    expect(r.ok).toBe(true)
    expect(r.drills.map((d) => [d.drill, d.ok])).toEqual([
      ['rs-down', true],
      ['director-down', true],
      ['kill-master', true],
    ])
    // each drill a step: started, its timeline as progress lines, done
    expect(steps.events.filter((e) => e.type !== 'progress').map((e) => `${e.type} ${e.step}`)).toEqual([
      'start drill-rs-down',
      'done drill-rs-down',
      'start drill-director-down',
      'done drill-director-down',
      'start drill-kill-master',
      'done drill-kill-master',
    ])
    expect(steps.events.find((e) => e.step === 'drill-director-down' && /VIP moved to lvs2/.test(e.detail ?? ''))?.title).toBe(
      'drill director-down',
    )
    expect(r.drills.every((d) => d.requests.sent > 50)).toBe(true)
    await backToNormal(rt)
  })
})

describe('runDrill', () => {
  it('runs a drill made by makeDrill directly, at the rate it is given', async () => {
    const rt = await running({timings: LAB_PACE})
    const drill = makeDrill(classic, 'director-down', 'lvs2')
    const r = await onVirtualClock(() =>
      runDrill(rt, classic, drill, {restore: true, from: 'container', mode: 'least-privilege', rateHz: 50}),
    )
    expect(r).toMatchObject({drill: 'director-down', target: 'lvs2', ok: true, prober: {rateHz: 50, resolutionMs: 20}, marginMs: 1020})
    // 50 requests a second over the drill's whole length
    const length = r.timeline.at(-1)!.atMs - r.timeline[0]!.atMs
    expect(r.requests.sent).toBeGreaterThan((length / 1000) * 40)
    await backToNormal(rt)
  })
})
