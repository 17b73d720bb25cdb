// verifyLab and labStatus against a running memory lab: a healthy lab passes every check; each kind of
// broken lab fails the check that names it (a real server down but still scheduled, split brain, no
// MASTER, an unreadable fact) and status says the same in its fields and notes.
import {afterEach, describe, expect, it} from 'vitest'
import {labStatus} from '../../../src/ops/status.js'
import {isRoundRobin, type VerifyResult, verifyLab} from '../../../src/ops/verify.js'
import {IPVS_MISSING, type MemoryRuntime, onVirtualClock, sleep} from '../../helpers/memory/index.js'
import {c, classic, closeAll, memory, running} from './lab.js'

afterEach(closeAll)

const verify = (rt: MemoryRuntime, opts: Parameters<typeof verifyLab>[2] = {}) =>
  onVirtualClock(() => verifyLab(rt, classic, {from: 'container', ...opts}))

/** The names of the checks that failed. */
const failed = (v: VerifyResult) => v.checks.filter((x) => !x.ok).map((x) => x.name)
const detail = (v: VerifyResult, name: string) => v.checks.find((x) => x.name === name)?.detail

/** Changes the lab's state and lets the simulated lab settle (its election and health checks). */
async function settle(rt: MemoryRuntime, change: () => void): Promise<void> {
  await onVirtualClock(async () => {
    change()
    rt.model.changed()
    await sleep(1000)
  })
}

describe('verifyLab', () => {
  it("a real server whose arp sysctls were reset behind lvslab's back: verify fails that check, status says so", async () => {
    const rt = await running()
    await settle(rt, () => {
      const rs1 = rt.container(c('rs1')).node
      for (const k of ['eth0', 'all']) {
        rs1.sysctls[`net.ipv4.conf.${k}.arp_ignore`] = '0'
        rs1.sysctls[`net.ipv4.conf.${k}.arp_announce`] = '0'
      }
    })
    const v = await verify(rt)
    expect(failed(v)).toEqual(['every real server ignores ARP for the VIP (arp_ignore 1, arp_announce 2)'])
    expect(detail(v, 'every real server ignores ARP for the VIP (arp_ignore 1, arp_announce 2)')).toMatch(
      /^rs1 has arp_ignore 0 \(eth0 0, all 0\) and arp_announce 0 \(eth0 0, all 0\): it answers ARP for the VIP on its lo/,
    )
    const s = await onVirtualClock(() => labStatus(rt, classic))
    expect(s.notes.find((n) => n.startsWith('ARP: rs1 has arp_ignore 0'))).toMatch(/fix: `lvslab down` then `lvslab up`/)
    // one of eth0 and all is enough: the kernel applies the larger (ip-sysctl.rst)
    await settle(rt, () => {
      rt.container(c('rs1')).node.sysctls['net.ipv4.conf.all.arp_ignore'] = '1'
      rt.container(c('rs1')).node.sysctls['net.ipv4.conf.eth0.arp_announce'] = '2'
    })
    expect(failed(await verify(rt))).toEqual([])
  })

  it('passes on a converged lab: 200s from both real servers in round robin, one MASTER holding the VIP', async () => {
    const rt = await running()
    const v = await verify(rt)
    expect(failed(v)).toEqual([])
    expect(v.checks.map((x) => x.name)).toEqual([
      'every answer is 200',
      'every healthy real server answers',
      'round robin order',
      'exactly one director holds the VIP',
      'the VIP is on lvs1 as eth0:1',
      'exactly one director reports MASTER',
      "the MASTER's IPVS table equals the healthy real servers",
      'every real server ignores ARP for the VIP (arp_ignore 1, arp_announce 2)',
      "every node's facts could be read",
    ])
    expect(v.requests).toMatchObject({sent: 20, failed: 0, perServer: {'172.20.1.10': 10, '172.20.1.11': 10}})
    expect(v.requests.sequence.slice(0, 4)).toEqual(['172.20.1.10', '172.20.1.11', '172.20.1.10', '172.20.1.11'])
    expect(v).toMatchObject({ok: true, via: 'container', vipHolders: ['lvs1'], converged: {ok: true}})
  })

  it('fails when a real server is down but its health check has not removed it: answers and table', async () => {
    const rt = await running()
    await settle(rt, () => {
      rt.model.faults.checksFrozen = true
      delete rt.container(c('rs1')).node.pids.httpd
    })
    const v = await verify(rt)
    expect(failed(v)).toEqual(['every answer is 200', 'round robin order', "the MASTER's IPVS table equals the healthy real servers"])
    expect(detail(v, 'every answer is 200')).toMatch(/^first sample 10\/20 answered 200; failures: /)
    expect(v.healthy).toEqual(['172.20.1.11'])
  })

  it('passes with a real server down once the health check has removed it (the lab does its job)', async () => {
    const rt = await running()
    await settle(rt, () => rt.stopContainer(c('rs2')))
    const v = await verify(rt)
    expect(failed(v)).toEqual([])
    expect(v.requests.perServer).toEqual({'172.20.1.10': 20})
  })

  it('fails on a split brain: both directors hold the VIP and report MASTER', async () => {
    const rt = await running()
    await settle(rt, () => (rt.model.faults.splitBrain = true))
    const v = await verify(rt)
    expect(failed(v)).toEqual(['exactly one director holds the VIP', 'the VIP is on lvs1 as eth0:1', 'exactly one director reports MASTER'])
    expect(detail(v, 'exactly one director holds the VIP')).toBe('SPLIT BRAIN: lvs1 and lvs2 all hold 172.20.1.100')
    expect(v.vipHolders).toEqual(['lvs1', 'lvs2'])
  })

  it('fails with no MASTER: no answer at all, nobody holds the VIP', async () => {
    const rt = await running()
    await settle(rt, () => {
      rt.model.faults.neverMaster.add(c('lvs1')).add(c('lvs2'))
    })
    const v = await verify(rt)
    expect(failed(v)).toContain('every answer is 200')
    expect(failed(v)).toContain('exactly one director holds the VIP')
    expect(detail(v, 'exactly one director holds the VIP')).toBe('holders: none')
    expect(detail(v, 'exactly one director reports MASTER')).toBe('lvs1: BACKUP, lvs2: BACKUP')
    expect(v.requests.failed).toBe(20)
  })

  it("fails when a node's fact cannot be read, naming the node and the tool's words", async () => {
    const rt = await running()
    rt.model.faults.facts.set(c('lvs2'), [{fact: 'ipvs', code: 2, err: IPVS_MISSING}])
    const v = await verify(rt)
    expect(failed(v)).toEqual(["every node's facts could be read"])
    expect(detail(v, "every node's facts could be read")).toBe(
      "could not read: lvs2: IPVS table: Can't initialize ipvs: Protocol not available",
    )
  })

  it("fails with the node named when a node's helper prints no report at all", async () => {
    const rt = await running()
    rt.model.faults.facts.set(c('rs1'), [{document: '{"v":1,"ip":{"ok":true,"code":0,"out":"1: lo: <LOOPBACK'}])
    await expect(verify(rt)).rejects.toThrow(/^read classic-rs1: lvslab-facts printed no report \(/)
  })

  it('fails the holder check when another director is expected to hold the VIP', async () => {
    const rt = await running()
    const v = await verify(rt, {expectedHolder: 'lvs2'})
    expect(failed(v)).toEqual(['the VIP is on lvs2 as eth0:1', 'exactly one director reports MASTER'])
  })

  it('refuses a lab that is not running', async () => {
    await expect(verify(memory())).rejects.toThrow('verify: lab classic is not running (fix: `lvslab up`)')
  })

  it("leaves out of the order's judgement a request from a client port the MASTER's IPVS still tracked", async () => {
    const rt = await running()
    // the client's kernel hands out ports IPVS still holds as FIN_WAIT: each such request goes where
    // its old connection went, unscheduled, and round robin skips a turn
    rt.model.faults.reusePorts = 3
    const v = await verify(rt)
    expect(failed(v)).toEqual([])
    expect(v.requests.reused).toBe(3)
    // the simulated reuse did break the plain sequence: without the table it would fail
    expect(isRoundRobin(v.requests.sequence, 2)).toBe(false)
    expect(detail(v, 'round robin order')).toMatch(/; 3 not judged \(a client port IPVS still tracked, sent without scheduling\)$/)
  })

  it('judges every request when the connection table cannot be read: the reuse puts the first sample out of order', async () => {
    const rt = await running()
    rt.inject({
      call: 'exec',
      match: /ipvsadm -Lnc/,
      effect: {exit: 2, stderr: "Can't initialize ipvs: Permission denied (you must be root)\n"},
    })
    rt.model.faults.reusePorts = 3
    const v = await verify(rt)
    expect(v.requests.reused).toBe(0)
    // the reuses were all taken by the first sample, judged whole; the second, clean, passes
    expect(detail(v, 'round robin order')).toMatch(
      /^first sample out of order \([^;]*\); second sample: [\d. ]+\.\.\.; IPVS connection table not read \(ipvsadm -Lnc on lvs1: exit 2 Can't initialize ipvs: Permission denied \(you must be root\)\): every request judged$/,
    )
    expect(failed(v)).toEqual([])
  })
})

describe('labStatus', () => {
  it('a converged lab: the MASTER holds the VIP with both real servers in its table, the PASS note', async () => {
    const rt = await running()
    const s = await labStatus(rt, classic)
    expect(s).toMatchObject({exists: true, vipHolders: ['lvs1'], masters: ['lvs1'], splitBrain: false})
    expect(s.directors.map((d) => [d.name, d.vrrpState, d.priority, d.configuredState])).toEqual([
      ['lvs1', 'MASTER', 100, 'MASTER'],
      ['lvs2', 'BACKUP', 50, 'BACKUP'],
    ])
    expect(s.directors[0]?.ipvs?.realServers.map((r) => [r.address, r.forward, r.weight])).toEqual([
      ['172.20.1.10', 'Route', 1],
      ['172.20.1.11', 'Route', 1],
    ])
    expect(s.realServers.map((r) => [r.name, r.httpd, r.page, r.vipOnLo, r.vipLabel])).toEqual([
      ['rs1', true, 'from 172.20.1.10', true, 'lo:1'],
      ['rs2', true, 'from 172.20.1.11', true, 'lo:1'],
    ])
    expect(s.notes).toEqual([
      expect.stringMatching(/^VRRP PASS authentication is sent in cleartext .* the password is random for this lab/),
    ])
  })

  it('a split brain: both named, in a note', async () => {
    const rt = await running()
    await settle(rt, () => (rt.model.faults.splitBrain = true))
    const s = await labStatus(rt, classic)
    expect(s).toMatchObject({splitBrain: true, vipHolders: ['lvs1', 'lvs2'], masters: ['lvs1', 'lvs2']})
    expect(s.notes).toContain('SPLIT BRAIN: lvs1 and lvs2 all claim the VIP')
  })

  it("a director's eth0 down: FAULT, the VIP on the other one, the health checks' verdict in its table", async () => {
    const rt = await running()
    await settle(rt, () => (rt.container(c('lvs1')).node.eth0Up = false))
    const s = await labStatus(rt, classic)
    expect(s.directors.map((d) => [d.name, d.vrrpState, d.eth0Up, d.holdsVip])).toEqual([
      ['lvs1', 'FAULT', false, false],
      ['lvs2', 'MASTER', true, true],
    ])
  })

  it('an unreadable fact: a COULD NOT READ note, never a guess', async () => {
    const rt = await running()
    rt.model.faults.facts.set(c('lvs1'), [
      {fact: 'vrrp', code: 1, err: 'keepalived (pid 7) wrote no /tmp/keepalived.data within 5 s of SIGUSR1'},
    ])
    const s = await labStatus(rt, classic)
    expect(s.directors[0]?.vrrpState).toBe('UNKNOWN')
    expect(s.notes).toContain('COULD NOT READ on lvs1: VRRP state: keepalived (pid 7) wrote no /tmp/keepalived.data within 5 s of SIGUSR1')
  })

  it('a lab that does not exist: said so, without an error', async () => {
    const s = await labStatus(memory(), classic)
    expect(s).toMatchObject({exists: false, vipHolders: [], masters: [], splitBrain: false})
  })
})
