// Pure: the validated lab becomes the resources to create (network and containers, with their
// labels, capabilities and sysctls), the files to install, and the time bounds of its waits.
import {timeScale} from '../time-scale.js'
import {createHash} from 'node:crypto'
import ipaddr from 'ipaddr.js'
import {type Director, type Lab, masterOf, type NodeRole} from '../lab/model.js'
import {LABELS} from '../runtime/labels.js'
import type {ContainerSpec, NetworkSpec} from '../runtime/types.js'

/**
 * How the lab's containers run: least privilege (NET_ADMIN and NET_RAW only, the real servers' arp
 * sysctls set by the engine at creation) or privileged (the classic way: --privileged, sysctls
 * written after start).
 */
export type Mode = 'least-privilege' | 'privileged'

/**
 * The arp sysctls of a real server, in the order the classic lab wrote them: with the VIP on lo, a
 * real server must neither answer ARP for it (arp_ignore=1: reply only for addresses of the
 * receiving interface) nor announce it (arp_announce=2: always the best local address of the
 * outgoing interface), so only the director answers for the VIP (the kernel's ip-sysctl
 * documentation; the LVS-DR "ARP problem" of the LVS HOWTO).
 */
export const RS_SYSCTLS: [string, string][] = [
  ['net.ipv4.conf.eth0.arp_ignore', '1'],
  ['net.ipv4.conf.eth0.arp_announce', '2'],
  ['net.ipv4.conf.all.arp_ignore', '1'],
  ['net.ipv4.conf.all.arp_announce', '2'],
]

/** A node's container name: `<lab>-<node>`, e.g. classic-lvs1 (validateLab keeps it within 63 characters). */
export function containerName(lab: Lab, node: string): string {
  return `${lab.name}-${node}`
}

/** The lab's Docker network name: `<lab>-<network.name>`, e.g. classic-lvs_dr. */
export function networkName(lab: Lab): string {
  return `${lab.name}-${lab.network.name}`
}

/** The node name of lvslab's own probe container (a lab file may not name a node so). */
export const CLIENT_NODE = 'client'

/** One container to create: its node name, role, address and the engine's spec of it. */
export interface NodePlan {
  node: string
  role: NodeRole | 'client'
  ip: string
  spec: ContainerSpec
}

/** Everything `up` creates for a lab: the network, then the directors and the real servers. */
export interface LabPlan {
  network: NetworkSpec
  directors: NodePlan[]
  realServers: NodePlan[]
}

function specHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16)
}

function nodeSpec(lab: Lab, mode: Mode, node: string, role: NodePlan['role'], ip: string): ContainerSpec {
  const privileged = mode === 'privileged'
  const capAdd = privileged ? [] : role === 'client' ? [] : ['NET_ADMIN', 'NET_RAW']
  // Least privilege: the arp sysctls are set by the engine at creation, before anything runs.
  const sysctls = role === 'realserver' && !privileged ? Object.fromEntries(RS_SYSCTLS) : {}
  const base = {
    name: containerName(lab, node),
    hostname: node,
    image: lab.image,
    network: networkName(lab),
    ip,
    capAdd,
    privileged,
    sysctls,
  }
  return {
    ...base,
    labels: {
      [LABELS.LAB]: lab.name,
      [LABELS.NODE]: node,
      [LABELS.ROLE]: role,
      [LABELS.MODE]: mode,
      [LABELS.SPEC]: specHash(role === 'director' ? {base, lab: labIdentity(lab)} : {base, vip: lab.vip}),
    },
  }
}

/** What a director's container depends on beyond its own spec: the parts of the lab it serves. */
function labIdentity(lab: Lab): unknown {
  return {
    vip: lab.vip,
    vrrp: vrrpIdentity(lab.vrrp),
    vs: lab.virtual_server,
    rs: lab.real_servers,
    d: lab.directors,
    notify: lab.notify ?? null,
  }
}

/**
 * The VRRP settings as the spec hash takes them: in one fixed order (whatever keys the lab file
 * wrote), the order lvslab hashed before vrrp.version, nopreempt and preempt_delay existed, and
 * each of those only when it changes something. So a lab running under an earlier lvslab keeps its
 * hash (a second `up` finds it current), and equal labs hash equal however their files are written.
 */
function vrrpIdentity(v: Lab['vrrp']): Record<string, unknown> {
  const fromFile = v.auth_pass_source !== 'random'
  const o: Record<string, unknown> = {
    instance: v.instance,
    virtual_router_id: v.virtual_router_id,
    advert_int: v.advert_int,
    auth_type: v.auth_type,
  }
  if (v.auth_pass !== undefined && fromFile) o.auth_pass = v.auth_pass
  o.strict = v.strict
  o.unicast = v.unicast
  if (v.auth_pass !== undefined && !fromFile) o.auth_pass = v.auth_pass
  if (v.auth_pass_source !== undefined) o.auth_pass_source = v.auth_pass_source
  if (v.version !== (v.strict ? 3 : 2)) o.version = v.version
  if (v.nopreempt) o.nopreempt = true
  if (v.preempt_delay > 0) o.preempt_delay = v.preempt_delay
  if (v.track_table) o.track_table = true
  return o
}

/**
 * The lab's network and containers in `mode`, each labelled with the lab, node, role, mode and a
 * hash of its spec (LABELS.SPEC: a changed lab file shows as a changed hash); a random VRRP
 * password is kept as a label of the network (LABELS.AUTH). Pure.
 */
export function planLab(lab: Lab, mode: Mode): LabPlan {
  return {
    network: {
      name: networkName(lab),
      subnet: lab.network.subnet,
      gateway: lab.gateway,
      internal: lab.network.internal,
      labels: {
        [LABELS.LAB]: lab.name,
        [LABELS.SPEC]: specHash({subnet: lab.network.subnet, internal: lab.network.internal}),
        ...(lab.vrrp.auth_pass_source === 'random' && lab.vrrp.auth_pass ? {[LABELS.AUTH]: lab.vrrp.auth_pass} : {}),
      },
    },
    directors: lab.directors.map((d) => ({
      node: d.name,
      role: 'director' as const,
      ip: d.ip,
      spec: nodeSpec(lab, mode, d.name, 'director', d.ip),
    })),
    realServers: lab.real_servers.map((r) => ({
      node: r.name,
      role: 'realserver' as const,
      ip: r.ip,
      spec: nodeSpec(lab, mode, r.name, 'realserver', r.ip),
    })),
  }
}

/**
 * A client container inside the lab network, for probing the VIP when the host cannot reach it:
 * named CLIENT_NODE, at the highest host address of the subnet that no node, the VIP or the
 * gateway holds (the broadcast address minus 1, 2, ...).
 */
export function planClient(lab: Lab, mode: Mode): NodePlan {
  const used = new Set([lab.vip, lab.gateway, ...lab.directors.map((d) => d.ip), ...lab.real_servers.map((r) => r.ip)])
  const [a = 0, b = 0, c = 0, d = 0] = ipaddr.IPv4.broadcastAddressFromCIDR(lab.network.subnet).toByteArray()
  let n = ((a << 24) >>> 0) + (b << 16) + (c << 8) + d - 1
  let ip = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
  while (used.has(ip)) {
    n--
    ip = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
  }
  return {node: CLIENT_NODE, role: 'client', ip, spec: nodeSpec(lab, mode, CLIENT_NODE, 'client', ip)}
}

/** Time bounds derived from the lab's timers (seconds, before the host's slowness factor). */
export interface Bounds {
  /** A BACKUP's takeover after the MASTER goes silent: 3 x advert_int + skew (Master_Down_Interval, RFC 3768 and RFC 5798 section 6.1; skew by version). */
  failover: number
  /** The MASTER's takeback after it returns: preempt_delay, then its Master_Down_Interval (3 x advert_int + its skew). */
  takeback: number
  /** The HTTP check's removal of a dead real server: delay_loop + (retry + 1) x connect_timeout + retry x delay_before_retry. */
  eviction: number
  /** The HTTP check's re-adding of a real server that answers again: delay_loop + connect_timeout. */
  readd: number
}

/**
 * A director's Skew_Time in seconds, by the lab's VRRP version: (256 - priority) / 256 s for VRRP 2
 * (RFC 3768 section 6.1, whatever advert_int is), (256 - priority) x advert_int / 256 for VRRP 3
 * (RFC 5798 section 6.1, Master_Adver_Interval being the advert_int the MASTER sends). A higher
 * priority waits less before taking over.
 */
export function skew(lab: Lab, director: Director): number {
  const share = (256 - director.priority) / 256
  return lab.vrrp.version === 3 ? share * lab.vrrp.advert_int : share
}

/**
 * How long (s) after keepalived starts the lab's MASTER can first be MASTER: keepalived 2.0 and later
 * start every instance below priority 255 in BACKUP with the Master_Down_Timer, 3 x advert_int + its
 * skew (vrrp_scheduler.c vrrp_init_state; RFC 3768 and RFC 5798 section 6.4.1), so no poll can see it
 * MASTER before; keepalived 1.x goes to GOTO_MASTER at once (the same function in 1.3 and 1.4): 0.
 * Throws an Error for a lab without a MASTER (masterOf).
 * @param keepalivedMajor the major version of the directors' keepalived
 */
export function masterAfterStart(lab: Lab, keepalivedMajor: number): number {
  if (keepalivedMajor < 2) return 0
  return 3 * lab.vrrp.advert_int + skew(lab, masterOf(lab))
}

/**
 * The lab's time bounds in seconds: failover for the slowest BACKUP (lowest priority), takeback
 * from the MASTER's own skew plus preempt_delay (keepalived.conf(5): a returning higher priority
 * waits that long before it preempts; 0 for nopreempt, where there is no takeback), and the HTTP
 * check's eviction and re-adding from keepalived.conf(5)'s delay_loop, connect_timeout, retry and
 * delay_before_retry. Throws an Error for a lab without a MASTER (masterOf).
 */
export function bounds(lab: Lab): Bounds {
  const a = lab.vrrp.advert_int
  const backups = lab.directors.filter((d) => d.state !== 'MASTER')
  const slowest = backups.length > 0 ? Math.max(...backups.map((d) => skew(lab, d))) : skew(lab, masterOf(lab))
  const hc = lab.virtual_server.health_check
  return {
    failover: 3 * a + slowest,
    takeback: lab.vrrp.preempt_delay + 3 * a + skew(lab, masterOf(lab)),
    eviction: hc.delay_loop + (hc.retry + 1) * hc.connect_timeout + hc.retry * hc.delay_before_retry,
    readd: hc.delay_loop + hc.connect_timeout,
  }
}

/**
 * How long a wait may take, in ms: the lab's bound (s) plus a 5 s grace for the engine's own latency
 * (starting processes, exec round trips), scaled for slow hosts (LVSLAB_TIME_SCALE, e.g. 5 in an
 * emulated VM).
 */
export function waitMs(boundSeconds: number, scale = timeScale()): number {
  return Math.round((boundSeconds + 5) * scale * 1000)
}
