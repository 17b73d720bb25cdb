// The lab's state judged on hand-made snapshots: each predicate of src/state/predicates.ts when it
// holds and when it does not (unread facts, split brain, a wrong label, a BACKUP holding the VIP, an
// empty or unreadable IPVS table, the wrong scheduler or forwarding), and `converged`, the one
// definition of a healthy lab.
import {describe, expect, it} from 'vitest'
import {makeDrill} from '../../src/drills/drills.js'
import {parseLab} from '../../src/lab/load.js'
import {
  allRead,
  converged,
  eth0Down,
  foreignMaster,
  forwardsByRoute,
  holdsVip,
  keepalivedGone,
  oneHolder,
  oneMaster,
  schedulerIs,
  serviceIs,
  servesPage,
  splitBrain,
  tableIs,
  vipOn,
} from '../../src/state/predicates.js'
import {type DirectorFacts, healthyServers, type LabSnapshot, vipService} from '../../src/state/snapshot.js'
import {director, RS1, RS2, rs, svc} from '../helpers/snapshot.js'

const lab = parseLab('')
const master = (over: Partial<DirectorFacts> = {}) => director('lvs1', {vrrpState: 'MASTER', holdsVip: true, vipLabel: 'eth0:1', ...over})
const snap = (directors: DirectorFacts[], realServers = [rs('rs1', RS1), rs('rs2', RS2)]): LabSnapshot => ({directors, realServers})
const healthy = snap([master(), director('lvs2')])

describe('the snapshot helpers', () => {
  it('healthy real servers are those serving their own page', () => {
    expect(healthyServers(lab, healthy.realServers)).toEqual([RS1, RS2])
    expect(healthyServers(lab, [rs('rs1', RS1, {page: 'from 172.20.1.99'}), rs('rs2', RS2, {httpd: false})])).toEqual([])
  })
  it("the VIP's service is found by VIP, port and protocol", () => {
    expect(vipService(lab, svc([RS1]))?.realServers).toHaveLength(1)
    expect(vipService(lab, [{...svc([RS1])[0]!, port: 8080}])).toBeUndefined()
  })
})

describe('predicates', () => {
  it.each([
    ['the MASTER alone with the VIP as eth0:1', snap([master(), director('lvs2')]), 'lvs1', true],
    ['the wrong label', snap([master({vipLabel: 'eth0'}), director('lvs2')]), 'lvs1', false],
    ['a BACKUP holding the VIP', snap([master({vrrpState: 'BACKUP'}), director('lvs2')]), 'lvs1', false],
    ['another holder (split brain)', snap([master(), director('lvs2', {holdsVip: true, vipLabel: 'eth0:1'})]), 'lvs1', false],
    ['a peer whose facts could not be read', snap([master(), director('lvs2', {unreadable: ['addresses: boom']})]), 'lvs1', false],
    ['not in the snapshot', snap([director('lvs2')]), 'lvs1', false],
  ] as const)('holdsVip: %s', (_, s, who, ok) => {
    expect(holdsVip(s, who).ok).toBe(ok)
  })

  it('holdsVip says what each director reports, and what could not be read', () => {
    expect(holdsVip(snap([master(), director('lvs2', {unreadable: ['VRRP state: x']})]), 'lvs1').seen).toBe(
      'lvs1: MASTER holding the VIP (eth0:1), lvs2: BACKUP; could not read: lvs2: VRRP state: x',
    )
  })

  it('tableIs: exactly these, in any order; an empty or unreadable table is not a match', () => {
    expect(tableIs(healthy, lab, 'lvs1', [RS2, RS1])).toEqual({ok: true, seen: "lvs1's IPVS table: 172.20.1.10, 172.20.1.11"})
    expect(tableIs(healthy, lab, 'lvs1', [RS2]).ok).toBe(false)
    expect(tableIs(snap([master({ipvs: []})]), lab, 'lvs1', [RS1])).toEqual({ok: false, seen: "lvs1's IPVS table: empty"})
    const unreadable = snap([master({ipvs: [], ipvsError: "Can't initialize ipvs", unreadable: ["IPVS table: Can't initialize ipvs"]})])
    expect(tableIs(unreadable, lab, 'lvs1', [])).toEqual({
      ok: false,
      seen: "lvs1's IPVS table: unreadable; could not read: lvs1: IPVS table: Can't initialize ipvs",
    })
    expect(tableIs(snap([]), lab, 'lvs1', [])).toEqual({ok: false, seen: 'lvs1: not read'})
  })

  it('forwardsByRoute and schedulerIs: LVS-DR with the lab scheduler', () => {
    expect(forwardsByRoute(healthy, lab, 'lvs1').ok).toBe(true)
    expect(forwardsByRoute(snap([master({ipvs: svc([RS1], 'rr', 'Masq')})]), lab, 'lvs1').ok).toBe(false)
    expect(forwardsByRoute(snap([master({ipvs: []})]), lab, 'lvs1')).toEqual({ok: false, seen: 'lvs1: no service'})
    expect(schedulerIs(healthy, lab, 'lvs1').ok).toBe(true)
    expect(schedulerIs(snap([master({ipvs: svc([RS1], 'wlc')})]), lab, 'lvs1')).toEqual({ok: false, seen: 'lvs1: scheduler wlc (lab: rr)'})
  })

  it("serviceIs: the table, forwarding and scheduler together, shown as ipvsadm's", () => {
    expect(serviceIs(healthy, lab, 'lvs1', [RS1, RS2])).toEqual({
      ok: true,
      seen: 'lvs1: rr 172.20.1.10 Route w1, 172.20.1.11 Route w1',
    })
    expect(serviceIs(snap([master({ipvs: svc([RS1, RS2], 'wrr')})]), lab, 'lvs1', [RS1, RS2]).ok).toBe(false)
    expect(serviceIs(snap([master({ipvs: svc([RS1, RS2], 'rr', 'Tunnel')})]), lab, 'lvs1', [RS1, RS2]).ok).toBe(false)
    expect(serviceIs(snap([master({ipvs: svc([])})]), lab, 'lvs1', [])).toEqual({ok: true, seen: 'lvs1: rr no real server'})
    expect(serviceIs(snap([master({ipvs: [], ipvsError: 'boom'})]), lab, 'lvs1', [])).toEqual({
      ok: false,
      seen: 'lvs1: no service 172.20.1.100:80 (boom)',
    })
    expect(serviceIs(healthy, lab, undefined, [])).toEqual({ok: false, seen: 'no director: no service 172.20.1.100:80'})
  })

  it('oneHolder, vipOn, oneMaster and splitBrain', () => {
    const split = snap([master(), director('lvs2', {vrrpState: 'MASTER', holdsVip: true, vipLabel: 'eth0:1'})])
    expect(oneHolder(healthy, lab)).toEqual({ok: true, seen: 'holders: lvs1'})
    expect(oneHolder(split, lab)).toEqual({ok: false, seen: 'SPLIT BRAIN: lvs1 and lvs2 all hold 172.20.1.100'})
    expect(oneHolder(snap([director('lvs1'), director('lvs2')]), lab)).toEqual({ok: false, seen: 'holders: none'})
    expect(vipOn(healthy, 'lvs1')).toEqual({ok: true, seen: 'lvs1 holds it with label eth0:1'})
    expect(vipOn(healthy, 'lvs2').ok).toBe(false)
    expect(vipOn(snap([master({vipLabel: undefined})]), 'lvs1')).toEqual({ok: false, seen: 'lvs1 holds it with label none'})
    expect(vipOn(split, 'lvs1')).toEqual({ok: false, seen: 'no single holder'})
    expect(oneMaster(healthy, 'lvs1')).toEqual({ok: true, seen: 'lvs1: MASTER, lvs2: BACKUP'})
    expect(oneMaster(healthy, 'lvs2').ok).toBe(false)
    expect(oneMaster(split, 'lvs1').ok).toBe(false)
    expect(oneMaster(snap([master({vrrpState: 'UNKNOWN'}), director('lvs2')]), 'lvs1').ok).toBe(false)
    expect(splitBrain(healthy)).toEqual({ok: false, seen: 'holders: lvs1; MASTER: lvs1'})
    expect(splitBrain(split)).toEqual({ok: true, seen: 'SPLIT BRAIN: lvs1 and lvs2 all claim the VIP'})
    // two MASTERs with one holder is split brain too
    expect(splitBrain(snap([master(), director('lvs2', {vrrpState: 'MASTER'})])).ok).toBe(true)
  })

  it('allRead: any unreadable fact of a running node fails, naming node and fact', () => {
    expect(allRead(healthy)).toEqual({ok: true, seen: '4 nodes read'})
    expect(allRead(snap([master()], [rs('rs1', RS1, {unreadable: ['arp sysctls: denied']})]))).toEqual({
      ok: false,
      seen: 'could not read: rs1: arp sysctls: denied',
    })
  })

  it('servesPage, eth0Down and keepalivedGone: the single-node expectations of the drills', () => {
    expect(servesPage(healthy, lab, 'rs1')).toEqual({ok: true, seen: 'rs1: httpd up, page from 172.20.1.10'})
    expect(servesPage(snap([], [rs('rs1', RS1, {httpd: false, page: undefined})]), lab, 'rs1')).toEqual({
      ok: false,
      seen: 'rs1: httpd down, page none',
    })
    expect(eth0Down(snap([director('lvs2', {eth0Up: false})]), 'lvs2')).toEqual({ok: true, seen: 'lvs2: eth0 down, state BACKUP'})
    expect(eth0Down(snap([director('lvs2', {eth0Up: false, unreadable: ['VRRP state: x']})]), 'lvs2').ok).toBe(false)
    expect(eth0Down(healthy, 'lvs2').ok).toBe(false)
    expect(keepalivedGone(snap([master({keepalivedPid: undefined, vrrpState: 'NOT RUNNING'})]), 'lvs1')).toEqual({
      ok: true,
      seen: 'lvs1: container running, keepalived not running',
    })
    expect(keepalivedGone(healthy, 'lvs1')).toEqual({ok: false, seen: 'lvs1: container running, keepalived pid 10'})
    expect(keepalivedGone(snap([director('lvs1', {running: false, keepalivedPid: undefined})]), 'lvs1').ok).toBe(false)
  })
})

describe("foreignMaster: another VRRP router on the lab network with the lab's virtual_router_id", () => {
  it('none while every BACKUP hears a lab director, or hears none', () => {
    expect(foreignMaster(snap([master(), director('lvs2', {heardMaster: {address: '172.20.1.1', priority: 100}})]), lab)).toEqual({
      ok: false,
      seen: 'every BACKUP hears a lab director',
    })
    expect(foreignMaster(healthy, lab).ok).toBe(false)
  })

  it('where keepalived names no usable address (2.2.7 under VRRP 2 prints the last one it formatted), the priority tells', () => {
    // what the kernel VM's classic lab showed: lvs2 BACKUP under lvs1, its dump saying "Master router = ff02::12"
    const garbled = (priority: number) => ({heardMaster: {address: 'ff02::12', priority}})
    expect(foreignMaster(snap([master(), director('lvs2', garbled(100))]), lab).ok).toBe(false)
    // a priority no lab director has, heard while no lab director is MASTER: foreign
    expect(foreignMaster(snap([director('lvs1', garbled(200)), director('lvs2', garbled(200))]), lab)).toEqual({
      ok: true,
      seen: 'FOREIGN VRRP MASTER of priority 200 (keepalived names no address) on virtual_router_id 51: lvs1 and lvs2 hear it as the MASTER',
    })
    // while a lab director is MASTER, what a BACKUP last heard may be stale: not judged
    expect(foreignMaster(snap([master(), director('lvs2', garbled(200))]), lab).ok).toBe(false)
    // an address outside the lab's subnet (224.0.0.18, keepalived's multicast group) is no address either
    expect(foreignMaster(snap([director('lvs1', {heardMaster: {address: '224.0.0.18', priority: 50}}), director('lvs2')]), lab).ok).toBe(
      false,
    )
    // with track_table a director advertises its priority less the weight too: lvs1's 100 - 51 = 49
    const tracked = parseLab('vrrp: {track_table: true}')
    expect(foreignMaster(snap([director('lvs1'), director('lvs2', garbled(49))]), tracked).ok).toBe(false)
    expect(foreignMaster(snap([director('lvs1'), director('lvs2', garbled(48))]), tracked).ok).toBe(true)
  })

  it('names the foreign address, its priority and every director that hears it', () => {
    const heard = {heardMaster: {address: '172.20.1.200', priority: 200}}
    const s = snap([director('lvs1', heard), director('lvs2', heard)])
    expect(foreignMaster(s, lab)).toEqual({
      ok: true,
      seen: 'FOREIGN VRRP MASTER 172.20.1.200 (priority 200) on virtual_router_id 51: lvs1 and lvs2 hear it as the MASTER',
    })
    expect(foreignMaster(snap([master(), director('lvs2', {heardMaster: {address: '172.20.1.200', priority: 90}})]), lab).seen).toBe(
      'FOREIGN VRRP MASTER 172.20.1.200 (priority 90) on virtual_router_id 51: lvs2 hears it as the MASTER',
    )
    // and the one definition of a healthy lab says it first, so that a wait that ends on it explains itself
    expect(converged(s, lab, 'lvs1')).toMatchObject({
      ok: false,
      seen: expect.stringMatching(/^FOREIGN VRRP MASTER 172\.20\.1\.200 .*; lvs1 does not hold the VIP/),
    })
  })
})

describe('converged: the one definition of a healthy lab', () => {
  it('holds on the classic lab, saying what it saw', () => {
    expect(converged(healthy, lab, 'lvs1')).toEqual({
      ok: true,
      seen: 'lvs1 holds the VIP (eth0:1), state MASTER; also holding: none; IPVS: 172.20.1.10, 172.20.1.11; healthy: 172.20.1.10, 172.20.1.11',
    })
  })

  it.each([
    ['the holder reports BACKUP', snap([master({vrrpState: 'BACKUP'}), director('lvs2')])],
    ['the wrong label', snap([master({vipLabel: 'eth0'}), director('lvs2')])],
    ['another director holds the VIP too', snap([master(), director('lvs2', {holdsVip: true, vipLabel: 'eth0:1'})])],
    ['the holder does not hold the VIP', snap([director('lvs1', {vrrpState: 'MASTER'}), director('lvs2')])],
    ['a healthy real server missing from the table', snap([master({ipvs: svc([RS1])}), director('lvs2')])],
    [
      'a stopped real server still in the table',
      snap([master(), director('lvs2')], [rs('rs1', RS1), rs('rs2', RS2, {httpd: false, page: undefined})]),
    ],
    [
      'no healthy real server (and an empty table)',
      snap([master({ipvs: svc([])}), director('lvs2')], [rs('rs1', RS1, {httpd: false}), rs('rs2', RS2, {httpd: false})]),
    ],
    ['an unreadable IPVS table', snap([master({ipvs: [], ipvsError: 'x', unreadable: ['IPVS table: x']}), director('lvs2')])],
    ["a real server's facts unread", snap([master(), director('lvs2')], [rs('rs1', RS1), rs('rs2', RS2, {unreadable: ['addresses: x']})])],
    ['the holder not read', snap([director('lvs2')])],
  ] as const)('fails when %s', (_, s) => {
    expect(converged(s, lab, 'lvs1').ok).toBe(false)
  })

  it('says what it saw instead, with what could not be read', () => {
    const s = snap([
      master({ipvs: [], ipvsError: 'x', unreadable: ['IPVS table: x']}),
      director('lvs2', {holdsVip: true, vipLabel: 'eth0:1'}),
    ])
    expect(converged(s, lab, 'lvs1').seen).toBe(
      'lvs1 holds the VIP (eth0:1), state MASTER; also holding: lvs2; IPVS: unreadable (x); healthy: 172.20.1.10, 172.20.1.11; could not read: lvs1: IPVS table: x',
    )
    expect(converged(snap([director('lvs2')]), lab, 'lvs1').seen).toBe('lvs1: not read')
  })

  it('does not judge the scheduler or forwarding (verify does)', () => {
    expect(converged(snap([master({ipvs: svc([RS1, RS2], 'wlc', 'Masq')}), director('lvs2')]), lab, 'lvs1').ok).toBe(true)
  })
})

describe("the drills' data: commands and checks over snapshots", () => {
  it('rs-down stops httpd in rs1, and its eviction reads only the MASTER', () => {
    const d = makeDrill(lab, 'rs-down')
    expect(d.inject).toEqual({container: 'classic-rs1', cmd: 'lvslab-svc stop httpd', step: 'stop httpd on rs1'})
    expect(d.restore).toEqual({container: 'classic-rs1', cmd: 'lvslab-svc start httpd', step: 'start httpd on rs1'})
    const [evicted] = d.expectFault
    expect(evicted?.reads).toEqual({directors: ['lvs1'], realServers: []})
    expect(evicted?.check(snap([master({ipvs: svc([RS2])})]))).toEqual({ok: true, seen: "lvs1's IPVS table: 172.20.1.11"})
    expect(evicted?.check(healthy).ok).toBe(false)
    expect(d.expectRestored[0]?.reads).toEqual({directors: [], realServers: ['rs1']})
  })

  it('kill-master expects lvs2 to hold the VIP as MASTER (every director read), then lvs1 without keepalived', () => {
    const d = makeDrill(lab, 'kill-master')
    expect(d.inject).toEqual({container: 'classic-lvs1', cmd: 'lvslab-svc kill keepalived', step: 'kill -9 keepalived on lvs1'})
    const [moved, gone] = d.expectFault
    expect(moved?.reads).toEqual({directors: ['lvs1', 'lvs2'], realServers: []})
    const failedOver = snap([
      director('lvs1', {keepalivedPid: undefined, vrrpState: 'NOT RUNNING'}),
      director('lvs2', {vrrpState: 'MASTER', holdsVip: true, vipLabel: 'eth0:1'}),
    ])
    expect(moved?.check(failedOver).ok).toBe(true)
    expect(moved?.check(healthy).ok).toBe(false)
    expect(gone?.check(failedOver).ok).toBe(true)
  })
})
