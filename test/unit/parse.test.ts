import {describe, it, expect} from 'vitest'
import {parseIpvsadm} from '../../src/parse/ipvsadm.js'
import {parseIpAddrJson, findAddress} from '../../src/parse/ipaddr.js'
import {parseKeepalivedData, parseKeepalivedJson, parseKeepalivedVersion} from '../../src/parse/keepalived.js'

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

// ---------------------------------------------------------------------------
// keepalived
// ---------------------------------------------------------------------------

// /tmp/keepalived.data after `kill -USR1` (keepalived 2.2.7 layout, abridged global
// section). Note the Interfaces and VRRP Scripts sections also contain "State =" lines.
const KEEPALIVED_DATA_MASTER = `------< Global definitions >------
 Network namespace = (default)
 Network namespace ipvs = (main namespace)
 Router ID = lvs1
 Default smtp_alert = unset
 Default smtp_alert_vrrp = unset
 Default smtp_alert_checker = unset
 Checkers log all failures = false
 Dynamic interfaces = false
 Default interface = eth0
 LVS flush = false
 LVS flush on stop = disabled
 VRRP notify priority changes = false
 VRRP IPv4 mcast group = 224.0.0.18
 VRRP IPv6 mcast group = ff02::12
 Gratuitous ARP delay = 5
 Gratuitous ARP repeat = 5
 Gratuitous ARP refresh timer = 0
 Gratuitous ARP refresh repeat = 1
 VRRP default protocol version = 2
 VRRP check unicast_src = false
 VRRP skip check advert addresses = false
 VRRP strict mode = false
 VRRP process priority = 0
 VRRP don't swap = false
 Script security disabled
 Default script uid:gid 0:0
------< VRRP Topology >------
 VRRP Instance = VI_1
   VRRP Version = 2
   State = MASTER
   Wantstate = MASTER
   Number of interface and track script faults = 0
   Number of track scripts init = 0
   Last transition = 1700000000.123456 (Tue Nov 14 22:13:20.123456 2023)
   Read timeout = 1700000123.456789 (Tue Nov 14 22:15:23.456789)
   Master down timer = 3609375 usecs
   Interface = eth0
   Using src_ip = 172.20.1.1
   Gratuitous ARP delay = 5
   Gratuitous ARP repeat = 5
   Gratuitous ARP refresh = 0
   Gratuitous ARP refresh repeat = 1
   Gratuitous ARP lower priority delay = 5
   Gratuitous ARP lower priority repeat = 5
   Send advert after receive lower priority advert = true
   Send advert after receive higher priority advert = false
   Virtual Router ID = 51
   Priority = 150
   Effective priority = 150
   Total priority = 150
   Advert interval = 1 sec
   Accept = enabled
   Preempt = enabled
   Promote_secondaries = disabled
   Authentication type = SIMPLE_PASSWORD
   Password = lvslab
   Virtual IP :
     172.20.1.100/32 dev eth0 scope global label eth0:1
   fd_in 11, fd_out 12
   Tracked scripts :
     chk_director weight 0
   Using smtp notification = no
   Notify deleted = Fault
   Notify priority changes = false
------< VRRP Sockpool >------
 fd_in 11 fd_out = 12
   Interface = eth0
   Family = IPv4
   Protocol = VRRP
   Type = Multicast
   Rx buf size = 106496
   VRRP instances
     VI_1 vrid 51
------< VRRP Scripts >------
 VRRP Script = chk_director
   Command = /usr/local/bin/chk_director
   Interval = 2 sec
   Timeout = 0 sec
   Weight = 0
   Rise = 1
   Fall = 1
   Insecure = no
   Status = GOOD
   Script uid:gid = 0:0
   VRRP instances :
     VI_1, weight 0
   State = idle
------< Interfaces >------
 Name = lo
   index = 1
   IPv4 address = 127.0.0.1
   IPv6 address = ::1
   State = UP, RUNNING
   MTU = 65536
   HW Type = LOOPBACK
 Name = eth0
   index = 42
   IPv4 address = 172.20.1.1
   IPv6 address = (none)
   MAC = 02:42:ac:14:01:01
   MAC broadcast = ff:ff:ff:ff:ff:ff
   State = UP, RUNNING
   MTU = 1500
   HW Type = ETHERNET
   NIC netlink status update
   Tracking VRRP instances :
     VI_1, weight 0
`

const KEEPALIVED_DATA_BACKUP = `------< Global definitions >------
 Network namespace = (default)
 Router ID = lvs2
------< VRRP Topology >------
 VRRP Instance = VI_1
   VRRP Version = 2
   State = BACKUP
   Master router = 172.20.1.1
   Master priority = 150
   Wantstate = BACKUP
   Number of interface and track script faults = 0
   Number of track scripts init = 0
   Last transition = 1700000001.000001 (Tue Nov 14 22:13:21.000001 2023)
   Interface = eth0
   Virtual Router ID = 51
   Priority = 100
   Effective priority = 90
   Total priority = 90
   Advert interval = 1 sec
 VRRP Instance = VI_2
   VRRP Version = 3
   State = FAULT
   Wantstate = BACKUP
   Number of interface and track script faults = 1
   Interface = vrrp.52, vmac on eth1, xmit base i/f
   Virtual Router ID = 52
   Priority = 100
   Effective priority = 100
------< Interfaces >------
 Name = eth0
   index = 44
   State = UP, RUNNING
`

// keepalived 1.3.5 layout (CentOS 7 era): states via vrrp_print.c, "Listening device",
// and tracked scripts printed inline inside the topology section.
const KEEPALIVED_DATA_135 = `------< VRRP Topology >------
 VRRP Instance = VI_1
 VRRP Version = 2
   State = MASTER
   Last transition = 1698874220 (Thu Nov  2 00:30:20 2023)
   Listening device = ens192
   Using src_ip = 10.72.63.101
   Virtual Router ID = 100
   Priority = 110
   Advert interval = 1 sec
   Tracked scripts = 1
 VRRP Script = chk_nginx_service
   Command = /usr/sbin/pidof nginx
   Interval = 2 sec
   Weight = -10
   Status = GOOD
   Interface weight -10
   Virtual IP = 1
     10.72.63.100/32 dev ens192 scope global
 VRRP Instance = VI_2
 VRRP Version = 2
   State = 0
   Listening device = ens224
   Virtual Router ID = 101
   Priority = 90
`

describe('parseKeepalivedData', () => {
  it('reads the VRRP Topology section of a 2.2.x dump (MASTER)', () => {
    expect(parseKeepalivedData(KEEPALIVED_DATA_MASTER)).toEqual([
      {
        instance: 'VI_1',
        state: 'MASTER',
        priority: 150,
        effectivePriority: 150,
        interface: 'eth0',
        virtualRouterId: 51,
      },
    ])
  })

  it('reads several instances, BACKUP/FAULT states and VMAC interface names', () => {
    expect(parseKeepalivedData(KEEPALIVED_DATA_BACKUP)).toEqual([
      {
        instance: 'VI_1',
        state: 'BACKUP',
        priority: 100,
        effectivePriority: 90,
        interface: 'eth0',
        virtualRouterId: 51,
      },
      {
        instance: 'VI_2',
        state: 'FAULT',
        priority: 100,
        effectivePriority: 100,
        interface: 'vrrp.52',
        virtualRouterId: 52,
      },
    ])
  })

  it('reads the keepalived 1.3.x layout', () => {
    expect(parseKeepalivedData(KEEPALIVED_DATA_135)).toEqual([
      {instance: 'VI_1', state: 'MASTER', priority: 110, interface: 'ens192', virtualRouterId: 100},
      {instance: 'VI_2', state: 'INIT', priority: 90, interface: 'ens224', virtualRouterId: 101},
    ])
  })

  it('maps unknown and missing states to UNKNOWN, and STOP', () => {
    const text = `------< VRRP Topology >------
 VRRP Instance = A
   State = unknown
 VRRP Instance = B
   Wantstate = BACKUP
 VRRP Instance = C
   State = 98
`
    expect(parseKeepalivedData(text).map((i) => i.state)).toEqual(['UNKNOWN', 'UNKNOWN', 'STOP'])
  })

  it('returns [] for a dump without VRRP instances', () => {
    expect(parseKeepalivedData('------< Global definitions >------\n Router ID = lvs1\n')).toEqual([])
  })

  it('throws on text that is not a keepalived dump', () => {
    expect(() => parseKeepalivedData('')).toThrow(/empty/)
    expect(() => parseKeepalivedData('cat: /tmp/keepalived.data: No such file or directory\n')).toThrow(/not a keepalived\.data dump/)
  })
})

// /tmp/keepalived.json, pretty-printed as `python3 -m json.tool` would show it
// (keepalived 2.2.x vrrp_json.c field order, abridged stats).
const KEEPALIVED_JSON = `[
    {
        "data": {
            "iname": "VI_1",
            "dont_track_primary": 0,
            "skip_check_adv_addr": 0,
            "strict_mode": 0,
            "vmac_ifname": "",
            "ifp_ifname": "eth0",
            "master_priority": 0,
            "last_transition": 1700000000.123456,
            "garp_delay": 5,
            "garp_refresh": 0,
            "garp_rep": 5,
            "garp_refresh_rep": 1,
            "garp_lower_prio_delay": 5,
            "garp_lower_prio_rep": 5,
            "lower_prio_no_advert": 0,
            "higher_prio_send_advert": 0,
            "vrid": 51,
            "base_priority": 150,
            "effective_priority": 150,
            "vipset": true,
            "promote_secondaries": false,
            "adver_int": 1,
            "master_adver_int": 1,
            "accept": 1,
            "nopreempt": false,
            "preempt_delay": 0,
            "state": 2,
            "wantstate": 2,
            "version": 2,
            "smtp_alert": false,
            "notify_deleted": false,
            "vips": [
                "172.20.1.100 dev eth0 scope global label eth0:1 set"
            ],
            "auth_type": 1,
            "auth_data": "lvslab"
        },
        "stats": {
            "advert_rcvd": 0,
            "advert_sent": 1234,
            "become_master": 1,
            "release_master": 0,
            "packet_len_err": 0,
            "pri_zero_rcvd": 0,
            "pri_zero_sent": 0
        }
    },
    {
        "data": {
            "iname": "VI_2",
            "ifp_ifname": "eth1",
            "master_priority": 200,
            "vrid": 52,
            "base_priority": 100,
            "effective_priority": 80,
            "state": 1,
            "wantstate": 1,
            "version": 3
        },
        "stats": {
            "advert_rcvd": 99,
            "advert_sent": 0
        }
    }
]
`

describe('parseKeepalivedJson', () => {
  it('parses the 2.2.x array layout', () => {
    expect(parseKeepalivedJson(KEEPALIVED_JSON)).toEqual([
      {
        instance: 'VI_1',
        state: 'MASTER',
        priority: 150,
        effectivePriority: 150,
        interface: 'eth0',
        virtualRouterId: 51,
      },
      {
        instance: 'VI_2',
        state: 'BACKUP',
        priority: 100,
        effectivePriority: 80,
        interface: 'eth1',
        virtualRouterId: 52,
      },
    ])
  })

  it('maps numeric states 0/3/98 and unknown numbers', () => {
    const mk = (state: number): string => JSON.stringify([{data: {iname: 'X', state, vrid: 1}, stats: {}}])
    expect(parseKeepalivedJson(mk(0))[0]?.state).toBe('INIT')
    expect(parseKeepalivedJson(mk(3))[0]?.state).toBe('FAULT')
    expect(parseKeepalivedJson(mk(98))[0]?.state).toBe('STOP')
    expect(parseKeepalivedJson(mk(42))[0]?.state).toBe('UNKNOWN')
  })

  it('accepts the json_version 2 wrapper ({"vrrp": [...]})', () => {
    const wrapped = JSON.stringify({
      vrrp: JSON.parse(KEEPALIVED_JSON) as unknown[],
      track_process: [],
    })
    expect(parseKeepalivedJson(wrapped).map((i) => i.instance)).toEqual(['VI_1', 'VI_2'])
  })

  it('throws on non-JSON or an unexpected shape', () => {
    expect(() => parseKeepalivedJson('------< VRRP Topology >------')).toThrow(/not JSON/)
    expect(() => parseKeepalivedJson('')).toThrow(/empty/)
    expect(() => parseKeepalivedJson('{"foo": 1}')).toThrow(/expected an array/)
    expect(() => parseKeepalivedJson('[{"stats": {}}]')).toThrow(/entry 0 has no data\.iname/)
  })
})

describe('parseKeepalivedVersion', () => {
  it('parses keepalived 2.2.7 (Debian 12) --version output', () => {
    // keepalived writes this on stderr.
    const text = `Keepalived v2.2.7 (01/16,2022)

Copyright(C) 2001-2022 Alexandre Cassen, <acassen@gmail.com>

Built with kernel headers for Linux 6.1.0
Running on Linux 6.1.0-13-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)
Distro: Debian GNU/Linux 12 (bookworm)

configure options: --build=x86_64-linux-gnu --prefix=/usr --sysconfdir=/etc

Config options:  NFTABLES LVS REGEX VRRP VRRP_AUTH VRRP_VMAC JSON FIB_ROUTING

System options:  VSYSLOG MEMFD_CREATE IPV6_MULTICAST_ALL IPV4_DEVCONF LIBNL3
`
    expect(parseKeepalivedVersion(text)).toEqual({
      major: 2,
      minor: 2,
      patch: 7,
      raw: 'Keepalived v2.2.7 (01/16,2022)',
    })
  })

  it('parses versions with a git commit suffix', () => {
    expect(parseKeepalivedVersion('Keepalived v1.3.5 (03/19,2017), git commit v1.3.5-6-g6fa32f2\n')).toEqual({
      major: 1,
      minor: 3,
      patch: 5,
      raw: 'Keepalived v1.3.5 (03/19,2017), git commit v1.3.5-6-g6fa32f2',
    })
    expect(parseKeepalivedVersion('Keepalived v2.2.8 (04/04,2023), git commit v2.2.7-154-g292b299e+')).toMatchObject({
      major: 2,
      minor: 2,
      patch: 8,
    })
  })

  it('throws on unrecognised text', () => {
    expect(() => parseKeepalivedVersion('')).toThrow(/empty output/)
    expect(() => parseKeepalivedVersion('sh: 1: keepalived: not found\n')).toThrow(
      /unrecognised keepalived --version output: sh: 1: keepalived: not found/,
    )
    expect(() => parseKeepalivedVersion('Keepalived version 2\n')).toThrow(/unrecognised/)
  })
})
