// One simulated lab node: what a container of the lab image holds (files, links, addresses, sysctls,
// the keepalived and httpd services) and, on a director, what its keepalived has made of it (VRRP
// state, the VIP, the IPVS table). The model (model.ts) moves these; the commands (commands.ts) read
// and change them as the real tools would.
import type {ContainerSpec} from '../../../src/runtime/types.js'

/** A VRRP state keepalived reports for its instance. */
export type SimVrrpState = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT'

/** A real server of the virtual_server block, with its HTTP_GET check's path. */
export interface ConfRealServer {
  ip: string
  port: number
  weight: number
}

/** What the simulation reads of a keepalived.conf rendered by lvslab (templates/keepalived.conf.hbs). */
export interface KeepalivedConf {
  routerId: string
  instance: string
  /** The configured initial state (`state MASTER|BACKUP`). */
  state: 'MASTER' | 'BACKUP'
  vrid: number
  priority: number
  advertInt: number
  /** `nopreempt`: a MASTER keeps the VIP even when a higher priority comes back (keepalived.conf(5)). */
  nopreempt: boolean
  vip: string
  vipLabel: string
  service: {
    address: string
    port: number
    protocol: string
    scheduler: string
    method: string
    path: string
    /** HTTP_GET's connect_timeout (ms): a check slower than this fails (keepalived.conf(5)). */
    connectTimeoutMs: number
    realServers: ConfRealServer[]
  }
}

/**
 * Reads the parts of a keepalived.conf the simulation needs, as keepalived would read them.
 * @throws Error in the words of `keepalived -t` when a part is missing (e.g. an empty or foreign file)
 */
export function parseKeepalivedConf(text: string): KeepalivedConf {
  const get = (re: RegExp, what: string): string => {
    const m = re.exec(text)
    if (!m?.[1]) throw new Error(`(${what}) Configuration error: no ${what} found in /etc/keepalived/keepalived.conf`)
    return m[1]
  }
  const vip = /^\s+(\d+\.\d+\.\d+\.\d+)\/32 dev eth0 label (\S+)\s*$/m.exec(text)
  if (!vip?.[1] || !vip[2]) throw new Error('(VI) Configuration error: no virtual_ipaddress found in /etc/keepalived/keepalived.conf')
  const vs = /^virtual_server (\S+) (\d+) \{/m.exec(text)
  if (!vs?.[1] || !vs[2]) throw new Error('Configuration error: no virtual_server found in /etc/keepalived/keepalived.conf')
  const realServers: ConfRealServer[] = []
  for (const m of text.matchAll(/^\s+real_server (\S+) (\d+) \{\s*\n\s+weight (\d+)/gm))
    realServers.push({ip: m[1]!, port: Number(m[2]), weight: Number(m[3])})
  return {
    routerId: get(/^\s+router_id (\S+)/m, 'router_id'),
    instance: get(/^vrrp_instance (\S+) \{/m, 'vrrp_instance'),
    state: get(/^\s+state (MASTER|BACKUP)\s*$/m, 'state') as 'MASTER' | 'BACKUP',
    vrid: Number(get(/^\s+virtual_router_id (\d+)/m, 'virtual_router_id')),
    priority: Number(get(/^\s+priority (\d+)/m, 'priority')),
    advertInt: Number(get(/^\s+advert_int (\d+(?:\.\d+)?)/m, 'advert_int')),
    nopreempt: /^\s+nopreempt\s*$/m.test(text),
    vip: vip[1],
    vipLabel: vip[2],
    service: {
      address: vs[1],
      port: Number(vs[2]),
      protocol: get(/^\s+protocol (\S+)/m, 'protocol'),
      scheduler: get(/^\s+(?:lvs_sched|lb_algo) (\S+)/m, 'lvs_sched'),
      method: get(/^\s+(?:lvs_method|lb_kind) (\S+)/m, 'lvs_method'),
      path: get(/^\s+path (\S+)/m, 'path'),
      connectTimeoutMs: Number(get(/^\s+connect_timeout (\d+(?:\.\d+)?)/m, 'connect_timeout')) * 1000,
      realServers,
    },
  }
}

let nextPid = 100

/** A new process id, as the container's kernel would hand it out (never reused in one test run). */
export function newPid(): number {
  return ++nextPid
}

/** The simulated inside of one container. */
export class NodeState {
  /** Files by absolute path (putFile and what the image ships that lvslab reads). */
  readonly files = new Map<string, string>()
  eth0Up = true
  /** tc drops its VRRP adverts on eth0 (the partition drill): its peers stop hearing it. */
  vrrpDropped = false
  /** tc netem on eth0 (the netem drill): every packet delayed so long (ms), and so many (%) lost. */
  netem?: {delayMs: number; lossPercent: number}
  /** The pids of the running services (absent: not running). */
  readonly pids: {keepalived?: number; httpd?: number} = {}
  /** Addresses added to lo besides 127.0.0.1/8, e.g. the VIP as lo:1. */
  readonly loAddresses: {address: string; prefix: number; label: string}[] = []
  /** The IPv4 sysctls as /proc/sys shows them, by dotted name. */
  readonly sysctls: Record<string, string> = {
    'net.ipv4.conf.eth0.arp_ignore': '0',
    'net.ipv4.conf.eth0.arp_announce': '0',
    'net.ipv4.conf.all.arp_ignore': '0',
    'net.ipv4.conf.all.arp_announce': '0',
  }

  /** The config keepalived read when it started (a director with keepalived running). */
  conf?: KeepalivedConf
  /** keepalived's VRRP state (undefined while it does not run). */
  vrrp?: SimVrrpState
  /** Whether keepalived has set the VIP on eth0 (as eth0:1). */
  vipHeld = false
  /** When it last became MASTER (ms): the newest MASTER's gratuitous ARP wins a split brain's clients. */
  masterSince = 0
  /** The real servers (IPs) of keepalived's IPVS service, in its config's order. */
  table: string[] = []
  /** The round-robin position of the IPVS service. */
  rr = 0
  /** Connections each real server got through this director's IPVS service (ipvsadm's InActConn). */
  readonly served = new Map<string, number>()
  /** IPVS's connection table (ipvsadm -Lnc): client "ADDRESS:PORT" to the real server it went to, oldest first. */
  readonly conns = new Map<string, string>()
  /** A client's next source port (the kernel's ephemeral range, in steps of 2 as Linux picks them). */
  nextPort = 40000

  constructor(readonly spec: ContainerSpec) {
    for (const [k, v] of Object.entries(spec.sysctls)) this.sysctls[k] = v
  }

  /** The node as it is after the container's (re)start: services stopped, links up, no added addresses. */
  reboot(): void {
    delete this.pids.keepalived
    delete this.pids.httpd
    this.eth0Up = true
    this.vrrpDropped = false
    this.netem = undefined
    this.loAddresses.length = 0
    this.stopKeepalived()
  }

  /** keepalived's end: its VIP released and its IPVS service removed (the default without -V / -I). */
  stopKeepalived(): void {
    delete this.pids.keepalived
    this.conf = undefined
    this.vrrp = undefined
    this.vipHeld = false
    this.table = []
    this.conns.clear()
  }

  /** Whether this node's keepalived takes part in the VRRP election: running, with eth0 up. */
  get electable(): boolean {
    return Boolean(this.pids.keepalived && this.conf && this.eth0Up)
  }
}
