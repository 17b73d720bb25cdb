import {describe, expect, it} from 'vitest'
import {parseLab} from '../../src/lab/load.js'
import type {DirectorFacts, LabSnapshot, RealServerFacts} from '../../src/state/snapshot.js'
import {director, rs} from '../helpers/snapshot.js'
import {checksFrom as checksOf} from '../../src/ops/verify.js'
import type {Answer} from '../../src/probe/http.js'

const lab = parseLab('')
const answers = (seq: string[]): Answer[] => seq.map((s, i) => ({at: i, ok: true, status: 200, server: s, ms: 1}))
const rr = answers(['172.20.1.10', '172.20.1.11', '172.20.1.10', '172.20.1.11'])
const servers = [rs('rs1', '172.20.1.10'), rs('rs2', '172.20.1.11')]
/** checksFrom with the directors' and real servers' facts as one snapshot. */
const checksFrom = (
  l: typeof lab,
  a: Answer[],
  directors: DirectorFacts[],
  realServers: RealServerFacts[],
  holder: string,
  second?: Answer[],
) => checksOf(l, a, {directors, realServers} satisfies LabSnapshot, holder, second)

describe("verify's checks", () => {
  it('all hold on the classic lab', () => {
    const checks = checksFrom(
      lab,
      rr,
      [director('lvs1', {vrrpState: 'MASTER', holdsVip: true, vipLabel: 'eth0:1'}), director('lvs2')],
      servers,
      'lvs1',
    )
    expect(checks.filter((c) => !c.ok)).toEqual([])
  })

  it('split brain: two directors hold the VIP and report MASTER', () => {
    const checks = checksFrom(
      lab,
      rr,
      [
        director('lvs1', {vrrpState: 'MASTER', holdsVip: true, vipLabel: 'eth0:1'}),
        director('lvs2', {vrrpState: 'MASTER', holdsVip: true, vipLabel: 'eth0:1'}),
      ],
      servers,
      'lvs1',
    )
    const failed = checks.filter((c) => !c.ok).map((c) => c.name)
    expect(failed).toContain('exactly one director holds the VIP')
    expect(failed).toContain('exactly one director reports MASTER')
    expect(checks.find((c) => c.name === 'exactly one director holds the VIP')!.detail).toMatch(/SPLIT BRAIN/)
  })

  it("a foreign VRRP MASTER on the lab's virtual_router_id: the MASTER check fails and names it", () => {
    const heard = {heardMaster: {address: '172.20.1.200', priority: 200}}
    const checks = checksFrom(lab, rr, [director('lvs1', heard), director('lvs2', heard)], servers, 'lvs1')
    expect(checks.find((c) => c.name === 'exactly one director reports MASTER')).toEqual({
      name: 'exactly one director reports MASTER',
      ok: false,
      detail:
        'lvs1: BACKUP, lvs2: BACKUP; FOREIGN VRRP MASTER 172.20.1.200 (priority 200) on virtual_router_id 51: lvs1 and lvs2 hear it as the MASTER',
    })
  })

  it('a real server down but still in the IPVS table fails the table check', () => {
    const checks = checksFrom(
      lab,
      answers(['172.20.1.11', '172.20.1.11']),
      [director('lvs1', {vrrpState: 'MASTER', holdsVip: true, vipLabel: 'eth0:1'}), director('lvs2')],
      [rs('rs1', '172.20.1.10', {httpd: false, page: undefined}), servers[1]!],
      'lvs1',
    )
    expect(checks.find((c) => c.name.startsWith("the MASTER's IPVS table"))!.ok).toBe(false)
  })

  it('failed answers and the wrong order are caught', () => {
    const bad: Answer[] = [...rr, {at: 9, ok: false, status: 0, ms: 1000, error: 'ECONNREFUSED'}]
    const checks = checksFrom(
      lab,
      bad,
      [director('lvs1', {vrrpState: 'MASTER', holdsVip: true, vipLabel: 'eth0:1'}), director('lvs2')],
      servers,
      'lvs1',
    )
    expect(checks.find((c) => c.name === 'every answer is 200')!.ok).toBe(false)
    const order = checksFrom(
      lab,
      answers(['172.20.1.10', '172.20.1.10', '172.20.1.11', '172.20.1.11']),
      [director('lvs1', {vrrpState: 'MASTER', holdsVip: true, vipLabel: 'eth0:1'}), director('lvs2')],
      servers,
      'lvs1',
    )
    expect(order.find((c) => c.name === 'round robin order')!.ok).toBe(false)
  })

  it('the VIP on the wrong director, or without its label, fails', () => {
    const checks = checksFrom(
      lab,
      rr,
      [director('lvs1', {vrrpState: 'BACKUP'}), director('lvs2', {vrrpState: 'MASTER', holdsVip: true, vipLabel: 'eth0'})],
      servers,
      'lvs1',
    )
    expect(checks.find((c) => c.name === 'the VIP is on lvs1 as eth0:1')!.ok).toBe(false)
  })
})

describe('round robin with a second sample', () => {
  const ds = [director('lvs1', {vrrpState: 'MASTER', holdsVip: true, vipLabel: 'eth0:1'}), director('lvs2')]
  const broken = answers(['172.20.1.10', '172.20.1.11', '172.20.1.11', '172.20.1.10'])
  it('passes when the second sample is in order, saying the first was not', () => {
    const c = checksFrom(lab, broken, ds, servers, 'lvs1', rr).find((x) => x.name === 'round robin order')!
    expect(c.ok).toBe(true)
    expect(c.detail).toMatch(/first sample out of order/)
  })
  it('fails when the second is out of order too', () => {
    expect(checksFrom(lab, broken, ds, servers, 'lvs1', broken).find((x) => x.name === 'round robin order')!.ok).toBe(false)
  })

  it('a fact that could not be read fails verify and says which, on which node', () => {
    const checks = checksFrom(
      lab,
      rr,
      [
        director('lvs1', {
          vrrpState: 'UNKNOWN',
          holdsVip: true,
          vipLabel: 'eth0:1',
          unreadable: ['VRRP state: keepalived (pid 10) wrote no /tmp/keepalived.data within 5 s of SIGUSR1'],
        }),
        director('lvs2'),
      ],
      servers,
      'lvs1',
    )
    const c = checks.find((x) => x.name === "every node's facts could be read")!
    expect(c.ok).toBe(false)
    expect(c.detail).toBe('could not read: lvs1: VRRP state: keepalived (pid 10) wrote no /tmp/keepalived.data within 5 s of SIGUSR1')
    // and the state it could not read is not taken for BACKUP or MASTER
    expect(checks.find((x) => x.name === 'exactly one director reports MASTER')!.ok).toBe(false)
  })

  it('a failed answer in the first sample is forgiven only when the second is clean, and both are shown', () => {
    const withFailure: Answer[] = [...rr.slice(0, 3), {at: 3, ok: false, status: 0, ms: 1000, error: 'no answer'}]
    const lvs = [director('lvs1', {vrrpState: 'MASTER', holdsVip: true, vipLabel: 'eth0:1'}), director('lvs2')]
    const clean = checksFrom(lab, withFailure, lvs, servers, 'lvs1', rr).find((c) => c.name === 'every answer is 200')!
    expect(clean).toEqual({
      name: 'every answer is 200',
      ok: true,
      detail: 'first sample 3/4 answered 200; failures: no answer; second sample 4/4 answered 200',
    })
    const again = checksFrom(lab, withFailure, lvs, servers, 'lvs1', withFailure).find((c) => c.name === 'every answer is 200')!
    expect(again.ok).toBe(false)
    expect(checksFrom(lab, withFailure, lvs, servers, 'lvs1').find((c) => c.name === 'every answer is 200')!.ok).toBe(false)
  })
})
