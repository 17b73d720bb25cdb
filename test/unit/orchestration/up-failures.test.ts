// upLab when the engine or the lab fails it: each failure one line naming the step, with the engine's
// or the command's own words; a convergence that never comes reports what was seen; an interrupt
// ends it with "interrupted" and leaves only labelled resources, which `down` removes.
import {afterEach, describe, expect, it, vi} from 'vitest'
import {StepError} from '../../../src/errors.js'
import {downLab} from '../../../src/ops/down.js'
import {upLab} from '../../../src/ops/up/index.js'
import {NO_IPVS} from '../../../src/ops/up/director.js'
import {KEEPALIVED_VERSION} from '../../helpers/memory/texts.js'
import {labFilter} from '../../../src/runtime/labels.js'
import {onVirtualClock} from '../../helpers/memory/index.js'
import {c, classic, closeAll, memory, up, UP} from './lab.js'

afterEach(closeAll)
afterEach(() => vi.unstubAllEnvs())

/** up's rejection, as the CLI prints it: one line. */
async function failure(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  )
  expect(e).toBeInstanceOf(StepError)
  const message = (e as StepError).message
  expect(message).not.toContain('\n')
  return message
}

describe('the engine fails up', () => {
  it("an engine error on a container's creation: that step, in the engine's own words", async () => {
    const rt = memory()
    const text = 'failed to create task for container: failed to create shim task: OCI runtime create failed: unknown'
    rt.inject({call: 'createContainer', match: /^classic-rs2$/, effect: {fail: text}})
    expect(await failure(up(rt))).toBe(`create container classic-rs2: ${text}`)
    // what was made is the lab's, by its labels: the interrupt report and `down` find all of it
    expect((await rt.listContainers(labFilter('classic'))).length).toBe(rt.engine.containers.size)
    await downLab(rt, 'classic')
    expect(rt.engine.containers.size + rt.engine.networks.size).toBe(0)
  })

  // a container up creates configures itself (its boot, read from its log); one it finds, by exec
  const BOOTED = {call: 'logsUntil'} as const
  /** A director found stopped (its first boot long over): up configures it by exec. */
  async function stoppedDirector(rt: ReturnType<typeof memory>, name: string): Promise<void> {
    await up(rt)
    rt.stopContainer(c(name))
  }

  it('a config that cannot be written: the director, its container and its shell (booted, and by exec)', async () => {
    const stderr = 'bash: line 3: /etc/keepalived/keepalived.conf.lvslab-new: Read-only file system\n'
    const want = 'start director lvs1: classic-lvs1: bash: line 3: /etc/keepalived/keepalived.conf.lvslab-new: Read-only file system'
    const booted = memory()
    booted.inject({...BOOTED, match: /^classic-lvs1$/, effect: {exit: 1, stderr}})
    expect(await failure(up(booted))).toBe(want)
    const found = memory()
    await stoppedDirector(found, 'lvs1')
    found.inject({call: 'exec', match: /^classic-lvs1 bash -c c=\/etc\/keepalived/, effect: {exit: 1, stderr}})
    expect(await failure(up(found))).toBe(want)
  })

  it("an engine that hangs: the call times out after the adapter's bound", async () => {
    const rt = memory()
    rt.inject({call: 'createContainer', match: /^classic-rs1$/, effect: {hang: true}})
    expect(await failure(up(rt))).toBe('create container classic-rs1: container create timed out after 60 s')
  })

  it('an engine whose containers do not get the arp sysctls: the real server step, with the fix', async () => {
    const rt = memory()
    const stderr = 'net.ipv4.conf.eth0.arp_ignore is 0, not 1\n'
    rt.inject({...BOOTED, match: /^classic-rs1$/, effect: {exit: 5, stderr}})
    expect(await failure(up(rt))).toBe(
      'configure real server rs1: classic-rs1: net.ipv4.conf.eth0.arp_ignore is 0, not 1 (fix: the engine must accept --sysctl net.ipv4.conf.*; try `lvslab up --privileged`)',
    )
  })

  it("a booting real server refused NET_ADMIN: the script's words from its log, with the fix", async () => {
    const rt = memory()
    // the boot's output, stderr merged into stdout as BOOT_WRAPPER does
    rt.inject({...BOOTED, match: /^classic-rs2$/, effect: {exit: 2, stdout: 'RTNETLINK answers: Operation not permitted\n'}})
    expect(await failure(up(rt))).toBe(
      'configure real server rs2: classic-rs2: RTNETLINK answers: Operation not permitted (fix: the engine must grant the real servers NET_ADMIN; try `lvslab up --privileged`)',
    )
  })

  it('a real server whose container does not start: no director is created to wait for it', async () => {
    const rt = memory()
    const text = 'OCI runtime create failed: sysctl "net.ipv4.conf.eth0.arp_ignore" not allowed'
    rt.inject({call: 'startContainer', match: /./, effect: {fail: text}})
    expect(await failure(up(rt))).toMatch(/^start container \S+: OCI runtime create failed/)
    const created = rt.calls.filter((x) => x.call === 'createContainer').map((x) => x.subject)
    expect(created.some((n) => /lvs/.test(n))).toBe(false)
  })

  it('a kernel without ip_vs under Docker Desktop: the throwaway check says where and what to do', async () => {
    const rt = memory({ipvs: false, engine: {desktop: true, os: 'Docker Desktop', kernel: '6.10.14-linuxkit'}})
    const m = await failure(up(rt))
    expect(m).toMatch(
      /^check IPVS: the ip_vs kernel module is not loaded in Docker Desktop's VM \(Docker Desktop\), kernel 6\.10\.14-linuxkit/,
    )
    expect(m).toMatch(/\(fix: Docker Desktop's kernel offers no ip_vs module to load/)
    // the network made while IPVS was checked is removed again
    expect(rt.engine.containers.size + rt.engine.networks.size).toBe(0)
  })

  it('ipvsadm refused for another reason (a rootless engine): said as ipvsadm said it, and nothing left behind', async () => {
    const rt = memory()
    const stdout = `${NO_IPVS}Can't initialize ipvs: Permission denied (you must be root)\n${KEEPALIVED_VERSION}`
    rt.inject({call: 'exec', match: /^classic-lvs1 bash -c command -v lvslab-facts/, effect: {exit: 0, stdout}})
    // the image's keepalived version unread: the directors are asked by exec
    rt.inject({call: 'readImageFile', effect: {exit: 1}})
    const m = await failure(up(rt))
    expect(m).toMatch(/^check IPVS: ipvsadm fails in lvs1, in .* with kernel 6\.1\.0-28-amd64: Can't initialize ipvs: Permission denied/)
    expect(m).toMatch(/\(fix: the directors need CAP_NET_ADMIN in the engine's own user namespace/)
    expect(rt.engine.containers.size + rt.engine.networks.size).toBe(0)
    // a booting director says it in its log (ipvsadm's words on stderr, exit 3)
    const booted = memory()
    const stderr = "Can't initialize ipvs: Permission denied (you must be root)\n"
    booted.inject({...BOOTED, match: /^classic-lvs1$/, effect: {exit: 3, stderr}})
    expect(await failure(up(booted))).toBe(m)
    expect(booted.engine.containers.size + booted.engine.networks.size).toBe(0)
  })

  it('without the pre-check, the directors find no IPVS themselves', async () => {
    vi.stubEnv('LVSLAB_IPVS_PRECHECK', 'off')
    const rt = memory({ipvs: false})
    const m = await failure(up(rt))
    expect(m).toMatch(
      /^start director lvs[12]: the ip_vs kernel module is not loaded in .*, so keepalived cannot program IPVS \(ipvsadm in lvs[12]: Can't initialize ipvs: Protocol not available\) \(fix: /,
    )
  })

  it('an image made by an older lvslab (no lvslab-facts): make the image again', async () => {
    const rt = memory()
    // `command -v lvslab-facts` finds none: the version's exec ends 99 (FACTS_MISSING_EXIT), with nothing said
    rt.inject({call: 'readImageFile', effect: {exit: 1}})
    rt.inject({call: 'exec', match: /^classic-lvs\d bash -c command -v lvslab-facts/, effect: {exit: 99}})
    expect(await failure(up(rt))).toMatch(
      /^read classic-lvs[12]: the lab image has no lvslab-facts: it was made by an older lvslab \(fix: make the image again/,
    )
    // a booting container's wrapper says the same with its exit code
    const booted = memory()
    booted.inject({...BOOTED, match: /^classic-rs2$/, effect: {exit: 99}})
    expect(await failure(up(booted))).toMatch(
      /^read classic-rs2: the lab image has no lvslab-facts: it was made by an older lvslab \(fix: make the image again/,
    )
  })

  it("keepalived refusing lvslab's config: reported as lvslab's bug", async () => {
    const rt = memory()
    const stderr = "Keepalived_vrrp: (Line 14) Unknown keyword 'lvs_sched'\n"
    rt.inject({...BOOTED, match: /^classic-lvs1$/, effect: {exit: 4, stderr}})
    expect(await failure(up(rt))).toBe(
      "start director lvs1: classic-lvs1: Keepalived_vrrp: (Line 14) Unknown keyword 'lvs_sched' (fix: this is a bug of lvslab: please report the lab file)",
    )
  })
})

describe('the lab fails up', () => {
  it('a keepalived that never becomes MASTER: convergence times out, saying what it saw', async () => {
    const rt = memory()
    rt.model.faults.neverMaster.add(c('lvs1'))
    const m = await failure(up(rt))
    expect(m).toMatch(/^VIP on lvs1 and IPVS table complete: not reached within 17\.8 s; last seen: /)
    expect(m).toContain('lvs1 does not hold the VIP, state BACKUP; also holding: lvs2; IPVS: 172.20.1.10, 172.20.1.11')
  })

  it('a real server without the VIP on lo (packets to it dropped): the verify step names the failing checks', async () => {
    const rt = memory()
    rt.model.faults.noLoVip.add(c('rs2'))
    const m = await failure(up(rt))
    expect(m).toMatch(/^verify: every answer is 200: first sample 10\/20 answered 200; failures: no connection/)
    expect(m).toContain('every healthy real server answers: healthy: 172.20.1.10, 172.20.1.11; answered: 172.20.1.10')
  })
})

describe('interrupting up', () => {
  it('an abort while it waits for convergence: "interrupted", and everything made carries the lab label', async () => {
    const rt = memory()
    rt.model.faults.neverMaster.add(c('lvs1'))
    const ac = new AbortController()
    const m = await failure(
      onVirtualClock(() => {
        setTimeout(() => ac.abort(), 3000)
        return upLab(rt, classic, {...UP, signal: ac.signal})
      }),
    )
    expect(m).toBe('VIP on lvs1 and IPVS table complete: interrupted')
    const labelled = [...(await rt.listContainers(labFilter('classic'))), ...(await rt.listNetworks(labFilter('classic')))]
    expect(labelled.map((x) => x.name).sort()).toEqual([
      'classic-client',
      'classic-lvs1',
      'classic-lvs2',
      'classic-lvs_dr',
      'classic-rs1',
      'classic-rs2',
    ])
    expect(rt.engine.containers.size + rt.engine.networks.size).toBe(labelled.length)
    await downLab(rt, 'classic')
    expect(rt.engine.containers.size + rt.engine.networks.size).toBe(0)
  })

  it('an abort before it starts: nothing is created', async () => {
    const rt = memory()
    const ac = new AbortController()
    ac.abort()
    expect(await failure(up(rt, classic, {signal: ac.signal}))).toBe('Check the engine: interrupted')
    expect(rt.calls.map((x) => x.call)).not.toContain('createNetwork')
  })

  // every engine call of up is given its signal: an interrupt during a hanging call does not wait
  // for that call's own timeout (60 s for a create)
  it('an abort while an engine call hangs ends up at once with "interrupted"', async () => {
    const rt = memory()
    rt.inject({call: 'createContainer', match: /^classic-rs1$/, effect: {hang: true}})
    const ac = new AbortController()
    await onVirtualClock(async () => {
      const started = Date.now()
      setTimeout(() => ac.abort(), 1000)
      await expect(upLab(rt, classic, {...UP, signal: ac.signal})).rejects.toThrow(/interrupted/)
      expect(Date.now() - started).toBeLessThan(5000)
    })
  })

  // waitFor gives each check a signal that aborts at the wait's cut (bound + one poll interval), and
  // the facts reads pass it to their exec: one node whose facts read hangs does not hold the
  // convergence wait for the exec's 120 s, past its 17.8 s bound and past an interrupt
  it('a hanging facts read neither outlasts the convergence bound nor an interrupt', async () => {
    const rt = memory()
    rt.inject({call: 'exec', match: /^classic-lvs2 lvslab-facts --ipvs --vrrp$/, effect: {hang: true}})
    const ac = new AbortController()
    await onVirtualClock(async () => {
      const started = Date.now()
      setTimeout(() => ac.abort(), 20_000)
      await expect(upLab(rt, classic, {...UP, signal: ac.signal})).rejects.toThrow(/not reached within 17\.8 s|interrupted/)
      expect(Date.now() - started).toBeLessThan(25_000)
    })
  })
})
