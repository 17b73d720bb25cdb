import {describe, it, expect} from 'vitest'
import {parseIpvsadm} from '../../src/parse/ipvsadm.js'
import {parseIpvsConnections} from '../../src/parse/ipvs-connections.js'

// ---------------------------------------------------------------------------
// ipvsadm -Ln (ipvsadm 1.31). Lines are built with the same widths ipvsadm's
// printf uses ("  -> %-28s %-7s %-6d %-10u %-10u"), trailing spaces included.
// ---------------------------------------------------------------------------

const IPVS_HEADER = [
  'IP Virtual Server version 1.2.1 (size=4096)',
  'Prot LocalAddress:Port Scheduler Flags',
  '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
]

function rs(addr: string, fwd: string, weight: number, active: number, inact: number): string {
  return `  -> ${addr.padEnd(28)} ${fwd.padEnd(7)} ${String(weight).padEnd(6)} ${String(active).padEnd(10)} ${String(inact).padEnd(10)}`
}

describe('parseIpvsadm', () => {
  it('parses the basic LVS-DR service (as pasted, without trailing spaces)', () => {
    const text = `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  172.20.1.100:80 rr
  -> 172.20.1.10:80               Route   1      0          0
  -> 172.20.1.11:80               Route   1      0          1
`
    expect(parseIpvsadm(text)).toEqual([
      {
        protocol: 'TCP',
        address: '172.20.1.100',
        port: 80,
        scheduler: 'rr',
        flags: [],
        realServers: [
          {address: '172.20.1.10', port: 80, forward: 'Route', weight: 1, activeConn: 0, inactConn: 0},
          {address: '172.20.1.11', port: 80, forward: 'Route', weight: 1, activeConn: 0, inactConn: 1},
        ],
      },
    ])
  })

  it('parses exact printf-width output with several services, flags and an empty service', () => {
    const text =
      [
        ...IPVS_HEADER,
        'TCP  172.20.1.100:80 rr',
        rs('172.20.1.10:80', 'Route', 1, 3, 12),
        rs('172.20.1.11:80', 'Route', 0, 0, 4),
        'TCP  172.20.1.100:443 wlc persistent 50',
        rs('172.20.1.10:443', 'Route', 5, 1, 0),
        'TCP  172.20.1.101:8080 sh (sh-fallback,sh-port) persistent 300 mask 255.255.255.0',
        rs('10.0.0.5:80', 'Masq', 1, 0, 0),
        rs('10.0.0.6:80', 'Tunnel', 2, 0, 0),
        'UDP  172.20.1.100:53 lc',
        'SCTP  172.20.1.100:3868 rr ops',
        rs('127.0.0.1:3868', 'Local', 1, 0, 0),
        'TCP  [2001:db8::100]:80 rr',
        rs('[2001:db8::10]:80', 'Route', 1, 0, 0),
        'FWM  7 wrr persistent 60',
        rs('172.20.1.10:0', 'Route', 1, 0, 0),
      ].join('\n') + '\n'

    const svcs = parseIpvsadm(text)
    expect(svcs).toHaveLength(7)

    expect(svcs[0]?.realServers).toHaveLength(2)
    expect(svcs[0]?.realServers[0]).toEqual({
      address: '172.20.1.10',
      port: 80,
      forward: 'Route',
      weight: 1,
      activeConn: 3,
      inactConn: 12,
    })
    expect(svcs[0]?.realServers[1]?.weight).toBe(0)

    expect(svcs[1]).toMatchObject({
      protocol: 'TCP',
      address: '172.20.1.100',
      port: 443,
      scheduler: 'wlc',
      flags: ['persistent 50'],
      persistent: 50,
    })

    expect(svcs[2]).toMatchObject({
      scheduler: 'sh',
      flags: ['sh-fallback', 'sh-port', 'persistent 300', 'mask 255.255.255.0'],
      persistent: 300,
    })
    expect(svcs[2]?.realServers.map((r) => r.forward)).toEqual(['Masq', 'Tunnel'])

    expect(svcs[3]).toEqual({
      protocol: 'UDP',
      address: '172.20.1.100',
      port: 53,
      scheduler: 'lc',
      flags: [],
      realServers: [],
    })

    expect(svcs[4]).toMatchObject({protocol: 'SCTP', port: 3868, flags: ['ops']})
    expect(svcs[4]?.realServers[0]?.forward).toBe('Local')

    expect(svcs[5]).toMatchObject({protocol: 'TCP', address: '2001:db8::100', port: 80})
    expect(svcs[5]?.realServers[0]).toMatchObject({address: '2001:db8::10', port: 80})

    expect(svcs[6]).toMatchObject({
      protocol: 'FWM',
      fwmark: 7,
      address: '',
      port: 0,
      scheduler: 'wrr',
      flags: ['persistent 60'],
      persistent: 60,
    })
    expect(svcs[6]?.realServers[0]).toMatchObject({address: '172.20.1.10', port: 0})
  })

  it('returns [] when IPVS is loaded but has no services', () => {
    expect(parseIpvsadm(IPVS_HEADER.join('\n') + '\n')).toEqual([])
  })

  it('accepts single-service listings (ipvsadm -Ln -t VIP:PORT has no version line)', () => {
    const text = [
      'Prot LocalAddress:Port Scheduler Flags',
      '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
      'TCP  172.20.1.100:80 rr',
      rs('172.20.1.10:80', 'Route', 1, 0, 0),
    ].join('\n')
    expect(parseIpvsadm(text)).toHaveLength(1)
  })

  it('throws a clear error when IPVS is unavailable', () => {
    const text =
      "Can't initialize ipvs: Protocol not available\n" + 'Are you sure that IP Virtual Server is built in the kernel or as module?\n'
    expect(() => parseIpvsadm(text)).toThrow(/Can't initialize ipvs: Protocol not available/)
  })

  it('throws on text that is not ipvsadm output', () => {
    expect(() => parseIpvsadm('')).toThrow(/not ipvsadm -Ln output/)
    expect(() => parseIpvsadm('bash: ipvsadm: command not found\n')).toThrow(/not ipvsadm -Ln output: bash: ipvsadm: command not found/)
  })

  it('throws on unexpected lines and on non-numeric (no -n) output', () => {
    expect(() => parseIpvsadm([...IPVS_HEADER, 'garbage here'].join('\n'))).toThrow(/unrecognised line: garbage here/)
    expect(() => parseIpvsadm([...IPVS_HEADER, 'TCP  lvs-vip:http rr'].join('\n'))).toThrow(/run ipvsadm with -n/)
    expect(() => parseIpvsadm([...IPVS_HEADER, rs('172.20.1.10:80', 'Route', 1, 0, 0)].join('\n'))).toThrow(/before any service/)
  })
})

describe('parseIpvsConnections (ipvsadm -Lnc)', () => {
  const HEAD = ['IPVS connection entries', 'pro expire state       source             virtual            destination']

  it('reads each entry: protocol, seconds left, state, client, virtual, real server', () => {
    const text = [
      ...HEAD,
      'TCP 01:08  FIN_WAIT    172.20.255.254:37672 172.20.1.100:80    172.20.1.10:80',
      'TCP 14:33  ESTABLISHED 172.20.255.254:48488 172.20.1.100:80    172.20.1.11:80',
      'TCP 00:59  SYN_RECV    [2001:db8::5]:40000 [2001:db8::64]:80  [2001:db8::a]:80',
    ].join('\n')
    expect(parseIpvsConnections(text)).toEqual([
      {
        protocol: 'TCP',
        expiresS: 68,
        state: 'FIN_WAIT',
        client: '172.20.255.254:37672',
        virtual: '172.20.1.100:80',
        realServer: '172.20.1.10:80',
      },
      {
        protocol: 'TCP',
        expiresS: 873,
        state: 'ESTABLISHED',
        client: '172.20.255.254:48488',
        virtual: '172.20.1.100:80',
        realServer: '172.20.1.11:80',
      },
      {
        protocol: 'TCP',
        expiresS: 59,
        state: 'SYN_RECV',
        client: '[2001:db8::5]:40000',
        virtual: '[2001:db8::64]:80',
        realServer: '[2001:db8::a]:80',
      },
    ])
  })

  it('an empty table is the two title lines', () => {
    expect(parseIpvsConnections(`${HEAD.join('\n')}\n`)).toEqual([])
  })

  it('refuses what is not that listing, and a line it cannot read', () => {
    expect(() => parseIpvsConnections('')).toThrow('not ipvsadm -Lnc output: (empty)')
    expect(() => parseIpvsConnections("Can't initialize ipvs: Protocol not available")).toThrow(
      /^not ipvsadm -Lnc output: Can't initialize/,
    )
    expect(() => parseIpvsConnections([...HEAD, 'TCP 01:08  FIN_WAIT    client:http lvs-vip:http rs1:http'].join('\n'))).toThrow(
      /cannot read the line: TCP 01:08/,
    )
  })
})
