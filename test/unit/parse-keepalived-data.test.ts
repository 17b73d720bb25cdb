import {describe, it, expect} from 'vitest'
import {parseKeepalivedData} from '../../src/parse/keepalived.js'

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
        // the MASTER this BACKUP hears
        masterRouter: '172.20.1.1',
        masterPriority: 150,
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
