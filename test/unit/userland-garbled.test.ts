// The parsers of src/parse on cut and garbled outputs of every userland (test/fixtures/userland/, see
// test/unit/userland.test.ts): they throw, and never read a cut text as "absent" or as a wrong value.
import {describe, expect, it} from 'vitest'
import {findAddress, parseIpAddrJson, parseIpOneline, type IpAddrShow} from '../../src/parse/ipaddr.js'
import {parseIpvsadm} from '../../src/parse/ipvsadm.js'
import {keepalivedFeatures, parseKeepalivedData, parseKeepalivedJson, parseKeepalivedVersion} from '../../src/parse/keepalived.js'
import {fixture, hasFixture, USERLANDS, VIP} from '../helpers/userland.js'

// ---------------------------------------------------------------------------
// Cut or garbled input throws; it is never read as "absent" or as a wrong value.
// ---------------------------------------------------------------------------

/** Every proper prefix of `text` that does not end at a line boundary (a cut inside a line). */
function midLineCuts(text: string): string[] {
  const cuts: string[] = []
  for (let i = 1; i < text.length; i++) {
    if (text[i - 1] !== '\n' && text[i] !== '\n') cuts.push(text.slice(0, i))
  }
  return cuts
}
/** Every proper prefix of `text`. */
function allCuts(text: string): string[] {
  const cuts: string[] = []
  for (let i = 0; i < text.length; i++) cuts.push(text.slice(0, i))
  return cuts
}

function tryParse<T>(f: () => T): {ok: true; value: T} | {ok: false; error: Error} {
  try {
    return {ok: true, value: f()}
  } catch (error) {
    return {ok: false, error: error as Error}
  }
}

/** Every address and link in `part` is exactly as in `full`: a partial read never says something false. */
function expectSubsetOf(part: IpAddrShow, full: IpAddrShow): void {
  for (const link of part.links) {
    const whole = full.links.find((l) => l.ifname === link.ifname)
    expect(whole).toBeDefined()
    expect({ifname: link.ifname, up: link.up, operstate: link.operstate}).toEqual({
      ifname: whole?.ifname,
      up: whole?.up,
      operstate: whole?.operstate,
    })
    for (const a of link.addresses) expect(whole?.addresses).toContainEqual(a)
  }
}

describe.each(USERLANDS.map((u) => u.name))('cut and garbled input (%s)', (name) => {
  it('ip -o: a cut inside a line throws or reads only whole facts; a cut inside the VIP line throws', () => {
    const text = fixture(name, 'ip-o.txt')
    const full = parseIpOneline(text)
    for (const cut of midLineCuts(text)) {
      const r = tryParse(() => parseIpOneline(cut))
      if (r.ok) expectSubsetOf(r.value, full)
    }
    const vipLine = text.split('\n').find((l) => l.includes(` ${VIP}/32 `)) as string
    const before = text.slice(0, text.indexOf(vipLine))
    const valid = vipLine.indexOf('valid_lft') + 'valid_lft '.length
    for (let i = 1; i <= valid; i++) {
      expect(() => parseIpOneline(before + vipLine.slice(0, i)), vipLine.slice(0, i)).toThrow()
    }
  })

  it('ip -o: garbled text, an error message, an empty text or a missing link half throws', () => {
    const text = fixture(name, 'ip-o.txt')
    expect(() => parseIpOneline('')).toThrow(/empty/)
    expect(() => parseIpOneline('Cannot open netlink socket: Address family not supported by protocol\n')).toThrow(/unrecognised line/)
    expect(() => parseIpOneline('Device "eth9" does not exist.\n')).toThrow(/unrecognised line/)
    const addrOnly = text
      .split('\n')
      .filter((l) => /^\d+: \S+\s{2,}inet/.test(l))
      .join('\n')
    expect(() => parseIpOneline(addrOnly)).toThrow(/no such link/)
    const linkTwice = text
      .split('\n')
      .filter((l) => l.includes('link/'))
      .join('\n')
    expect(() => parseIpOneline(`${linkTwice}\n${linkTwice}`)).toThrow(/listed twice/)
    expect(() => parseIpOneline(text.replace(/\\/g, ' '))).toThrow(/truncated/)
    expect(() => parseIpOneline(text.replace(`${VIP}/32`, VIP))).toThrow(/without \/prefix/)
    expect(() => parseIpOneline(text.replace(`${VIP}/32`, `${VIP}/33`))).toThrow(/bad inet address/)
  })

  it('keepalived.data (strict): any cut throws or reads exactly what the whole dump says', () => {
    for (const file of ['keepalived.data', 'keepalived-backup.data']) {
      const text = fixture(name, file)
      const full = parseKeepalivedData(text, {strict: true})
      let threw = 0
      for (const cut of allCuts(text)) {
        const r = tryParse(() => parseKeepalivedData(cut, {strict: true}))
        if (r.ok) expect(r.value, `${file} cut at ${cut.length}`).toEqual(full)
        else threw++
      }
      expect(threw).toBeGreaterThan(0)
      // a cut inside the VI_1 block (before its "Advert interval") always throws
      const inBlock = text.slice(0, text.indexOf('   Advert interval'))
      expect(() => parseKeepalivedData(inBlock, {strict: true})).toThrow(/cut short/)
    }
  })

  it('keepalived --help: a cut anywhere throws', () => {
    const text = fixture(name, 'keepalived-help.txt')
    const full = keepalivedFeatures(text)
    for (const cut of allCuts(text)) {
      const r = tryParse(() => keepalivedFeatures(cut))
      if (r.ok) expect(r.value).toEqual(full)
    }
    expect(() => keepalivedFeatures(text.slice(0, text.lastIndexOf('  -h, --help')))).toThrow(/cut short/)
  })

  it('keepalived --version: a cut throws or still names the same version', () => {
    const text = fixture(name, 'keepalived-version.txt')
    const full = parseKeepalivedVersion(text)
    for (const cut of allCuts(text)) {
      const r = tryParse(() => parseKeepalivedVersion(cut))
      if (r.ok) expect([r.value.major, r.value.minor, r.value.patch]).toEqual([full.major, full.minor, full.patch])
    }
  })

  it('ipvsadm -Ln: a cut inside a real-server line throws or reads only whole entries', () => {
    const text = fixture(name, 'ipvsadm-Ln.txt')
    const [full] = parseIpvsadm(text)
    // Not covered: a text that ENDS inside the service line ("TCP  172.20.1.100:80 r") reads scheduler
    // "r" — src/parse/ipvsadm.ts does not check scheduler names (see the report to the lead).
    const afterService = text.indexOf('\n', text.indexOf('TCP  ')) + 1
    for (const cut of midLineCuts(text).filter((c) => c.length > afterService)) {
      const r = tryParse(() => parseIpvsadm(cut))
      if (!r.ok) continue
      for (const svc of r.value) {
        expect(svc).toMatchObject({protocol: full?.protocol, address: full?.address, port: full?.port, scheduler: full?.scheduler})
        for (const rs of svc.realServers) expect(full?.realServers).toContainEqual(rs)
      }
    }
  })

  if (hasFixture(name, 'keepalived.json'))
    it('keepalived.json: a cut throws', () => {
      const text = fixture(name, 'keepalived.json').trimEnd()
      for (const cut of allCuts(text)) expect(() => parseKeepalivedJson(cut)).toThrow()
    })
})

describe('garbled keepalived input', () => {
  it('keepalived.data: not a dump, or a 2.x dump cut before its Interfaces section, throws', () => {
    expect(() => parseKeepalivedData('', {strict: true})).toThrow(/empty/)
    expect(() => parseKeepalivedData('cat: /tmp/keepalived.data: No such file or directory\n', {strict: true})).toThrow(
      /not a keepalived\.data dump/,
    )
    const dump = fixture('debian13', 'keepalived.data')
    const noTopology = dump.slice(0, dump.indexOf('------< VRRP Topology >------'))
    expect(() => parseKeepalivedData(noTopology, {strict: true})).toThrow(/no "VRRP Topology" section/)
    // lenient mode reads the same text as "no instances": callers wanting certainty pass strict
    expect(parseKeepalivedData(noTopology)).toEqual([])
    const noInterfaces = dump.slice(0, dump.indexOf('------< Interfaces >------'))
    expect(() => parseKeepalivedData(noInterfaces, {strict: true})).toThrow(/Interfaces/)
  })

  it('keepalived --version / --help: empty (stdout without stderr), other output, truncated banner', () => {
    expect(() => parseKeepalivedVersion('')).toThrow(/stderr/)
    expect(() => parseKeepalivedVersion('bash: keepalived: command not found\n')).toThrow(/unrecognised/)
    expect(() => parseKeepalivedVersion('Keepalived v2.2')).toThrow(/unrecognised/)
    expect(() => keepalivedFeatures('')).toThrow(/stderr/)
    expect(() => keepalivedFeatures("keepalived: unrecognized option '--help'\n")).toThrow(/not keepalived --help/)
    // 1.3.5's answer to an option it does not know (getopt on stderr, then exit 0)
    expect(() => keepalivedFeatures("keepalived: unrecognized option '--signum=JSON'\n")).toThrow(/not keepalived --help/)
  })
})

describe('parseIpOneline: layouts beyond the fixtures', () => {
  // A real server: the VIP on lo as lo:1 (`ip addr add VIP/32 dev lo label lo:1`), a link that is down and
  // has no address, a point-to-point address, flags and iproute2 >= 6.x `proto` words, CRLF line ends.
  const text = [
    '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
    '2: dummy0: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether 9a:1c:3e:00:00:01 brd ff:ff:ff:ff:ff:ff',
    '3: tun0@NONE: <POINTOPOINT,NOARP,UP,LOWER_UP> mtu 1480 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/ipip 0.0.0.0 brd 0.0.0.0',
    '9: eth0@if10: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default \\    link/ether 02:42:ac:14:01:0a brd ff:ff:ff:ff:ff:ff link-netnsid 0',
    '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
    '1: lo    inet 172.20.1.100/32 scope global proto keepalived lo:1\\       valid_lft forever preferred_lft forever',
    '1: lo    inet6 ::1/128 scope host proto kernel_lo \\       valid_lft forever preferred_lft forever',
    '3: tun0    inet 10.9.0.1 peer 10.9.0.2/32 scope global tun0\\       valid_lft forever preferred_lft forever',
    '9: eth0    inet 172.20.1.10/16 brd 172.20.255.255 scope global dynamic noprefixroute eth0\\       valid_lft 86000sec preferred_lft 86000sec',
    '9: eth0    inet 172.20.1.50/16 brd 172.20.255.255 scope global secondary eth0:9\\       valid_lft forever preferred_lft forever',
    '',
  ].join('\r\n')

  it('reads labels, down links, links without addresses, peers and flags', () => {
    const ip = parseIpOneline(text)
    expect(ip.links.map((l) => [l.ifname, l.up, l.operstate, l.addresses.length])).toEqual([
      ['lo', true, 'UNKNOWN', 3],
      ['dummy0', false, 'DOWN', 0],
      ['tun0', true, 'UNKNOWN', 1],
      ['eth0', true, 'UP', 2],
    ])
    expect(findAddress(ip, '172.20.1.100/32')).toEqual({
      ifname: 'lo',
      family: 'inet',
      address: '172.20.1.100',
      prefixlen: 32,
      label: 'lo:1',
    })
    expect(findAddress(ip, '10.9.0.1')).toEqual({ifname: 'tun0', family: 'inet', address: '10.9.0.1', prefixlen: 32, label: 'tun0'})
    expect(findAddress(ip, '172.20.1.10')).toMatchObject({prefixlen: 16, label: 'eth0'})
    expect(findAddress(ip, '172.20.1.50')).toMatchObject({prefixlen: 16, label: 'eth0:9'})
    expect(findAddress(ip, '::1')).toEqual({ifname: 'lo', family: 'inet6', address: '::1', prefixlen: 128})
  })

  it('matches parseIpAddrJson on the same node (Debian 12 recording)', () => {
    // `ip -j addr show` on the Debian 12 master, abridged to the fields the shape keeps
    const json = JSON.stringify([
      {
        ifname: 'lo',
        flags: ['LOOPBACK', 'UP', 'LOWER_UP'],
        operstate: 'UNKNOWN',
        addr_info: [
          {family: 'inet', local: '127.0.0.1', prefixlen: 8, label: 'lo'},
          {family: 'inet6', local: '::1', prefixlen: 128},
        ],
      },
      {
        ifname: 'eth0',
        flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
        operstate: 'UP',
        addr_info: [
          {family: 'inet', local: '172.20.1.1', prefixlen: 16, label: 'eth0'},
          {family: 'inet', local: '172.20.1.100', prefixlen: 32, label: 'eth0:1'},
          {family: 'inet6', local: 'fe80::42:acff:fe14:101', prefixlen: 64},
        ],
      },
    ])
    expect(parseIpOneline(fixture('debian12', 'ip-o.txt'))).toEqual(parseIpAddrJson(json))
  })
})
