// A director's and a real server's facts as lvslab reads them through lvslab-facts (one JSON document
// per node), on every userland's recorded or reconstructed outputs (test/fixtures/userland/SOURCES.md),
// and what happens when a fact cannot be read: it is listed, never taken as absent.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {parseLab} from '../../src/lab/load.js'
import {directorFacts, type NodeReport, realServerFacts} from '../../src/ops/facts.js'
import type {Runtime} from '../../src/runtime/types.js'

const lab = parseLab('')
const fixture = (userland: string, file: string) =>
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'userland', userland, file), 'utf8')
const ok = (out: string) => ({ok: true, code: 0, out, err: ''})
const failed = (err: string, code = 1) => ({ok: false, code, out: '', err})
/** lvslab-svc pid of a service that is not running: exit 3, nothing printed */
const stopped = {ok: false, code: 3, out: '', err: ''}

/** A runtime whose containers run and whose exec prints the given report (only what facts.ts calls). */
function runtimeReporting(report: NodeReport | string, seen: string[][] = []): Runtime {
  return {
    findContainer: async (name: string) => ({
      id: name,
      name,
      image: 'lvslab/lab',
      state: 'running',
      running: true,
      labels: {},
      addresses: {},
    }),
    exec: async (_c: string, cmd: string[]) => {
      seen.push(cmd)
      return {exitCode: 0, stdout: typeof report === 'string' ? report : JSON.stringify(report), stderr: ''}
    },
  } as unknown as Runtime
}

const SYSCTLS =
  'net.ipv4.conf.eth0.arp_ignore=1\nnet.ipv4.conf.eth0.arp_announce=2\nnet.ipv4.conf.all.arp_ignore=1\nnet.ipv4.conf.all.arp_announce=2'

describe.each(['centos7', 'rocky9', 'debian12', 'debian13'])('a MASTER director on %s', (userland) => {
  const report: NodeReport = {
    v: 1,
    ip: ok(fixture(userland, 'ip-o.txt')),
    sysctl: ok(''),
    keepalived: ok('42'),
    httpd: stopped,
    ipvs: ok(fixture(userland, 'ipvsadm-Ln.txt')),
    vrrp: ok(fixture(userland, 'keepalived.data')),
  }

  it('holds the VIP as eth0:1, reports MASTER, lists both real servers as Route, in one exec', async () => {
    const calls: string[][] = []
    const f = await directorFacts(runtimeReporting(report, calls), lab, lab.directors[0]!)
    expect(calls).toEqual([['lvslab-facts', '--ipvs', '--vrrp']])
    expect(f).toMatchObject({
      running: true,
      keepalivedPid: 42,
      vrrpState: 'MASTER',
      holdsVip: true,
      vipLabel: 'eth0:1',
      eth0Up: true,
      unreadable: [],
    })
    expect(f.ipvs[0]!.realServers.map((r) => [r.address, r.forward])).toEqual([
      ['172.20.1.10', 'Route'],
      ['172.20.1.11', 'Route'],
    ])
  })

  it('a BACKUP dump reads BACKUP, with the MASTER it hears', async () => {
    const f = await directorFacts(
      runtimeReporting({...report, vrrp: ok(fixture(userland, 'keepalived-backup.data'))}),
      lab,
      lab.directors[1]!,
    )
    expect(f.vrrpState).toBe('BACKUP')
    expect(f.heardMaster).toEqual({priority: 150, address: '172.20.1.1'})
  })

  it('a BACKUP that has heard no MASTER yet (priority 0) hears none; an address is kept as printed, for the predicate to judge', async () => {
    const none = fixture(userland, 'keepalived-backup.data').replace('Master priority = 150', 'Master priority = 0')
    expect((await directorFacts(runtimeReporting({...report, vrrp: ok(none)}), lab, lab.directors[1]!)).heardMaster).toBeUndefined()
    // keepalived 2.2.7 under VRRP 2 (the kernel VM): no address of its own, the last one it formatted
    const garbled = fixture(userland, 'keepalived-backup.data').replace('Master router = 172.20.1.1', 'Master router = ff02::12')
    const f = await directorFacts(runtimeReporting({...report, vrrp: ok(garbled)}), lab, lab.directors[1]!)
    expect(f.vrrpState).toBe('BACKUP')
    expect(f.heardMaster).toEqual({priority: 150, address: 'ff02::12'})
  })

  it('a dump cut short is reported as unreadable, not read as no instance', async () => {
    const data = fixture(userland, 'keepalived.data')
    const f = await directorFacts(runtimeReporting({...report, vrrp: ok(data.slice(0, data.indexOf('State')))}), lab, lab.directors[0]!)
    expect(f.vrrpState).toBe('UNKNOWN')
    expect(f.unreadable.join('\n')).toMatch(/^VRRP state: /)
  })
})

describe('facts that cannot be read', () => {
  const base: NodeReport = {
    v: 1,
    ip: ok(fixture('debian12', 'ip-o.txt')),
    sysctl: ok(SYSCTLS),
    keepalived: ok('42'),
    httpd: stopped,
    ipvs: ok(fixture('debian12', 'ipvsadm-Ln.txt')),
    vrrp: ok(fixture('debian12', 'keepalived.data')),
  }

  it("ipvsadm failing: the table is unreadable, with ipvsadm's own words", async () => {
    const f = await directorFacts(
      runtimeReporting({
        ...base,
        ipvs: failed(
          "Can't initialize ipvs: Protocol not available\nAre you sure that IP Virtual Server is built in the kernel or as module?",
          2,
        ),
      }),
      lab,
      lab.directors[0]!,
    )
    expect(f.ipvs).toEqual([])
    expect(f.unreadable).toEqual(["IPVS table: Can't initialize ipvs: Protocol not available"])
  })

  it('no dump from keepalived: the state is UNKNOWN and says why', async () => {
    const f = await directorFacts(
      runtimeReporting({...base, vrrp: failed('keepalived (pid 42) wrote no /tmp/keepalived.data within 5 s of SIGUSR1')}),
      lab,
      lab.directors[0]!,
    )
    expect(f.vrrpState).toBe('UNKNOWN')
    expect(f.unreadable).toEqual(['VRRP state: keepalived (pid 42) wrote no /tmp/keepalived.data within 5 s of SIGUSR1'])
  })

  it('ip failing: addresses unreadable, and the VIP is not claimed absent silently', async () => {
    const f = await directorFacts(
      runtimeReporting({...base, ip: failed('Cannot open netlink socket: Protocol not supported')}),
      lab,
      lab.directors[0]!,
    )
    expect(f.unreadable).toEqual(['addresses: Cannot open netlink socket: Protocol not supported'])
  })

  it('a helper that prints no JSON fails the read, naming the node', async () => {
    await expect(directorFacts(runtimeReporting('bash: line 1: syntax error'), lab, lab.directors[0]!)).rejects.toThrow(
      /read classic-lvs1: lvslab-facts printed no report/,
    )
  })

  it('an image without the helper: the fix is to make the image again', async () => {
    const rt = {
      ...runtimeReporting(base),
      exec: async () => ({
        exitCode: 127,
        stdout: '',
        stderr: 'OCI runtime exec failed: exec: "lvslab-facts": executable file not found in $PATH',
      }),
    } as unknown as Runtime
    await expect(directorFacts(rt, lab, lab.directors[0]!)).rejects.toThrow(/no lvslab-facts.*fix: make the image again/)
  })
})

describe('a real server', () => {
  const lo =
    '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n1: lo    inet 172.20.1.100/32 scope global lo:1\\       valid_lft forever preferred_lft forever\n'
  it('reads httpd, its page, the VIP on lo:1 /32 and the arp sysctls, asking for the page at the health-check path', async () => {
    const calls: string[][] = []
    const f = await realServerFacts(
      runtimeReporting(
        {v: 1, ip: ok(lo), sysctl: ok(SYSCTLS), keepalived: stopped, httpd: ok('7'), page: ok('from 172.20.1.10\n200')},
        calls,
      ),
      lab,
      lab.real_servers[0]!,
    )
    expect(calls).toEqual([['lvslab-facts', '--page', 'http://172.20.1.10:80/']])
    expect(f).toMatchObject({httpd: true, page: 'from 172.20.1.10', vipOnLo: true, vipPrefix: 32, vipLabel: 'lo:1', unreadable: []})
    expect(f.sysctls).toEqual({
      'net.ipv4.conf.eth0.arp_ignore': '1',
      'net.ipv4.conf.eth0.arp_announce': '2',
      'net.ipv4.conf.all.arp_ignore': '1',
      'net.ipv4.conf.all.arp_announce': '2',
    })
  })

  it('a page answered with another status is no page', async () => {
    const f = await realServerFacts(
      runtimeReporting({v: 1, ip: ok(lo), sysctl: ok(SYSCTLS), keepalived: stopped, httpd: ok('7'), page: ok('<h1>Not Found</h1>\n404')}),
      lab,
      lab.real_servers[0]!,
    )
    expect(f.page).toBeUndefined()
  })

  it('lvslab-svc failing otherwise than "not running" (exit 3) is unreadable, not "httpd down"', async () => {
    const f = await realServerFacts(
      runtimeReporting({
        v: 1,
        ip: ok(lo),
        sysctl: ok(SYSCTLS),
        keepalived: stopped,
        httpd: failed('/usr/local/sbin/lvslab-svc: line 9: ps: command not found', 127),
        page: failed('curl: (7) Failed to connect', 7),
      }),
      lab,
      lab.real_servers[0]!,
    )
    expect(f.httpd).toBe(false)
    expect(f.unreadable).toEqual(['httpd: /usr/local/sbin/lvslab-svc: line 9: ps: command not found'])
  })

  it('a page that fails while httpd runs says why', async () => {
    const f = await realServerFacts(
      runtimeReporting({
        v: 1,
        ip: ok(lo),
        sysctl: ok(SYSCTLS),
        keepalived: stopped,
        httpd: ok('7'),
        page: failed('curl: (28) Operation timed out after 3001 milliseconds', 28),
      }),
      lab,
      lab.real_servers[0]!,
    )
    expect(f.page).toBeUndefined()
    expect(f.unreadable).toEqual(['page: curl: (28) Operation timed out after 3001 milliseconds (curl exit 28)'])
  })
})
