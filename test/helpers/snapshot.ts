// Hand-made facts of the classic lab's nodes, for the tests that judge snapshots (state, verify):
// a BACKUP director with the full IPVS table, a real server serving its page with the VIP on lo:1.
import type {IpvsService} from '../../src/parse/ipvsadm.js'
import type {DirectorFacts, RealServerFacts} from '../../src/state/snapshot.js'

/** The classic real servers' addresses. */
export const RS1 = '172.20.1.10'
export const RS2 = '172.20.1.11'

/** A director's IPVS table: the classic VIP's service (172.20.1.100:80 TCP) with these real servers. */
export const svc = (servers: string[], scheduler = 'rr', forward = 'Route'): IpvsService[] => [
  {
    protocol: 'TCP' as const,
    address: '172.20.1.100',
    port: 80,
    scheduler,
    flags: [],
    realServers: servers.map((s) => ({address: s, port: 80, forward, weight: 1, activeConn: 0, inactConn: 0})),
  },
]

/** A running BACKUP director of the classic lab, keepalived up, eth0 up, no VIP, the full table; `over` changes any fact. */
export const director = (name: string, over: Partial<DirectorFacts> = {}): DirectorFacts => ({
  name,
  container: `classic-${name}`,
  running: true,
  keepalivedPid: 10,
  vrrpState: 'BACKUP',
  holdsVip: false,
  eth0Up: true,
  ipvs: svc([RS1, RS2]),
  unreadable: [],
  ...over,
})

/** A running real server of the classic lab serving "from <ip>", the VIP on lo:1 as /32; `over` changes any fact. */
export const rs = (name: string, ip: string, over: Partial<RealServerFacts> = {}): RealServerFacts => ({
  name,
  container: `classic-${name}`,
  running: true,
  httpd: true,
  page: `from ${ip}`,
  vipOnLo: true,
  vipPrefix: 32,
  vipLabel: 'lo:1',
  sysctls: {},
  unreadable: [],
  ...over,
})
