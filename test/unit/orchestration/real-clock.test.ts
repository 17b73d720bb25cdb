// The memory runtime on the real clock, with short real delays (tens to hundreds of ms): lvslab's
// polls meet the states in between (a director not yet MASTER, a table not yet complete) and still
// come out right. Every other orchestration test runs on the virtual clock (clock.ts).
import {afterEach, describe, expect, it} from 'vitest'
import {runChaos} from '../../../src/ops/chaos.js'
import {upLab} from '../../../src/ops/up/index.js'
import {c, classic, closeAll, memory, UP} from './lab.js'

afterEach(closeAll)

describe('on the real clock', () => {
  it("up's convergence poll meets lvs1 before it is MASTER, and polls again until it is", async () => {
    const rt = memory({timings: {vrrpMs: 200, checkMs: 150, httpMs: 1}})
    const started = Date.now()
    const r = await upLab(rt, classic, UP)
    // the first poll came before the election (200 ms); the next one, 500 ms later, saw it done
    expect(r.convergedMs).toBeGreaterThanOrEqual(400)
    expect(r.verify?.ok).toBe(true)
    expect(Date.now() - started).toBeLessThan(5000)
    const snapshots = rt.calls.filter((x) => x.call === 'exec' && x.subject === `${c('lvs1')} lvslab-facts --ipvs --vrrp`)
    expect(snapshots.length).toBeGreaterThanOrEqual(2)
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
