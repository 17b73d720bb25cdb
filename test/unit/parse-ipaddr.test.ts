import {describe, it, expect} from 'vitest'
import {parseIpAddrJson, findAddress} from '../../src/parse/ipaddr.js'

// ---------------------------------------------------------------------------
// ip -j addr show (iproute2 6.1), compact one-line JSON as ip prints it.
// ---------------------------------------------------------------------------

const LO_BASE =
  '{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,"qdisc":"noqueue","operstate":"UNKNOWN","group":"default","txqlen":1000,"link_type":"loopback","address":"00:00:00:00:00:00","broadcast":"00:00:00:00:00:00","addr_info":[' +
  '{"family":"inet","local":"127.0.0.1","prefixlen":8,"scope":"host","label":"lo","valid_life_time":4294967295,"preferred_life_time":4294967295}'
const LO_V6 =
  '{"family":"inet6","local":"::1","prefixlen":128,"scope":"host","valid_life_time":4294967295,"preferred_life_time":4294967295}'
const TUNL0 =
  '{"ifindex":2,"ifname":"tunl0","link":null,"flags":["NOARP"],"mtu":1480,"qdisc":"noop","operstate":"DOWN","group":"default","txqlen":1000,"link_type":"ipip","address":"0.0.0.0","broadcast":"0.0.0.0","addr_info":[]}'

// Director container: eth0 172.20.1.1/16 plus the VIP keepalived added with label eth0:1.
const DIRECTOR_IP_J =
  '[' +
  LO_BASE +
  ',' +
  LO_V6 +
  ']},' +
  TUNL0 +
  ',' +
  '{"ifindex":42,"ifname":"eth0","link_index":43,"flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","group":"default","link_type":"ether","address":"02:42:ac:14:01:01","broadcast":"ff:ff:ff:ff:ff:ff","link_netnsid":0,"addr_info":[' +
  '{"family":"inet","local":"172.20.1.1","prefixlen":16,"broadcast":"172.20.255.255","scope":"global","label":"eth0","valid_life_time":4294967295,"preferred_life_time":4294967295},' +
  '{"family":"inet","local":"172.20.1.100","prefixlen":32,"scope":"global","label":"eth0:1","valid_life_time":4294967295,"preferred_life_time":4294967295}]}' +
  ']\n'

// Real server container: the VIP sits on lo with label lo:1 (LVS-DR).
const REALSERVER_IP_J =
  '[' +
  LO_BASE +
  ',' +
  '{"family":"inet","local":"172.20.1.100","prefixlen":32,"scope":"global","label":"lo:1","valid_life_time":4294967295,"preferred_life_time":4294967295},' +
  LO_V6 +
  ']},' +
  '{"ifindex":44,"ifname":"eth0","link_index":45,"flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","group":"default","link_type":"ether","address":"02:42:ac:14:01:0a","broadcast":"ff:ff:ff:ff:ff:ff","link_netnsid":0,"addr_info":[' +
  '{"family":"inet","local":"172.20.1.10","prefixlen":16,"broadcast":"172.20.255.255","scope":"global","label":"eth0","valid_life_time":4294967295,"preferred_life_time":4294967295}]}' +
  ']\n'

describe('parseIpAddrJson', () => {
  it('parses the director: eth0 primary address and the eth0:1 VIP', () => {
    const parsed = parseIpAddrJson(DIRECTOR_IP_J)
    expect(parsed.links.map((l) => l.ifname)).toEqual(['lo', 'tunl0', 'eth0'])

    const lo = parsed.links[0]
    expect(lo).toMatchObject({ifname: 'lo', operstate: 'UNKNOWN', up: true})
    expect(lo?.addresses).toEqual([
      {ifname: 'lo', family: 'inet', address: '127.0.0.1', prefixlen: 8, label: 'lo'},
      {ifname: 'lo', family: 'inet6', address: '::1', prefixlen: 128},
    ])

    expect(parsed.links[1]).toEqual({ifname: 'tunl0', operstate: 'DOWN', up: false, addresses: []})

    const eth0 = parsed.links[2]
    expect(eth0).toMatchObject({ifname: 'eth0', operstate: 'UP', up: true})
    expect(eth0?.addresses).toEqual([
      {ifname: 'eth0', family: 'inet', address: '172.20.1.1', prefixlen: 16, label: 'eth0'},
      {ifname: 'eth0', family: 'inet', address: '172.20.1.100', prefixlen: 32, label: 'eth0:1'},
    ])

    expect(findAddress(parsed, '172.20.1.100')).toEqual({
      ifname: 'eth0',
      family: 'inet',
      address: '172.20.1.100',
      prefixlen: 32,
      label: 'eth0:1',
    })
    expect(findAddress(parsed, '172.20.1.100/32')?.label).toBe('eth0:1')
    expect(findAddress(parsed, '172.20.1.100/16')).toBeUndefined()
    expect(findAddress(parsed, '172.20.1.1')?.label).toBe('eth0')
    expect(findAddress(parsed, '172.20.1.10')).toBeUndefined()
  })

  it('parses the real server: VIP on lo with label lo:1', () => {
    const parsed = parseIpAddrJson(REALSERVER_IP_J)
    const vip = findAddress(parsed, '172.20.1.100')
    expect(vip).toEqual({
      ifname: 'lo',
      family: 'inet',
      address: '172.20.1.100',
      prefixlen: 32,
      label: 'lo:1',
    })
    expect(findAddress(parsed, '127.0.0.1')?.ifname).toBe('lo')
    expect(findAddress(parsed, '172.20.1.10')).toMatchObject({ifname: 'eth0', prefixlen: 16})
    expect(findAddress(parsed, '::1')).toMatchObject({family: 'inet6', ifname: 'lo'})
  })

  it('accepts pretty-printed output (ip -j -p) and skips {} placeholders', () => {
    const pretty = JSON.stringify([{}, ...(JSON.parse(REALSERVER_IP_J) as unknown[])], null, 4)
    const parsed = parseIpAddrJson(pretty)
    expect(parsed.links.map((l) => l.ifname)).toEqual(['lo', 'eth0'])
  })

  it('treats a link without the UP flag as down', () => {
    const text =
      '[{"ifindex":44,"ifname":"eth0","link_index":45,"flags":["BROADCAST","MULTICAST"],"mtu":1500,"qdisc":"noqueue","operstate":"DOWN","group":"default","link_type":"ether","address":"02:42:ac:14:01:0a","broadcast":"ff:ff:ff:ff:ff:ff","link_netnsid":0,"addr_info":[]}]'
    expect(parseIpAddrJson(text).links[0]).toEqual({
      ifname: 'eth0',
      operstate: 'DOWN',
      up: false,
      addresses: [],
    })
  })

  it('throws a clear error on non-JSON', () => {
    expect(() => parseIpAddrJson('Device "eth9" does not exist.\n')).toThrow(/ip -j addr show: output is not JSON/)
    expect(() => parseIpAddrJson('')).toThrow(/empty output/)
    expect(() => parseIpAddrJson('{"ifname":"lo"}')).toThrow(/expected a JSON array/)
  })
})
