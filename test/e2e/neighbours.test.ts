// End to end with real IPVS: two labs side by side, an internal lab with unicast VRRP, and a
// provoked split brain that verify and status must catch. In-process (each CLI start is slow in the VM).
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {loadLab, parseLab} from '../../src/lab/load.js'
import {continuousProber} from '../../src/probe/choose.js'
import {runChaos} from '../../src/ops/chaos.js'
import {downLab} from '../../src/ops/down.js'
import {labStatus} from '../../src/ops/status.js'
import {waitConverged} from '../../src/ops/converge.js'
import {upLab} from '../../src/ops/up/index.js'
import {verifyLab} from '../../src/ops/verify.js'
import {waitFor} from '../../src/ops/wait.js'
import {bounds, waitMs} from '../../src/plan/plan.js'
import {DockerRuntime} from '../../src/runtime/docker/index.js'
import {LABELS, labFilter} from '../../src/runtime/labels.js'
import {ensureLabImage} from '../helpers/image.js'
import {expectVerified} from '../helpers/verified.js'

const rt = new DockerRuntime()
const classic = parseLab('')
const lab2 = loadLab(join(import.meta.dirname, '..', '..', 'examples', 'lab2.yaml'))
const internal = parseLab(
  'name: internal\nnetwork: {subnet: 172.23.0.0/16, internal: true}\nvip: 172.23.1.100\nvrrp: {virtual_router_id: 54}\ndirectors: [{name: lvs1, ip: 172.23.1.1}, {name: lvs2, ip: 172.23.1.2}]\nreal_servers: [{name: rs1, ip: 172.23.1.10}, {name: rs2, ip: 172.23.1.11}]\n',
)
const up = (lab: typeof classic) => upLab(rt, lab, {mode: 'least-privilege'})

beforeAll(async () => {
  await ensureLabImage(rt)
})

afterAll(async () => {
  for (const name of ['classic', 'lab2', 'internal']) await downLab(rt, name)
})

/** What a failed verify needs to be understood: each director's addresses and IPVS connections, this machine's neighbours. */
async function diagnose(lab: typeof classic): Promise<string> {
  const out: string[] = []
  for (const d of lab.directors) {
    const c = `${lab.name}-${d.name}`
    const r = await rt
      .exec(c, ['bash', '-c', 'ip -o -4 addr; ipvsadm -Ln; ipvsadm -Lnc | head -40; ipvsadm -Lnc | wc -l'])
      .catch((e: Error) => ({stdout: e.message, stderr: ''}))
    out.push(`== ${c}\n${r.stdout}${r.stderr}`)
  }
  const {execa} = await import('execa')
  const neigh = await execa('ip', ['neigh'], {reject: false})
  out.push(`== ip neigh here\n${neigh.stdout}${neigh.stderr}`)
  return out.join('\n')
}

describe('two labs side by side', () => {
  it('both come up and verify', async () => {
    await up(classic)
    await up(lab2)
    expectVerified(await verifyLab(rt, classic), 'classic')
    expectVerified(await verifyLab(rt, lab2), 'lab2')
  })

  it('a drill on one does not disturb the other: its prober sees no failed request', async () => {
    // lab2's own prober: from this machine when it reaches lab2's network, else from lab2's client container
    const prober = await continuousProber(rt, lab2, {from: 'auto', mode: 'least-privilege'}, 20)
    await prober.start()
    let result
    try {
      result = await runChaos(rt, classic, [{name: 'kill-master'}], {restore: true, from: 'auto'})
    } finally {
      await prober.stop()
    }
    expect(result.drills.map((d) => d.fault.failure ?? d.restore?.failure ?? 'ok')).toEqual(['ok'])
    expect(result.ok).toBe(true)
    expect(prober.answers.length).toBeGreaterThan(50)
    expect(prober.answers.filter((a) => !a.ok)).toEqual([])
    expect(new Set(prober.answers.map((a) => a.server))).toEqual(new Set(['172.21.1.10', '172.21.1.11']))
  })

  it('down of one leaves the other running and verified', async () => {
    await downLab(rt, 'classic')
    expect(await rt.listContainers(labFilter('classic'))).toEqual([])
    // lab2's four nodes (and its client container, when its prober ran from inside: a remote engine)
    expect((await rt.listContainers(labFilter('lab2'))).filter((c) => c.labels[LABELS.ROLE] !== 'client').length).toBe(4)
    const v = await verifyLab(rt, lab2)
    if (!v.ok) console.log(`LAB2 AFTER DOWN OF CLASSIC:\n${await diagnose(lab2)}`)
    expectVerified(v, 'lab2')
    await downLab(rt, 'lab2')
  })
})

describe('an internal lab: VRRP over unicast, no split brain', () => {
  it('comes up with exactly one MASTER holding the VIP, and verifies', async () => {
    const r = await up(internal)
    expectVerified(r.verify, 'up')
    const conf = await rt.exec('internal-lvs1', ['cat', '/etc/keepalived/keepalived.conf'])
    expect(conf.stdout).toMatch(/unicast_peer \{\s+172.23.1.2\s+\}/)
    const s = await labStatus(rt, internal)
    expect(s.vipHolders).toEqual(['lvs1'])
    expect(s.masters).toEqual(['lvs1'])
    expect(s.splitBrain).toBe(false)
  })
})

describe('a provoked split brain is caught', () => {
  it('verify and status fail loudly when both directors hold the VIP', async () => {
    // lvs2 stops hearing lvs1: its adverts no longer authenticate, so it becomes MASTER too.
    await rt.exec('internal-lvs2', [
      'bash',
      '-c',
      "sed -i 's/auth_pass .*/auth_pass other/' /etc/keepalived/keepalived.conf && lvslab-svc stop keepalived && lvslab-svc start keepalived",
    ])
    await waitFor('both directors hold the VIP', waitMs(bounds(internal).failover), async () => {
      const s = await labStatus(rt, internal)
      return {done: s.vipHolders.length === 2, seen: `holders: ${s.vipHolders.join(', ')}`}
    })
    const v = await verifyLab(rt, internal)
    expect(v.ok).toBe(false)
    expect(v.checks.find((c) => c.name === 'exactly one director holds the VIP')).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/SPLIT BRAIN/),
    })
    const s = await labStatus(rt, internal)
    expect(s.splitBrain).toBe(true)
    expect(s.notes.join('\n')).toMatch(/SPLIT BRAIN/)
  })

  it('up mends it: the right keepalived.conf back, one MASTER again', async () => {
    const r = await up(internal)
    expectVerified(r.verify, 'up')
    await waitConverged(rt, internal, waitMs(bounds(internal).failover))
    expect((await labStatus(rt, internal)).splitBrain).toBe(false)
  })
})

describe('interrupted runs converge again', () => {
  it.each([3000, 12000, 25000])('up aborted after %i ms: down leaves nothing, up again verifies', async (after) => {
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), after)
    const first = await upLab(rt, classic, {mode: 'least-privilege', signal: controller.signal}).then(
      () => 'completed',
      (e: Error) => e.message,
    )
    clearTimeout(timer)
    expect(first === 'completed' || /interrupted/.test(first)).toBe(true)
    await downLab(rt, 'classic')
    expect((await rt.listContainers(labFilter('classic'))).length + (await rt.listNetworks(labFilter('classic'))).length).toBe(0)
    const second = await up(classic)
    expectVerified(second.verify, 'second up')
  })

  it('a drill interrupted by SIGINT exits 130, and chaos restore brings the lab back', async () => {
    const {execa} = await import('execa')
    const child = execa('node', ['bin/run.js', 'chaos', 'director-down'], {reject: false, env: {CI: 'true', NODE_ENV: 'production'}})
    let sent = false
    child.stdout?.on('data', (chunk: Buffer) => {
      if (!sent && /VIP moved to lvs2/.test(chunk.toString())) {
        sent = true
        child.kill('SIGINT')
      }
    })
    const r = await child
    expect(sent).toBe(true)
    expect(r.exitCode).toBe(130)
    expect(r.stderr).toMatch(/interrupted by SIGINT.*lvslab chaos restore/)
    // the fault is still in place: eth0 of lvs1 is down
    const s = await labStatus(rt, classic)
    expect(s.directors[0]!.eth0Up).toBe(false)
    const restored = await execa('node', ['bin/run.js', 'chaos', 'restore', '--json'], {
      reject: false,
      env: {CI: 'true', NODE_ENV: 'production'},
    })
    expect(restored.exitCode).toBe(0)
    expect(JSON.parse(restored.stdout).actions).toEqual(['eth0 up on lvs1'])
    expectVerified(await verifyLab(rt, classic), 'classic')
    await downLab(rt, 'classic')
  })
})
