// The pure parsers of src/parse read the same facts from every userland lvslab supports. The inputs are
// the raw outputs in test/fixtures/userland/<userland>/ — RECORDED in containers of Debian 12 and 13,
// RECONSTRUCTED for CentOS 7 and Rocky 9 from the upstream code that prints them. Which is which, and
// from which command, image, upstream file and commit, is in test/fixtures/userland/SOURCES.md:
// - keepalived 1.3.5 (CentOS 7): keepalived/core/main.c usage() and case 'v' of the 1.3.x line
//   (acassen/keepalived), vrrp_print.c vrrp_print(); checked against public CentOS 7 transcripts.
// - keepalived 2.2.8 (Rocky 9): main.c usage() (acassen/keepalived), Fedora's keepalived.spec for 2.2.8
//   (json, snmp, nftables; no bfd, no log-file), the instance lines of vrrp_data.c dump_vrrp().
// - iproute 4.11 (CentOS 7): ip/ipaddress.c print_linkinfo()/print_addrinfo() (iproute2), fprintf era.
// - ipvsadm -Ln: ipvsadm.c list_all()/print_title()/print_service_entry() (Distrotech/ipvsadm,
//   commit 0047f4d3), unchanged in 1.27 and 1.31 for these fields.
import {describe, expect, it} from 'vitest'
import {findAddress, parseIpOneline} from '../../src/parse/ipaddr.js'
import {parseIpvsadm} from '../../src/parse/ipvsadm.js'
import {keepalivedFeatures, parseKeepalivedData, parseKeepalivedJson, parseKeepalivedVersion} from '../../src/parse/keepalived.js'
import {fixture, hasFixture, USERLANDS, VIP} from '../helpers/userland.js'

/** The facts lvslab takes from a director, whatever the userland. */
function directorFactsOf(userland: string): unknown {
  const ip = parseIpOneline(fixture(userland, 'ip-o.txt'))
  const vip = findAddress(ip, `${VIP}/32`)
  const eth0 = ip.links.find((l) => l.ifname === 'eth0')
  const master = parseKeepalivedData(fixture(userland, 'keepalived.data'), {strict: true})
  const backup = parseKeepalivedData(fixture(userland, 'keepalived-backup.data'), {strict: true})
  const ipvs = parseIpvsadm(fixture(userland, 'ipvsadm-Ln.txt'))
  return {
    vip,
    eth0: {up: eth0?.up, operstate: eth0?.operstate},
    masterState: master.find((i) => i.instance === 'VI_1')?.state,
    backupState: backup.find((i) => i.instance === 'VI_1')?.state,
    ipvs,
  }
}

describe.each(USERLANDS)('userland $name', (u) => {
  it('ip -o link + ip -o addr: the VIP on eth0 as eth0:1 /32, eth0 up, lo up in state UNKNOWN', () => {
    const ip = parseIpOneline(fixture(u.name, 'ip-o.txt'))
    expect(ip.links.map((l) => l.ifname)).toEqual(['lo', 'eth0'])
    expect(findAddress(ip, `${VIP}/32`)).toEqual({
      ifname: 'eth0',
      family: 'inet',
      address: VIP,
      prefixlen: 32,
      label: 'eth0:1',
    })
    expect(findAddress(ip, `${VIP}/16`)).toBeUndefined()
    expect(findAddress(ip, '172.20.1.1')).toEqual({
      ifname: 'eth0',
      family: 'inet',
      address: '172.20.1.1',
      prefixlen: 16,
      label: 'eth0',
    })
    const [lo, eth0] = ip.links
    expect(lo).toMatchObject({ifname: 'lo', up: true, operstate: 'UNKNOWN'})
    expect(eth0).toMatchObject({ifname: 'eth0', up: true, operstate: 'UP'})
    expect(findAddress(ip, '127.0.0.1')).toMatchObject({ifname: 'lo', prefixlen: 8, label: 'lo'})
    // inet6 addresses carry no label
    expect(findAddress(ip, '::1')).toEqual({ifname: 'lo', family: 'inet6', address: '::1', prefixlen: 128})
    expect(eth0?.addresses.filter((a) => a.family === 'inet6')).toEqual([
      {ifname: 'eth0', family: 'inet6', address: 'fe80::42:acff:fe14:101', prefixlen: 64},
    ])
  })

  it('keepalived.data (SIGUSR1): VI_1 MASTER on the master, BACKUP on the backup', () => {
    const master = parseKeepalivedData(fixture(u.name, 'keepalived.data'), {strict: true})
    expect(master).toHaveLength(1)
    expect(master[0]).toMatchObject({instance: 'VI_1', state: 'MASTER', priority: 150, interface: 'eth0', virtualRouterId: 51})
    const backup = parseKeepalivedData(fixture(u.name, 'keepalived-backup.data'), {strict: true})
    expect(backup).toHaveLength(1)
    expect(backup[0]).toMatchObject({instance: 'VI_1', state: 'BACKUP', priority: 100, interface: 'eth0', virtualRouterId: 51})
    // the MASTER a BACKUP hears: how a foreign speaker on the same virtual_router_id is told from a lab director
    expect(backup[0]).toMatchObject({masterRouter: '172.20.1.1', masterPriority: 150})
    expect(master[0]?.masterRouter).toBeUndefined()
    // the lenient default reads the same
    expect(parseKeepalivedData(fixture(u.name, 'keepalived.data'))).toEqual(master)
  })

  if (u.json)
    it('keepalived.json (JSON signal): VI_1 MASTER', () => {
      expect(parseKeepalivedJson(fixture(u.name, 'keepalived.json'))).toEqual([
        {instance: 'VI_1', state: 'MASTER', priority: 150, effectivePriority: 150, interface: 'eth0', virtualRouterId: 51},
      ])
      if (hasFixture(u.name, 'keepalived-backup.json')) {
        expect(parseKeepalivedJson(fixture(u.name, 'keepalived-backup.json'))[0]).toMatchObject({instance: 'VI_1', state: 'BACKUP'})
      }
    })

  it('keepalived --version: the version numbers', () => {
    const v = parseKeepalivedVersion(fixture(u.name, 'keepalived-version.txt'))
    expect([v.major, v.minor, v.patch]).toEqual(u.version)
    expect(v.raw).toBe(fixture(u.name, 'keepalived-version.txt').split('\n')[0])
  })

  it('keepalived --help: the command-line features of the build', () => {
    expect(keepalivedFeatures(fixture(u.name, 'keepalived-help.txt'))).toEqual(u.features)
    // the JSON dump is there exactly when the build says so
    expect(hasFixture(u.name, 'keepalived.json')).toBe(u.features.json)
  })

  it('ipvsadm -Ln: the VIP:80 service, rr, both real servers as Route', () => {
    expect(parseIpvsadm(fixture(u.name, 'ipvsadm-Ln.txt'))).toEqual([
      {
        protocol: 'TCP',
        address: VIP,
        port: 80,
        scheduler: 'rr',
        flags: [],
        realServers: [
          {address: '172.20.1.10', port: 80, forward: 'Route', weight: 1, activeConn: 0, inactConn: 0},
          {address: '172.20.1.11', port: 80, forward: 'Route', weight: 1, activeConn: 0, inactConn: 0},
        ],
      },
    ])
  })
})

describe('the same facts on every userland', () => {
  it('VIP holder, link, VRRP states and IPVS table agree across CentOS 7, Rocky 9, Debian 12, Debian 13', () => {
    const reference = directorFactsOf('debian12')
    for (const u of USERLANDS) expect(directorFactsOf(u.name), u.name).toEqual(reference)
  })

  it('keepalived 2.3 json_version 2 (wrapped {"vrrp": [...]}) reads like json_version 1', () => {
    expect(parseKeepalivedJson(fixture('debian13', 'keepalived-json2.json'))).toEqual(
      parseKeepalivedJson(fixture('debian13', 'keepalived.json')),
    )
  })
})
