// The memory runtime on the real clock, with short real delays (tens to hundreds of ms): lvslab's
// polls meet the states in between (a director not yet MASTER, a table not yet complete) and still
// come out right. Every other orchestration test runs on the virtual clock (clock.ts).
import {afterEach, describe, expect, it} from 'vitest'
import {runChaos} from '../../../src/ops/chaos.js'
import {upLab} from '../../../src/ops/up/index.js'
import {c, classic, closeAll, memory, UP} from './lab.js'

afterEach(closeAll)

describe('on the real clock', () => {
  it("up's first read of the directors waits out the MASTER's Master_Down_Interval, meets lvs1 before it is MASTER, and polls again until it is", async () => {
    // an election a little longer than keepalived 2's shortest (3 x advert_int + skew: 3.61 s)
    const rt = memory({timings: {vrrpMs: 3400, checkMs: 150, httpMs: 1}})
    const started = Date.now()
    const reads = () => rt.calls.filter((x) => x.call === 'exec' && x.subject === `${c('lvs1')} lvslab-facts --ipvs --vrrp`).length
    // no read of the directors before the MASTER could be MASTER, less FIRST_READ_LEAD_MS
    const early = new Promise<number>((resolve) => setTimeout(() => resolve(reads()), 2900))
    const r = await upLab(rt, classic, UP)
    expect(await early).toBe(0)
    // the first read (at about 3.1 s) came before the election's end; the next one, 500 ms later, saw it done
    expect(r.convergedMs).toBeGreaterThanOrEqual(3400)
    expect(r.verify?.ok).toBe(true)
    expect(Date.now() - started).toBeLessThan(8000)
    expect(reads()).toBeGreaterThanOrEqual(2)
  })

  it("kill-master with a takeover of 100 ms: the drill passes and takes about the prober's own pace", async () => {
    const rt = memory({timings: {vrrpMs: 100, checkMs: 150, httpMs: 1}})
    await upLab(rt, classic, UP)
    const started = Date.now()
    const r = await runChaos(rt, classic, [{name: 'kill-master'}], {restore: true, from: 'container'})
    expect(r.drills[0]).toMatchObject({ok: true, restored: true})
    expect(r.drills[0]!.fault.window.measuredMs).toBeLessThan(1000)
    // two phases, each sampled from one request timeout (1 s) after its state was seen
    expect(Date.now() - started).toBeLessThan(8000)
  })
})
