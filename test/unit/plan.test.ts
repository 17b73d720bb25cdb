import {describe, expect, it} from 'vitest'
import {parseLab} from '../../src/lab/load.js'
import {withAuthPass} from '../../src/lab/model.js'
import {bounds, masterAfterStart, planClient, planLab, waitMs} from '../../src/plan/plan.js'
import {LABELS, namesFilter} from '../../src/runtime/labels.js'

describe('the spec hash across lvslab versions', () => {
  const hashes = (text: string, kept?: string) =>
    planLab(withAuthPass(parseLab(text), kept), 'least-privilege')
      .directors.map((d) => d.spec.labels[LABELS.SPEC])
      .join(',')
  it('a lab running under the lvslab before vrrp.version keeps its hash, so a second up finds it current', () => {
    // computed with that lvslab (e2bd034) for the same labs
    expect(hashes('', 'KEPT1234')).toBe('b336aa6089b2c17b,f166b63ed8fe2326')
    expect(hashes('vrrp: {auth_pass: abc}')).toBe('bd837844d4991a92,d39149dac0267a7f')
    expect(hashes('vrrp: {strict: true, auth_type: NONE}', 'KEPT1234')).toBe('69785b3db6556d90,7fadfa436cc85389')
    expect(hashes('network: {internal: true}', 'KEPT1234')).toBe('ff4df0c3504ac695,55d7210b5aeb823b')
    expect(hashes('vrrp: {advert_int: 2}', 'KEPT1234')).toBe('62ca5eb405d061b6,b617947c546498ac')
  })

  it('equal labs hash equal however written; the new settings change it only when they change something', () => {
    const base = hashes('', 'KEPT1234')
    expect(hashes('vrrp: {version: 2, auth_type: PASS, nopreempt: false, preempt_delay: 0}', 'KEPT1234')).toBe(base)
    for (const text of ['vrrp: {version: 3, auth_type: NONE}', 'vrrp: {nopreempt: true}', 'vrrp: {preempt_delay: 5}'])
      expect(hashes(text, 'KEPT1234')).not.toBe(base)
  })
})

describe('the plan', () => {
  const lab = parseLab('')

  it('names every resource after the lab and labels it with lab and node', () => {
    const plan = planLab(lab, 'least-privilege')
    expect(plan.network).toMatchObject({name: 'classic-lvs_dr', subnet: '172.20.0.0/16', gateway: '172.20.0.1', internal: false})
    expect(plan.network.labels[LABELS.LAB]).toBe('classic')
    const all = [...plan.directors, ...plan.realServers]
    expect(all.map((n) => n.spec.name)).toEqual(['classic-lvs1', 'classic-lvs2', 'classic-rs1', 'classic-rs2'])
    for (const n of all) {
      expect(n.spec.labels[LABELS.LAB]).toBe('classic')
      expect(n.spec.labels[LABELS.NODE]).toBe(n.node)
      expect(n.spec.hostname).toBe(n.node)
      expect(n.spec.network).toBe('classic-lvs_dr')
    }
    expect(plan.directors.map((d) => d.spec.ip)).toEqual(['172.20.1.1', '172.20.1.2'])
  })

  it('least privilege: NET_ADMIN and NET_RAW, arp sysctls at creation, nothing privileged', () => {
    const plan = planLab(lab, 'least-privilege')
    for (const n of [...plan.directors, ...plan.realServers]) {
      expect(n.spec.privileged).toBe(false)
      expect(n.spec.capAdd).toEqual(['NET_ADMIN', 'NET_RAW'])
    }
    expect(plan.realServers[0]!.spec.sysctls).toEqual({
      'net.ipv4.conf.eth0.arp_ignore': '1',
      'net.ipv4.conf.eth0.arp_announce': '2',
      'net.ipv4.conf.all.arp_ignore': '1',
      'net.ipv4.conf.all.arp_announce': '2',
    })
    expect(plan.directors[0]!.spec.sysctls).toEqual({})
  })

  it('privileged: privileged containers and no sysctls at creation', () => {
    const plan = planLab(lab, 'privileged')
    expect(plan.realServers.every((n) => n.spec.privileged && Object.keys(n.spec.sysctls).length === 0)).toBe(true)
  })

  it("a changed lab changes the directors' spec hash, the same lab does not", () => {
    const a = planLab(lab, 'least-privilege').directors[0]!.spec.labels[LABELS.SPEC]
    expect(planLab(parseLab(''), 'least-privilege').directors[0]!.spec.labels[LABELS.SPEC]).toBe(a)
    expect(planLab(parseLab('vrrp: {advert_int: 2}'), 'least-privilege').directors[0]!.spec.labels[LABELS.SPEC]).not.toBe(a)
    expect(planLab(lab, 'privileged').directors[0]!.spec.labels[LABELS.SPEC]).not.toBe(a)
  })

  it('the client container takes a free address at the top of the subnet', () => {
    expect(planClient(lab, 'least-privilege').ip).toBe('172.20.255.254')
    expect(planClient(parseLab('real_servers: [{name: rs1, ip: 172.20.255.254}]'), 'least-privilege').ip).toBe('172.20.255.253')
  })

  it('bounds come from the lab timers', () => {
    const b = bounds(lab)
    expect(b.failover).toBeCloseTo(3 + (256 - 50) / 256, 5)
    expect(b.takeback).toBeCloseTo(3 + (256 - 100) / 256, 5)
    expect(b.eviction).toBe(6 + 4 * 3 + 3 * 3)
    expect(b.readd).toBe(9)
    expect(waitMs(4, 1)).toBe(9000)
    expect(waitMs(4, 5)).toBe(45000)
  })

  it("the MASTER's first chance to be MASTER after keepalived starts: its Master_Down_Interval from keepalived 2, at once before", () => {
    expect(masterAfterStart(lab, 2)).toBeCloseTo(3 + (256 - 100) / 256, 5)
    // VRRP 2's skew is (256 - priority) / 256 s whatever advert_int is (RFC 3768 section 6.1)
    expect(masterAfterStart(parseLab('vrrp: {advert_int: 2}'), 2)).toBeCloseTo(6 + (256 - 100) / 256, 5)
    // VRRP 3's is (256 - priority) x advert_int / 256 (RFC 5798 section 6.1)
    expect(masterAfterStart(parseLab('vrrp: {version: 3, advert_int: 2}'), 2)).toBeCloseTo(6 + (2 * (256 - 100)) / 256, 5)
    expect(masterAfterStart(parseLab('vrrp: {version: 3, advert_int: 0.25}'), 2)).toBeCloseTo(0.75 + (0.25 * 156) / 256, 5)
    expect(masterAfterStart(lab, 1)).toBe(0)
  })

  it("the engine's name filter for the lab's containers matches each name exactly, with or without Docker's slash", () => {
    const f = namesFilter(['classic-lvs1', 'a.b-rs1'])
    const matches = (name: string) => f.name.some((r) => new RegExp(r).test(name))
    expect(matches('classic-lvs1')).toBe(true)
    expect(matches('/classic-lvs1')).toBe(true)
    expect(matches('a.b-rs1')).toBe(true)
    expect(matches('classic-lvs10')).toBe(false)
    expect(matches('xclassic-lvs1')).toBe(false)
    expect(matches('axb-rs1')).toBe(false)
  })
})
