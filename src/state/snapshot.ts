// The state of a lab as its nodes report it (pure data, no I/O): what each director and real server
// said about itself in one read (src/ops/facts.ts reads it; src/state/predicates.ts judges it).
import type {Lab} from '../lab/model.js'
import type {IpvsService} from '../parse/ipvsadm.js'
import type {VrrpState} from '../parse/keepalived.js'

/** What a director reports about itself: keepalived, its VRRP state, the VIP on eth0, eth0's link, IPVS. */
export interface DirectorFacts {
  name: string
  container: string
  running: boolean
  /** Its container is paused (docker pause): running, but nothing in it answers, so nothing else is read. */
  paused?: boolean
  keepalivedPid?: number
  /** VRRP state as keepalived itself reports it (its data dump on SIGUSR1, keepalived(8) SIGNALS), not guessed from the VIP. */
  vrrpState: VrrpState | 'NOT RUNNING'
  /**
   * The MASTER this director hears while it is BACKUP, as keepalived's dump names it ("Master priority",
   * above 0 once an advert was taken; "Master router" as printed, which keepalived 2.2.7 leaves unset
   * under VRRP 2 and then prints whatever address it formatted last, e.g. ff02::12): a lab director,
   * or a foreign VRRP speaker on the lab's virtual_router_id (src/state/predicates.ts foreignMaster).
   */
  heardMaster?: {priority: number; address?: string}
  holdsVip: boolean
  vipLabel?: string
  eth0Up: boolean
  ipvs: IpvsService[]
  ipvsError?: string
  /** Facts that could not be read, each with why (e.g. "IPVS table: Can't initialize ipvs"). */
  unreadable: string[]
}

/** What a real server reports about itself: httpd and its page, the VIP on lo, the arp sysctls. */
export interface RealServerFacts {
  name: string
  container: string
  running: boolean
  httpd: boolean
  /** The page its httpd serves on its own address, e.g. "from 172.20.1.10". */
  page?: string
  vipOnLo: boolean
  vipPrefix?: number
  vipLabel?: string
  /**
   * net.ipv4.conf.{eth0,all}.arp_{ignore,announce} as read from /proc/sys, name to value; the kernel
   * applies the larger of all and eth0 (ip-sysctl.rst).
   */
  sysctls: Record<string, string>
  /** Facts that could not be read, each with why. */
  unreadable: string[]
}

/**
 * A lab's state at one moment: the facts of the nodes that were read (every node of the lab, or only
 * those a check needs, see SnapshotScope), in the lab file's order.
 */
export interface LabSnapshot {
  directors: DirectorFacts[]
  realServers: RealServerFacts[]
}

/** Which nodes to read for a snapshot, by name: a check that needs one director reads only that one. */
export interface SnapshotScope {
  directors: string[]
  realServers: string[]
}

/** Every node of the lab: the scope of a full snapshot. */
export function wholeLab(lab: Lab): SnapshotScope {
  return {directors: lab.directors.map((d) => d.name), realServers: lab.real_servers.map((r) => r.name)}
}

/** The real servers whose httpd answers its own page ("from <its ip>"): the set the IPVS table should hold, as IPs. */
export function healthyServers(lab: Lab, rs: RealServerFacts[]): string[] {
  const healthy: string[] = []
  for (const f of rs) {
    const ip = lab.real_servers.find((r) => r.name === f.name)?.ip
    if (ip && f.running && f.httpd && f.page === `from ${ip}`) healthy.push(ip)
  }
  return healthy
}

/** The IPVS service of the lab's virtual server (VIP, port, protocol) in a director's table, if any. */
export function vipService(lab: Lab, ipvs: IpvsService[]): IpvsService | undefined {
  return ipvs.find((s) => s.address === lab.vip && s.port === lab.virtual_server.port && s.protocol === lab.virtual_server.protocol)
}

/** The addresses of the real servers in a director's IPVS service for the VIP, sorted (none without a service). */
export function tableOf(lab: Lab, d: DirectorFacts): string[] {
  return (vipService(lab, d.ipvs)?.realServers ?? []).map((r) => r.address).sort()
}

/** The directors that hold the VIP, in the snapshot's order. */
export function vipHolders(snap: LabSnapshot): DirectorFacts[] {
  return snap.directors.filter((d) => d.holdsVip)
}

/** The directors whose keepalived reports MASTER, in the snapshot's order. */
export function masters(snap: LabSnapshot): DirectorFacts[] {
  return snap.directors.filter((d) => d.vrrpState === 'MASTER')
}

/** Every fact that could not be read on these nodes, as "node: what: why". */
export function unreadList(nodes: {name: string; unreadable: string[]}[]): string[] {
  return nodes.flatMap((n) => n.unreadable.map((u) => `${n.name}: ${u}`))
}

/** What could not be read on these nodes, as a message's tail ("; could not read: ..."), empty when all was read. */
export function unreadTail(nodes: {name: string; unreadable: string[]}[]): string {
  const all = unreadList(nodes)
  return all.length > 0 ? `; could not read: ${all.join('; ')}` : ''
}
