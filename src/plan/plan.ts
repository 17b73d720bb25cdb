// Pure: the validated lab becomes the resources to create (network and containers, with their
// labels, capabilities and sysctls), the files to install, and the time bounds of its waits.
import {createHash} from 'node:crypto'
import ipaddr from 'ipaddr.js'
import {type Director, type Lab, masterOf, type NodeRole} from '../lab/model.js'
import {LABELS} from '../runtime/labels.js'
import type {ContainerSpec, NetworkSpec} from '../runtime/types.js'

export type Mode = 'least-privilege' | 'privileged'

/** The arp sysctls of a real server, in the order the classic lab wrote them. */
export const RS_SYSCTLS: [string, string][] = [
  ['net.ipv4.conf.eth0.arp_ignore', '1'],
  ['net.ipv4.conf.eth0.arp_announce', '2'],
  ['net.ipv4.conf.all.arp_ignore', '1'],
  ['net.ipv4.conf.all.arp_announce', '2'],
]

export function containerName(lab: Lab, node: string): string {
  return `${lab.name}-${node}`
}

export function networkName(lab: Lab): string {
  return `${lab.name}-${lab.network.name}`
}

export const CLIENT_NODE = 'client'

export interface NodePlan {
  node: string
  role: NodeRole | 'client'
  ip: string
  spec: ContainerSpec
}

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
  return {vip: lab.vip, vrrp: lab.vrrp, vs: lab.virtual_server, rs: lab.real_servers, d: lab.directors, notify: lab.notify ?? null}
}

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

/** A client container inside the lab network, for probing the VIP when the host cannot reach it. */
export function planClient(lab: Lab, mode: Mode): NodePlan {
  const used = new Set([lab.vip, lab.gateway, ...lab.directors.map((d) => d.ip), ...lab.real_servers.map((r) => r.ip)])
  const bytes = ipaddr.IPv4.broadcastAddressFromCIDR(lab.network.subnet).toByteArray()
  let n = ((bytes[0]! << 24) >>> 0) + (bytes[1]! << 16) + (bytes[2]! << 8) + bytes[3]! - 1
  let ip = ''
  for (;;) {
    ip = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
    if (!used.has(ip)) break
    n--
  }
  return {node: CLIENT_NODE, role: 'client', ip, spec: nodeSpec(lab, mode, CLIENT_NODE, 'client', ip)}
}

/** Time bounds derived from the lab's timers (seconds, before the host's slowness factor). */
export interface Bounds {
  /** A BACKUP's takeover after the MASTER goes silent: 3 x advert_int + skew (RFC 3768 Master_Down_Interval). */
  failover: number
  /** The MASTER's takeback after it returns: it preempts at once, within one advert plus its own start. */
  takeback: number
  /** The HTTP check's removal of a dead real server: delay_loop + (retry + 1) x connect_timeout + retry x delay_before_retry. */
  eviction: number
  /** The HTTP check's re-adding of a real server that answers again: delay_loop + connect_timeout. */
  readd: number
}

export function skew(director: Director, advertInt: number): number {
  return ((256 - director.priority) / 256) * advertInt
}

export function bounds(lab: Lab): Bounds {
  const a = lab.vrrp.advert_int
  const backups = lab.directors.filter((d) => d.state !== 'MASTER')
  const slowest = backups.length > 0 ? Math.max(...backups.map((d) => skew(d, a))) : skew(masterOf(lab), a)
  const hc = lab.virtual_server.health_check
  return {
    failover: 3 * a + slowest,
    takeback: 3 * a + skew(masterOf(lab), a),
    eviction: hc.delay_loop + (hc.retry + 1) * hc.connect_timeout + hc.retry * hc.delay_before_retry,
    readd: hc.delay_loop + hc.connect_timeout,
  }
}

/**
 * How long a wait may take: the lab's bound, scaled for slow hosts (LVSLAB_TIME_SCALE, e.g. 5 in an
 * emulated VM), plus a grace for the engine's own latency (starting processes, exec round trips).
 */
export function waitMs(boundSeconds: number, scale = timeScale()): number {
  return Math.round((boundSeconds + 5) * scale * 1000)
}

export function timeScale(): number {
  const v = Number(process.env.LVSLAB_TIME_SCALE ?? '1')
  return Number.isFinite(v) && v >= 1 ? v : 1
}
