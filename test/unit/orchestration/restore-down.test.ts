// restoreLab (`chaos restore`) and downLab against the memory runtime: restore undoes any fault and a
// prober left running, then waits for convergence; down removes exactly what carries the lab's label.
import {afterEach, describe, expect, it} from 'vitest'
import {ContainerContinuousProber} from '../../../src/probe/continuous.js'
import {downLab} from '../../../src/ops/down.js'
import {restoreLab} from '../../../src/ops/restore.js'
import {LABELS} from '../../../src/runtime/labels.js'
import {LAB_PACE, type MemoryRuntime, onVirtualClock, sleep} from '../../helpers/memory/index.js'
import {c, chaos, classic, closeAll, memory, running} from './lab.js'

afterEach(closeAll)

const restore = (rt: MemoryRuntime) => onVirtualClock(() => restoreLab(rt, classic))

/** Runs commands in the lab as a drill would, and lets the lab settle. */
async function breakLab(rt: MemoryRuntime, cmds: [string, string][]): Promise<void> {
  await onVirtualClock(async () => {
    for (const [node, cmd] of cmds) expect((await rt.exec(c(node), ['bash', '-c', cmd])).exitCode).toBe(0)
    await sleep(6000)
  })
}

describe('restoreLab', () => {
  it('undoes every fault at once: httpd started, eth0 up, keepalived started; then the lab converges', async () => {
    const rt = await running({timings: LAB_PACE})
    await breakLab(rt, [
      ['rs2', 'lvslab-svc stop httpd'],
      ['lvs2', 'ip link set eth0 down'],
      ['lvs1', 'lvslab-svc kill keepalived'],
    ])
    const r = await restore(rt)
    expect(r.actions.sort()).toEqual(['eth0 up on lvs2', 'started httpd on rs2', 'started keepalived on lvs1'])
    expect(r.convergedMs).toBeGreaterThan(0)
    expect(rt.container(c('lvs1')).node).toMatchObject({vrrp: 'MASTER', vipHeld: true, table: ['172.20.1.10', '172.20.1.11']})
  })

  it('after chaos --no-restore: undoes the one fault left', async () => {
    const rt = await running({timings: LAB_PACE})
    await chaos(rt, [{name: 'director-down'}], {restore: false})
    const r = await restore(rt)
    expect(r.actions).toEqual(['eth0 up on lvs1'])
  })

  it('stops a prober loop an interrupted drill left in the client container', async () => {
    const rt = await running({timings: LAB_PACE})
    // a loop whose exec stream went away (a crash of lvslab): it runs on in the container
    const ac = new AbortController()
    const loop = rt.execStream(c('client'), ['bash', '-c', LOOP(rt)], () => {}, ac.signal)
    ac.abort()
    await expect(loop).rejects.toThrow(/interrupted/)
    expect(rt.probers(c('client'))).toBe(1)
    const r = await restore(rt)
    expect(r.actions).toEqual([])
    expect(rt.probers(c('client'))).toBe(0)
  })

  it('a lab that is not running: the command to run first', async () => {
    await expect(restore(memory())).rejects.toThrow('chaos: lab classic is not running (fix: `lvslab up` first)')
  })

  it('a lab that does not converge: the wait times out, saying what it saw', async () => {
    const rt = await running({timings: LAB_PACE})
    rt.model.faults.neverMaster.add(c('lvs1'))
    await breakLab(rt, [['lvs1', 'lvslab-svc kill keepalived']])
    await expect(restore(rt)).rejects.toThrow(
      /^VIP on lvs1 and IPVS table complete: not reached within 44\.6 s; last seen: lvs1 does not hold the VIP, state BACKUP; also holding: lvs2/,
    )
  })
})

describe('downLab', () => {
  it("removes the lab's containers and network, and only those: a foreign container and network stay", async () => {
    const rt = await running()
    rt.engine.addContainer({name: 'classic-lvs3'})
    rt.engine.addContainer({name: 'web', labels: {[LABELS.LAB]: 'other'}})
    rt.engine.addNetwork({name: 'neighbours', subnet: '10.10.0.0/24'})
    const r = await downLab(rt, 'classic')
    expect(r).toEqual({
      lab: 'classic',
      removed: {containers: ['classic-client', 'classic-lvs1', 'classic-lvs2', 'classic-rs1', 'classic-rs2'], networks: ['classic-lvs_dr']},
    })
    expect([...rt.engine.containers.values()].map((x) => x.name).sort()).toEqual(['classic-lvs3', 'web'])
    expect([...rt.engine.networks.values()].map((x) => x.name)).toEqual(['neighbours'])
  })

  it('is idempotent: a second down removes nothing and does not fail', async () => {
    const rt = await running()
    await downLab(rt, 'classic')
    expect(await downLab(rt, 'classic')).toEqual({lab: 'classic', removed: {containers: [], networks: []}})
  })

  it('an endpoint the engine detaches a moment late: down tries the network again, and removes it', async () => {
    const rt = await running()
    const busy = 'error while removing network: network classic-lvs_dr id 0 has active endpoints'
    rt.inject({call: 'removeNetwork', effect: {fail: busy}, times: 2})
    const r = await onVirtualClock(() => downLab(rt, 'classic'))
    expect(r.removed.networks).toEqual(['classic-lvs_dr'])
    expect(rt.calls.filter((x) => x.call === 'removeNetwork')).toHaveLength(3)
    expect([...rt.engine.networks.values()].map((n) => n.name)).not.toContain('classic-lvs_dr')
  })

  it("a foreign container on the lab's network: the network stays, with the engine's reason", async () => {
    const rt = await running()
    rt.engine.addContainer({name: 'intruder', network: 'classic-lvs_dr', ip: '172.20.9.9'})
    // tried again for NETWORK_RETRY_MS (an engine may detach a removed container a moment late), then the engine's reason
    await expect(onVirtualClock(() => downLab(rt, 'classic'))).rejects.toThrow(
      /^remove network [0-9a-f]{64}: error while removing network: network classic-lvs_dr id [0-9a-f]{64} has active endpoints$/,
    )
    expect([...rt.engine.containers.values()].map((x) => x.name)).toEqual(['intruder'])
  })
})

/** The drills' prober loop as src/probe/continuous.ts makes it (20 Hz, 1 s per request, to the classic VIP). */
const LOOP = (rt: MemoryRuntime) =>
  new ContainerContinuousProber(rt, c('client'), {vip: '172.20.1.100', port: 80, path: '/', timeoutMs: 1000}, 20, 1000).script()
