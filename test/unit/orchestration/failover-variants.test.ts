// Failover beyond the classic three drills, on a memory lab paced like the classic one: --repeat and its
// summary; nopreempt (the VIP stays where a failover put it, the next drill fails over from there,
// `status` calls that lab converged, every director's keepalived.conf says BACKUP); hard-kill (the
// stale VIP beside the new MASTER's, reported, and cleaned up by the restore and by `chaos restore`).
import {afterEach, describe, expect, it} from 'vitest'
import {parseLab} from '../../../src/lab/load.js'
import {labStatus} from '../../../src/ops/status.js'
import {restoreLab} from '../../../src/ops/restore.js'
import {chaosMarkdown} from '../../../src/cli/report/markdown.js'
import {LAB_PACE, onVirtualClock} from '../../helpers/memory/index.js'
import {c, chaos, classic, closeAll, running} from './lab.js'

afterEach(closeAll)

const nopreempt = parseLab('vrrp: {nopreempt: true}')

describe('--repeat', () => {
  it('runs the drills N times, each from the original state, and sums up each window', async () => {
    const rt = await running({timings: LAB_PACE})
    const r = await chaos(rt, [{name: 'kill-master'}, {name: 'rs-down'}], {repeat: 3})
    expect(r).toMatchObject({ok: true, repeat: 3})
    expect(r.drills.map((d) => d.drill)).toEqual(['kill-master', 'rs-down', 'kill-master', 'rs-down', 'kill-master', 'rs-down'])
    expect(r.summary!.map((d) => [d.drill, d.target, d.runs, d.ok])).toEqual([
      ['kill-master', 'lvs1', 3, 3],
      ['rs-down', 'rs1', 3, 3],
    ])
    const km = r.summary![0]!
    expect(km.fault.windowMs.min).toBeGreaterThanOrEqual(LAB_PACE.vrrpMs)
    expect(km.fault.windowMs.max).toBe(Math.max(...r.drills.filter((d) => d.drill === 'kill-master').map((d) => d.fault.window.measuredMs)))
    // the Markdown report: a row per run, each timeline folded, the spread over the runs
    const md = chaosMarkdown(r)
    expect(md.split('\n')[0]).toBe('## lvslab chaos: lab classic passed')
    expect(md.match(/^\| ✅ +\| kill-master \| lvs1 +\| longest gap \d+\.\d\d s \(bound 3\.81 s\)/gm)).toHaveLength(3)
    expect(md.match(/^<details><summary>rs-down on rs1: timeline<\/summary>$/gm)).toHaveLength(3)
    expect(md).toMatch(/^### Over 3 runs \(min \/ median \/ p95 \/ max\)$/m)
    expect(md).toMatch(/^\| rs-down rs1 +\| 3\/3 +\| fault +\| degraded \(s\) +\| [\d.]+ \/ [\d.]+ \/ [\d.]+ \/ [\d.]+ \| 27\.00 s \|/m)
    // without --repeat, no summary; every request only when asked (--html)
    const once = await chaos(rt, [{name: 'kill-master'}], {keepAnswers: true})
    expect(once).not.toHaveProperty('summary')
    const d = once.drills[0]!
    expect(d.answers).toHaveLength(d.requests.sent)
    expect(d.answers!.filter((a) => !a.ok)).toHaveLength(d.requests.failed)
    // a failed request says why, after how long, and from which client end
    expect(d.requests.failed).toBeGreaterThan(0)
    for (const a of d.answers!.filter((x) => !x.ok)) expect(a).toMatchObject({error: expect.any(String), tookMs: expect.any(Number)})
    expect(d.answers!.filter((a) => a.ok).every((a) => /^\d+\.\d+\.\d+\.\d+:\d+$/.test(a.client ?? ''))).toBe(true)
    expect(r.drills[0]).not.toHaveProperty('answers')
  })
})

describe('nopreempt', () => {
  it('up renders every director BACKUP with nopreempt, and converges on the one elected', async () => {
    const rt = await running({timings: LAB_PACE}, nopreempt)
    for (const d of ['lvs1', 'lvs2']) {
      const conf = rt.container(c(d, nopreempt)).node.files.get('/etc/keepalived/keepalived.conf')!
      expect(conf).toMatch(/^ {4}state BACKUP$/m)
      expect(conf).toMatch(/^ {4}nopreempt$/m)
    }
    const s = await labStatus(rt, nopreempt)
    expect(s.converged).toMatchObject({ok: true})
    expect(s.vipHolders).toEqual(['lvs1'])
  })

  it('director-down: lvs2 takes the VIP and keeps it when lvs1 returns; the next drill fails over from lvs2', async () => {
    const rt = await running({timings: LAB_PACE}, nopreempt)
    const first = (await chaos(rt, [{name: 'director-down'}], {}, nopreempt)).drills[0]!
    expect(first).toMatchObject({target: 'lvs1', ok: true, restored: true})
    expect(first.timeline.map((e) => e.event)).toEqual([
      'fault injected: take eth0 of lvs1 down (as ifconfig eth0 down)',
      'VIP moved to lvs2',
      'restore',
      'lvs1 BACKUP, VIP stays on lvs2',
      'IPVS table complete',
      'recovered',
    ])
    // nothing moves on the restore: its longest gap is bounded by one advert_int (1 s)
    expect(first.restore!.window).toMatchObject({measure: 'longest gap', boundMs: 1000, within: true})
    expect(first.restore!.window.measuredMs).toBeLessThan(500)
    const s = await labStatus(rt, nopreempt)
    expect(s).toMatchObject({vipHolders: ['lvs2'], converged: {ok: true}})

    const second = (await chaos(rt, [{name: 'kill-master'}], {}, nopreempt)).drills[0]!
    expect(second).toMatchObject({target: 'lvs2', ok: true})
    expect(second.timeline.map((e) => e.event)).toEqual([
      'fault injected: kill -9 the keepalived main process of lvs2',
      'VIP moved to lvs1',
      'lvs2 up, keepalived gone',
      'restore',
      'lvs2 BACKUP, VIP stays on lvs1',
      'IPVS table complete',
      'recovered',
    ])
    expect((await labStatus(rt, nopreempt)).vipHolders).toEqual(['lvs1'])
  })
})

describe('hard-kill', () => {
  it('every keepalived process killed: lvs2 takes the VIP beside the stale one on lvs1, status says so; the restore cleans up', async () => {
    const rt = await running({timings: LAB_PACE})
    const faulted = await chaos(rt, [{name: 'hard-kill'}], {restore: false})
    const d = faulted.drills[0]!
    expect(d).toMatchObject({drill: 'hard-kill', target: 'lvs1', ok: true, restored: false})
    expect(d.timeline.map((e) => e.event)).toEqual([
      'fault injected: kill -9 every keepalived process of lvs1, so none cleans up',
      'VIP on lvs2, stale VIP left on lvs1: two holders',
    ])
    const s = await labStatus(rt, classic)
    expect(s).toMatchObject({vipHolders: ['lvs1', 'lvs2'], masters: ['lvs2'], splitBrain: true, converged: {ok: false}})
    expect(s.notes.join('\n')).toMatch(/STALE VIP on lvs1: keepalived is not running there/)
    // `chaos restore` cleans the stale copy up before it starts keepalived, and the lab converges on lvs1
    const r = await onVirtualClock(() => restoreLab(rt, classic))
    expect(r.actions).toEqual(['removed the stale VIP, cleared IPVS and started keepalived on lvs1'])
    expect(await labStatus(rt, classic)).toMatchObject({vipHolders: ['lvs1'], splitBrain: false, converged: {ok: true}})

    const restored = (await chaos(rt, [{name: 'hard-kill'}])).drills[0]!
    expect(restored).toMatchObject({ok: true, restored: true})
    expect(restored.timeline.map((e) => e.event).slice(2)).toEqual(['restore', 'VIP back on lvs1', 'IPVS table complete', 'recovered'])
    expect(restored.restore!.expectations[0]!.name).toBe('lvs1 is MASTER again with the VIP, alone')
  })
})

describe('pause', () => {
  it('docker pause of lvs1: lvs2 takes over while lvs1 is frozen with its VIP; unpaused, lvs1 is MASTER again', async () => {
    const rt = await running({timings: LAB_PACE})
    const faulted = (await chaos(rt, [{name: 'pause'}], {restore: false})).drills[0]!
    expect(faulted).toMatchObject({drill: 'pause', target: 'lvs1', ok: true})
    expect(faulted.timeline.map((e) => e.event)).toEqual([
      'fault injected: docker pause lvs1: a hung director, its keepalived frozen, its VIP kept',
      'VIP moved to lvs2, lvs1 paused',
    ])
    expect(rt.container(c('lvs1')).state).toBe('paused')
    const s = await labStatus(rt, classic)
    expect(s.notes).toContain(
      'COULD NOT READ on lvs1: facts: the container is paused (docker pause) (fix: `lvslab chaos restore` unpauses it)',
    )
    const r = await onVirtualClock(() => restoreLab(rt, classic))
    expect(r.actions).toEqual(['unpaused lvs1'])

    const d = (await chaos(rt, [{name: 'pause'}])).drills[0]!
    expect(d).toMatchObject({ok: true, restored: true})
    expect(d.timeline.map((e) => e.event).slice(2)).toEqual(['restore', 'VIP back on lvs1', 'IPVS table complete', 'recovered'])
    expect(rt.container(c('lvs1')).state).toBe('running')
  })

  it('under nopreempt from lvs2 (after a failover): lvs1 takes over, and keeps the VIP when lvs2 is unpaused', async () => {
    const rt = await running({timings: LAB_PACE}, nopreempt)
    expect((await chaos(rt, [{name: 'director-down'}], {}, nopreempt)).ok).toBe(true)
    // --one-way from the lower priority would move the VIP, not split the brain: refused
    await expect(chaos(rt, [{name: 'partition', oneWay: true}], {}, nopreempt)).rejects.toThrow(
      '--one-way: lvs2, which holds the VIP now (nopreempt), has a lower priority than lvs1, which would still hear nothing and take the VIP while lvs2 steps down: no split brain (fix: leave out --one-way)',
    )
    const d = (await chaos(rt, [{name: 'pause'}], {}, nopreempt)).drills[0]!
    expect(d).toMatchObject({target: 'lvs2', ok: true, restored: true})
    expect(d.timeline.map((e) => e.event)).toContain('VIP stays on lvs1')
    // the BACKUP taken down comes back as BACKUP beside the holder
    const backup = (await chaos(rt, [{name: 'director-down', target: 'lvs2'}], {}, nopreempt)).drills[0]!
    expect(backup).toMatchObject({ok: true, restored: true})
    expect(backup.timeline.map((e) => e.event)).toContain('lvs2 BACKUP, VIP stays on lvs1')
  })

  it('with nopreempt too, the unpaused MASTER keeps the VIP: a MASTER meeting a higher priority steps down', async () => {
    const rt = await running({timings: LAB_PACE}, nopreempt)
    const d = (await chaos(rt, [{name: 'pause'}], {}, nopreempt)).drills[0]!
    expect(d).toMatchObject({ok: true, restored: true})
    expect(d.timeline.map((e) => e.event)).toContain('VIP back on lvs1')
  })
})

describe('partition', () => {
  it('VRRP dropped at lvs1: lvs2 becomes MASTER beside it (split brain, seen and served); let through, lvs2 steps down', async () => {
    const rt = await running({timings: LAB_PACE})
    const d = (await chaos(rt, [{name: 'partition'}])).drills[0]!
    expect(d).toMatchObject({drill: 'partition', target: 'lvs1', ok: true, restored: true})
    expect(d.timeline.map((e) => e.event)).toEqual([
      'fault injected: the directors stop hearing each other (adverts dropped both ways at lvs1): split brain on purpose',
      'split brain: lvs1 and lvs2 both MASTER with the VIP',
      'restore',
      'split brain healed: VIP on lvs1 alone',
      'IPVS table complete',
      'recovered',
    ])
    expect(d.fault.service.ok).toBe(true)
    expect(rt.container(c('lvs1')).node.vrrpDropped).toBe(false)
    const one = (await chaos(rt, [{name: 'partition', oneWay: true}])).drills[0]!
    expect(one.description).toBe("the directors stop hearing each other (lvs1's adverts dropped): split brain on purpose")
    expect(one.ok).toBe(true)
  })
})

describe('chaos restore after a partition left in place', () => {
  it('removes the tc filters and the lab converges on lvs1', async () => {
    const rt = await running({timings: LAB_PACE})
    expect((await chaos(rt, [{name: 'partition'}], {restore: false})).drills[0]!.ok).toBe(true)
    expect((await labStatus(rt, classic)).splitBrain).toBe(true)
    const r = await onVirtualClock(() => restoreLab(rt, classic))
    expect(r.actions).toEqual(['let VRRP through on lvs1 again'])
    expect(await labStatus(rt, classic)).toMatchObject({splitBrain: false, vipHolders: ['lvs1'], converged: {ok: true}})
  })
})

describe('netem', () => {
  it("rs1's packets delayed past connect_timeout: evicted while rs2 serves; the delay removed, re-added", async () => {
    const rt = await running({timings: LAB_PACE})
    const d = (await chaos(rt, [{name: 'netem', delayMs: 4000, lossPercent: 0}])).drills[0]!
    expect(d).toMatchObject({drill: 'netem', target: 'rs1', ok: true, restored: true})
    expect(d.timeline.map((e) => e.event)).toEqual([
      "fault injected: netem on rs1's eth0: delay 4000 ms, loss 0 %",
      'rs1 evicted',
      'restore',
      'rs1 re-added',
      'recovered',
    ])
    expect(d.fault.window).toMatchObject({measure: 'degraded', boundMs: 27_000, within: true})
    expect(rt.container(c('rs1')).node.netem).toBeUndefined()
    // left in place, `chaos restore` removes it
    expect((await chaos(rt, [{name: 'netem', target: 'rs2', delayMs: 0, lossPercent: 100}], {restore: false})).ok).toBe(true)
    const r = await onVirtualClock(() => restoreLab(rt, classic))
    expect(r.actions).toEqual(['removed netem on rs2'])
  })

  it('an impairment the health check would not act on is refused before anything is touched', async () => {
    const rt = await running({timings: LAB_PACE})
    await expect(chaos(rt, [{name: 'netem', delayMs: 500, lossPercent: 10}])).rejects.toThrow(
      "--delay 500: below connect_timeout 3 s, and --loss 10 below 100, so keepalived's check would keep rs1 (fix: give --delay 3000 or more, or --loss 100)",
    )
    expect(rt.container(c('rs1')).node.netem).toBeUndefined()
  })
})

describe('flap', () => {
  it("lvs1's eth0 down and up three times: each down fails over, and lvs1 is MASTER again once it ends", async () => {
    const rt = await running({timings: LAB_PACE})
    const d = (await chaos(rt, [{name: 'flap', count: 3, periodSeconds: 5}])).drills[0]!
    expect(d).toMatchObject({drill: 'flap', target: 'lvs1', ok: true, restored: true})
    expect(d.description).toBe('eth0 of lvs1 down and up 3 times, 5 s each way')
    expect(d.timeline.map((e) => e.event)).toEqual([
      'fault injected: eth0 of lvs1 down and up 3 times, 5 s each way',
      'VIP back on lvs1',
      'IPVS table complete',
      'restore',
      'VIP back on lvs1',
      'IPVS table complete',
      'recovered',
    ])
    // the flapping itself (5 phases of 5 s) happens before the first event
    expect(d.timeline[1]!.atMs).toBeGreaterThanOrEqual(25_000)
    // a period no longer than the failover (3.8 s), or flapping past 100 s, is refused before anything is touched
    await expect(chaos(rt, [{name: 'flap', periodSeconds: 2}])).rejects.toThrow(
      '--period 2: not longer than the failover (3.80 s), so a down would not fail over (fix: give --period 5 or more)',
    )
    await expect(chaos(rt, [{name: 'flap', count: 11, periodSeconds: 5}])).rejects.toThrow(
      '--count 11 --period 5: 105 s of flapping, more than 100 s (fix: fewer flaps, or a shorter period)',
    )
    expect(d.fault.window).toMatchObject({measure: 'longest gap', within: true})
  })
})
