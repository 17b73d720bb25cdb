// netem on a director, on a memory lab paced like the classic one: the MASTER's slow link keeps the VIP
// (the fault outlasts the BACKUP's Master_Down_Interval), its cut link (--loss 100) makes lvs2 MASTER
// beside it, healed once removed; `chaos restore` removes a netem left on a director and says so;
// impairments the drill would not judge are refused, each in one line with its fix, before anything is touched.
import {afterEach, describe, expect, it} from 'vitest'
import {parseLab} from '../../../src/lab/load.js'
import {labStatus} from '../../../src/ops/status.js'
import {restoreLab} from '../../../src/ops/restore.js'
import {makeDrill} from '../../../src/drills/drills.js'
import {slowLinkLimit} from '../../../src/drills/network.js'
import {slowLink} from '../../../src/drills/drill.js'
import {spawnSync} from 'node:child_process'
import {LAB_PACE, onVirtualClock} from '../../helpers/memory/index.js'
import {c, chaos, classic, closeAll, running} from './lab.js'

afterEach(closeAll)

describe('netem on the MASTER', () => {
  it('a slow link (300 ms): the VIP stays on lvs1 past the failover bound, every request answered; removed, nothing moves', async () => {
    const rt = await running({timings: LAB_PACE})
    const d = (await chaos(rt, [{name: 'netem', target: 'lvs1', delayMs: 300}])).drills[0]!
    expect(d).toMatchObject({drill: 'netem', target: 'lvs1', ok: true, restored: true})
    expect(d.timeline.map((e) => e.event)).toEqual([
      "fault injected: netem on lvs1's eth0: delay 300 ms, loss 0 %: a slow MASTER, not a dead one",
      'VIP stays on lvs1',
      'restore',
      'netem removed, VIP on lvs1',
      'IPVS table complete',
      'recovered',
    ])
    // the command lasted the failover bound (3.8 s) plus the delay before the VIP was judged
    expect(d.timeline[1]!.atMs).toBeGreaterThanOrEqual(4100)
    expect(d.fault.window).toMatchObject({measure: 'longest gap', boundMs: 600, within: true})
    expect(d.restore?.window).toMatchObject({measure: 'longest gap', boundMs: 1600})
    expect(d.fault.requests.failed).toBe(0)
    expect(rt.container(c('lvs1')).node.netem).toBeUndefined()
  })

  it('the default delay is half the most that keeps the VIP, at most 500 ms', () => {
    // the classic lab: a request crosses the director twice, (1000 - 200) / 2 = 400 ms is the least limit
    expect(slowLinkLimit(classic, classic.directors[1]!)).toMatchObject({ms: 400, why: expect.stringMatching(/crosses the director twice/)})
    expect(makeDrill(classic, 'netem', 'lvs1').description).toMatch(/delay 200 ms/)
    const fast = parseLab('vrrp: {version: 3, advert_int: 0.1}')
    // 2 x 0.1 + (256 - 50) / 256 x 0.1 = 0.28 s, less half an advert_int for the timers' jitter: lvs2's silence limit is the lowest
    expect(slowLinkLimit(fast, fast.directors[1]!)).toMatchObject({ms: 230, why: expect.stringMatching(/^lvs2 could hear no advert/)})
    expect(makeDrill(fast, 'netem', 'lvs1').description).toMatch(/delay 115 ms/)
  })

  it('a cut link (--loss 100): lvs2 becomes MASTER beside lvs1 and serves; removed, lvs2 steps down', async () => {
    const rt = await running({timings: LAB_PACE})
    const d = (await chaos(rt, [{name: 'netem', target: 'lvs1', lossPercent: 100}])).drills[0]!
    expect(d).toMatchObject({drill: 'netem', target: 'lvs1', ok: true, restored: true})
    expect(d.timeline.map((e) => e.event)).toEqual([
      "fault injected: netem on lvs1's eth0: loss 100 %: its link cut outwards (its adverts and traffic lost; it still hears)",
      'split brain: lvs1 and lvs2 both MASTER with the VIP',
      'restore',
      'split brain healed: VIP on lvs1 alone',
      'IPVS table complete',
      'recovered',
    ])
    expect(d.fault.service.ok).toBe(true)
  })

  it('left in place, chaos restore removes it and names it', async () => {
    const rt = await running({timings: LAB_PACE})
    expect((await chaos(rt, [{name: 'netem', target: 'lvs1', lossPercent: 100}], {restore: false})).drills[0]!.ok).toBe(true)
    expect((await labStatus(rt, classic)).splitBrain).toBe(true)
    const r = await onVirtualClock(() => restoreLab(rt, classic))
    expect(r.actions).toEqual(['removed netem on lvs1'])
    expect(await labStatus(rt, classic)).toMatchObject({splitBrain: false, vipHolders: ['lvs1'], converged: {ok: true}})
  })

  it.each([
    [
      'a BACKUP',
      {target: 'lvs2'},
      'netem lvs2: a BACKUP, whose link clients do not use (fix: name lvs1, which holds the VIP, or a real server)',
    ],
    [
      'a loss between 0 and 100',
      {target: 'lvs1', lossPercent: 30},
      "--loss 30 on a director: whether three adverts in a row are lost, and so whether lvs2 takes over, is chance (fix: --loss 100 to cut lvs1's link, or --loss 0 with a --delay)",
    ],
    [
      'a delay past what the prober waits',
      {target: 'lvs1', delayMs: 1000},
      "--delay 1000 on lvs1: above 400 ms a request, which crosses the director twice, could outwait the prober's 1000 ms (fix: a --delay from 1 to 400, or --loss 100 to cut the link)",
    ],
    [
      'no delay',
      {target: 'lvs1', delayMs: 0},
      '--delay 0 on lvs1: no impairment at all (fix: a --delay from 1 to 400, or --loss 100 to cut the link)',
    ],
    [
      'a delay with a cut link',
      {target: 'lvs1', lossPercent: 100, delayMs: 200},
      '--delay 200 with --loss 100 on lvs1: a cut link delays nothing (fix: leave out --delay)',
    ],
    [
      'a node that is not in the lab',
      {target: 'web9'},
      'NODE: no real server or director web9 in lab classic (fix: name one of rs1, rs2, lvs1, lvs2)',
    ],
  ])('refuses %s before anything is touched', async (_, params, message) => {
    const rt = await running({timings: LAB_PACE})
    await expect(chaos(rt, [{name: 'netem', ...params}])).rejects.toThrow(message)
    expect(rt.container(c('lvs1')).node.netem).toBeUndefined()
    expect(rt.container(c('lvs2')).node.netem).toBeUndefined()
  })

  it("a fast lab's silence limit is the tightest: a delay past it would fail over and back", () => {
    const fast = parseLab('vrrp: {version: 3, advert_int: 0.1}')
    expect(() => makeDrill(fast, 'netem', 'lvs1', undefined, undefined, {delayMs: 300})).toThrow(
      /^--delay 300 on lvs1: above 230 ms lvs2 could hear no advert for its Master_Down_Interval and take the VIP over/,
    )
  })

  it("the slow link's proof: any advert the MASTER heard while slow fails the command, and so does an unreadable counter", () => {
    const link = slowLink(classic, classic.directors[0]!, 200, 4)
    const cmd = 'cmd' in link ? link.cmd : ''
    // tc and sleep stubbed: the filter's statistics as `tc -s filter show` prints them
    const run = (stats: string) =>
      spawnSync('bash', ['-c', `tc() { [ "$1" = -s ] && printf '%s\\n' "$STATS"; return 0; }; sleep() { :; }; ${cmd}`], {
        env: {...process.env, STATS: stats},
        encoding: 'utf8',
      })
    const quiet = run('\taction order 1: gact action pass\n\tAction statistics:\n\tSent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0)')
    expect(quiet.status).toBe(0)
    const heard = run('\tAction statistics:\n\tSent 112 bytes 2 pkt (dropped 0, overlimits 0 requeues 0)')
    expect([heard.status, heard.stderr.trim()]).toEqual([
      1,
      'lvs1 heard 2 VRRP adverts while its link was slow: another director took over meanwhile (fix: a smaller --delay)',
    ])
    const unread = run('What is "parent"?')
    expect(unread.status).toBe(1)
    expect(unread.stderr).toMatch(/^could not read the VRRP counter/)
  })
})
