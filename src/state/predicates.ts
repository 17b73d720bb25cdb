// Named judgements of a lab's state (pure): each takes a snapshot and says whether it holds, and what
// was seen, in one line for messages. `converged` is the one definition of a healthy lab.
import ipaddr from 'ipaddr.js'
import {type Lab, trackWeight} from '../lab/model.js'
import {
  type DirectorFacts,
  healthyServers,
  type LabSnapshot,
  masters,
  type RealServerFacts,
  tableOf,
  unreadList,
  unreadTail,
  vipHolders,
  vipService,
} from './snapshot.js'

/** A predicate's answer: whether it holds, and what was seen (one line, for messages and reports). */
export interface Verdict {
  ok: boolean
  seen: string
}

/** A check over a snapshot, e.g. `(snap) => holdsVip(snap, 'lvs2')`. */
export type SnapshotCheck = (snap: LabSnapshot) => Verdict

const same = (a: string[], b: string[]) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort())
const notRead = (name: string): Verdict => ({ok: false, seen: `${name}: not read`})
const director = (snap: LabSnapshot, name: string): DirectorFacts | undefined => snap.directors.find((d) => d.name === name)
const realServer = (snap: LabSnapshot, name: string): RealServerFacts | undefined => snap.realServers.find((r) => r.name === name)

/** No node's facts are unreadable (a stopped node reports nothing, so nothing unread). */
export function allRead(snap: LabSnapshot): Verdict {
  const unread = unreadList([...snap.directors, ...snap.realServers].filter((n) => n.running))
  return {
    ok: unread.length === 0,
    seen: unread.length === 0 ? `${snap.directors.length + snap.realServers.length} nodes read` : `could not read: ${unread.join('; ')}`,
  }
}

/**
 * A director holds the VIP as eth0:1 and reports MASTER, no other director holds it, and every
 * director's facts were read: an unread peer is not a peer without the VIP.
 */
export function holdsVip(snap: LabSnapshot, name: string): Verdict {
  const me = director(snap, name)
  const others = snap.directors.filter((d) => d.name !== name && d.holdsVip)
  return {
    ok:
      me !== undefined &&
      me.holdsVip &&
      me.vipLabel === 'eth0:1' &&
      me.vrrpState === 'MASTER' &&
      others.length === 0 &&
      snap.directors.every((d) => d.unreadable.length === 0),
    seen:
      (me ? '' : `${name}: not read, `) +
      snap.directors.map((d) => `${d.name}: ${d.vrrpState}${d.holdsVip ? ` holding the VIP (${d.vipLabel})` : ''}`).join(', ') +
      unreadTail(snap.directors),
  }
}

/** A director's IPVS service for the VIP lists exactly these real servers (IPs); an unreadable table is not a match. */
export function tableIs(snap: LabSnapshot, lab: Lab, name: string, servers: string[]): Verdict {
  const d = director(snap, name)
  if (!d) return notRead(name)
  const got = tableOf(lab, d)
  return {
    ok: !d.ipvsError && same(got, servers),
    seen: `${name}'s IPVS table: ${d.ipvsError ? 'unreadable' : got.join(', ') || 'empty'}${unreadTail([d])}`,
  }
}

/** A director has the VIP's IPVS service and forwards to every real server of it by Route (LVS-DR: ipvsadm(8) -g, --gatewaying, listed as "Route"). */
export function forwardsByRoute(snap: LabSnapshot, lab: Lab, name: string): Verdict {
  const svc = vipService(lab, director(snap, name)?.ipvs ?? [])
  return {
    ok: Boolean(svc) && (svc?.realServers ?? []).every((r) => r.forward === 'Route'),
    seen: svc
      ? `${name}: ${svc.realServers.map((r) => `${r.address} ${r.forward}`).join(', ') || 'no real server'}`
      : `${name}: no service`,
  }
}

/** A director has the VIP's IPVS service with the lab's scheduler (virtual_server.scheduler). */
export function schedulerIs(snap: LabSnapshot, lab: Lab, name: string): Verdict {
  const svc = vipService(lab, director(snap, name)?.ipvs ?? [])
  return {
    ok: svc?.scheduler === lab.virtual_server.scheduler,
    seen: `${name}: ${svc ? `scheduler ${svc.scheduler}` : 'no service'} (lab: ${lab.virtual_server.scheduler})`,
  }
}

/**
 * A director's IPVS service for the VIP is the lab's: these real servers, forwarded by Route, with the
 * lab's scheduler. Seen: the service as `ipvsadm -Ln` would show it, or why there is none.
 * @param name the director (undefined, or not in the snapshot: "no director")
 */
export function serviceIs(snap: LabSnapshot, lab: Lab, name: string | undefined, servers: string[]): Verdict {
  const d = name === undefined ? undefined : director(snap, name)
  if (!d) return {ok: false, seen: `no director: no service ${lab.vip}:${lab.virtual_server.port}`}
  const svc = vipService(lab, d.ipvs)
  return {
    ok: svc !== undefined && same(tableOf(lab, d), servers) && forwardsByRoute(snap, lab, d.name).ok && schedulerIs(snap, lab, d.name).ok,
    seen: svc
      ? `${d.name}: ${svc.scheduler} ${svc.realServers.map((r) => `${r.address} ${r.forward} w${r.weight}`).join(', ') || 'no real server'}`
      : `${d.name}: no service ${lab.vip}:${lab.virtual_server.port}${d.ipvsError ? ` (${d.ipvsError})` : ''}`,
  }
}

/** Exactly one director holds the VIP; seen says SPLIT BRAIN when several do. */
export function oneHolder(snap: LabSnapshot, lab: Lab): Verdict {
  const holders = vipHolders(snap).map((d) => d.name)
  return {
    ok: holders.length === 1,
    seen: holders.length > 1 ? `SPLIT BRAIN: ${holders.join(' and ')} all hold ${lab.vip}` : `holders: ${holders.join(', ') || 'none'}`,
  }
}

/** The single VIP holder is this director, with the VIP labelled eth0:1 (as keepalived adds it: virtual_ipaddress `label eth0:1`, keepalived.conf(5)). */
export function vipOn(snap: LabSnapshot, name: string): Verdict {
  const holders = vipHolders(snap)
  const holder = holders.length === 1 ? holders[0] : undefined
  return {
    ok: holder?.name === name && holder.vipLabel === 'eth0:1',
    seen: holder ? `${holder.name} holds it with label ${holder.vipLabel ?? 'none'}` : 'no single holder',
  }
}

/** Exactly one director reports MASTER (as keepalived reports it), and it is the expected one. */
export function oneMaster(snap: LabSnapshot, expected: string): Verdict {
  const m = masters(snap)
  return {
    ok: m.length === 1 && m[0]?.name === expected,
    seen: snap.directors.map((d) => `${d.name}: ${d.vrrpState}`).join(', '),
  }
}

/** Split brain: several directors hold the VIP or report MASTER. `ok` is true when there IS split brain. */
export function splitBrain(snap: LabSnapshot): Verdict {
  const holders = vipHolders(snap).map((d) => d.name)
  const m = masters(snap).map((d) => d.name)
  const ok = holders.length > 1 || m.length > 1
  return {
    ok,
    seen: ok
      ? `SPLIT BRAIN: ${[...new Set([...holders, ...m])].join(' and ')} all claim the VIP`
      : `holders: ${holders.join(', ') || 'none'}; MASTER: ${m.join(', ') || 'none'}`,
  }
}

/**
 * A foreign VRRP speaker: another router on the lab network with the lab's virtual_router_id, whose
 * adverts a BACKUP director takes. The routers of one VRID on a LAN are one virtual router (RFC 3768
 * section 1, RFC 5798 section 1), so a stray one takes part in the election and, with a higher
 * priority, takes the VIP. Told from a BACKUP's heard MASTER (keepalived's dump): an IPv4 address of
 * the lab's subnet that is no director's; or, where keepalived gives no such address (2.2.7 under
 * VRRP 2 prints whatever it formatted last), a MASTER heard while no lab director is MASTER whose
 * priority no lab director advertises (its own, or with track_table its own less trackWeight, at
 * least 1). `ok` is true when there IS one; seen names each, its priority and who hears it.
 */
export function foreignMaster(snap: LabSnapshot, lab: Lab): Verdict {
  const own = new Set(lab.directors.map((d) => d.ip))
  const subnet = ipaddr.parseCIDR(lab.network.subnet)
  const inSubnet = (a?: string) => a !== undefined && ipaddr.IPv4.isValidFourPartDecimal(a) && ipaddr.IPv4.parse(a).match(subnet)
  const w = trackWeight(lab)
  const advertised = new Set(
    lab.directors.flatMap((d) => (lab.vrrp.track_table ? [d.priority, Math.max(1, d.priority - w)] : [d.priority])),
  )
  const labMaster = snap.directors.some((d) => d.vrrpState === 'MASTER')
  const heard = new Map<string, {priority: number; by: string[]}>()
  for (const d of snap.directors) {
    const h = d.heardMaster
    if (!h) continue
    const known = inSubnet(h.address) ? h.address : undefined
    if (known ? own.has(known) : labMaster || advertised.has(h.priority)) continue
    const what = known ?? `of priority ${h.priority}`
    const entry = heard.get(what) ?? {priority: h.priority, by: []}
    entry.by.push(d.name)
    heard.set(what, entry)
  }
  const seen = [...heard].map(
    ([what, h]) =>
      `FOREIGN VRRP MASTER ${what.startsWith('of ') ? `${what} (keepalived names no address)` : `${what} (priority ${h.priority})`} on virtual_router_id ${lab.vrrp.virtual_router_id}: ${h.by.join(' and ')} ${h.by.length > 1 ? 'hear' : 'hears'} it as the MASTER`,
  )
  return {ok: seen.length > 0, seen: seen.join('; ') || 'every BACKUP hears a lab director'}
}

/** A real server's httpd serves its own page ("from <its ip>") on its own address. */
export function servesPage(snap: LabSnapshot, lab: Lab, name: string): Verdict {
  const f = realServer(snap, name)
  if (!f) return notRead(name)
  const ip = lab.real_servers.find((r) => r.name === name)?.ip
  return {ok: f.page === `from ${ip}`, seen: `${name}: httpd ${f.httpd ? 'up' : 'down'}, page ${f.page ?? 'none'}`}
}

/** A director's eth0 is down and it does not hold the VIP, every fact of it read. */
export function eth0Down(snap: LabSnapshot, name: string): Verdict {
  const f = director(snap, name)
  if (!f) return notRead(name)
  return {
    ok: !f.eth0Up && !f.holdsVip && f.unreadable.length === 0,
    seen: `${name}: eth0 ${f.eth0Up ? 'up' : 'down'}, state ${f.vrrpState}${unreadTail([f])}`,
  }
}

/** A director's container runs without keepalived (its pid gone), every fact of it read. */
export function keepalivedGone(snap: LabSnapshot, name: string): Verdict {
  const f = director(snap, name)
  if (!f) return notRead(name)
  return {
    ok: f.running && !f.keepalivedPid && f.unreadable.length === 0,
    seen: `${name}: container ${f.running ? 'running' : 'stopped'}, keepalived ${f.keepalivedPid ? `pid ${f.keepalivedPid}` : 'not running'}${unreadTail([f])}`,
  }
}

/**
 * THE definition of a healthy (converged) lab, used by up, chaos (before each drill), restore, verify
 * and status: the holder has the VIP as eth0:1 and reports MASTER, no other director holds the VIP, the
 * holder's IPVS table lists exactly the healthy real servers, at least one is healthy, and every node's
 * facts were read (an unread director is not one without the VIP).
 */
export function converged(snap: LabSnapshot, lab: Lab, holder: string): Verdict {
  const h = director(snap, holder)
  const healthy = healthyServers(lab, snap.realServers).sort()
  const ok = holdsVip(snap, holder).ok && tableIs(snap, lab, holder, healthy).ok && healthy.length > 0 && allRead(snap).ok
  if (!h) return {ok, seen: `${holder}: not read`}
  const others = vipHolders(snap)
    .filter((d) => d.name !== holder)
    .map((d) => d.name)
  const foreign = foreignMaster(snap, lab)
  return {
    ok,
    seen: `${foreign.ok ? `${foreign.seen}; ` : ''}${holder} ${h.holdsVip ? `holds the VIP (${h.vipLabel})` : 'does not hold the VIP'}, state ${h.vrrpState}; also holding: ${others.join(', ') || 'none'}; IPVS: ${h.ipvsError ? `unreadable (${h.ipvsError})` : tableOf(lab, h).join(', ') || 'empty'}; healthy: ${healthy.join(', ') || 'none'}${unreadTail([...snap.directors, ...snap.realServers])}`,
  }
}
