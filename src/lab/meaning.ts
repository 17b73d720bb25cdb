// The meaning of a parsed lab file: its derived values (resolveLab) and the problems no schema can
// see (meaningErrors): addresses against the subnet and each other, names, VRRP roles and timers.
import ipaddr from 'ipaddr.js'
import {documentFileOf} from './document-file.js'
import type {Director, Lab} from './model.js'
import type {LabFile} from './schema.js'

/** Priorities given to directors without one, by position: the first is the MASTER of the classic lab. */
const DEFAULT_PRIORITIES = [100, 50, 40, 30, 20, 10, 5, 1]

/**
 * The Lab a parsed lab file describes, with its derived values: a director without a priority gets
 * DEFAULT_PRIORITIES' by its position; without a state, BACKUP, except that when no director is
 * MASTER, the highest priority one becomes MASTER (unless the file made it BACKUP); unicast VRRP
 * follows an internal network when the file does not say; the VRRP version is 3 under strict VRRP
 * (as lvslab rendered it before vrrp.version existed), else keepalived's default 2; authentication
 * is PASS under VRRP 2 and NONE under VRRP 3 when the file does not say; `gateway` is the subnet's first host
 * address, which Docker gives its bridge ('' for a subnet ipaddr.js cannot parse: meaningErrors
 * reports it). `source` is where the lab came from. Throws nothing.
 */
export function resolveLab(file: LabFile, source: string): Lab {
  const directors: Director[] = file.directors.map((d, i) => ({
    name: d.name,
    ip: d.ip,
    priority: d.priority ?? DEFAULT_PRIORITIES[i] ?? 1,
    state: d.state ?? 'BACKUP',
  }))
  if (!file.directors.some((d) => d.state === 'MASTER')) {
    const top = [...directors].sort((a, b) => b.priority - a.priority)[0]
    const explicitBackup = file.directors.find((d) => d.name === top?.name)?.state === 'BACKUP'
    if (top && !explicitBackup) top.state = 'MASTER'
  }
  const version = file.vrrp.version ?? (file.vrrp.strict ? 3 : 2)
  let gateway = ''
  try {
    const [addr, prefix] = ipaddr.IPv4.parseCIDR(file.network.subnet)
    const net = ipaddr.IPv4.networkAddressFromCIDR(`${addr.toString()}/${prefix}`).toByteArray()
    net[3] = (net[3] ?? 0) + 1
    gateway = ipaddr.fromByteArray(net).toString()
  } catch {
    // reported by meaningErrors
  }
  return {
    ...file,
    directors,
    real_servers: file.real_servers.map((r) => ({name: r.name, ip: r.ip, weight: r.weight})),
    vrrp: {
      ...file.vrrp,
      unicast: file.vrrp.unicast ?? file.network.internal,
      version,
      auth_type: file.vrrp.auth_type ?? (version === 3 ? 'NONE' : 'PASS'),
    },
    gateway,
    source,
  }
}

/**
 * The advert interval's limits by VRRP version, as keepalived enforces them (vrrp_data.c, where it
 * "rounds" an interval it refuses): VRRP 2 carries it in one octet of whole seconds, 1-255 (RFC 3768
 * section 5.3.7); VRRP 3 in 12 bits of centiseconds, 0.01-40.95 s (RFC 5798 section 5.2.7). One
 * line each, none when it holds. Throws nothing.
 */
function advertIntErrors(lab: Lab): string[] {
  const a = lab.vrrp.advert_int
  const v = lab.vrrp.version
  if (v === 2 && !Number.isInteger(a))
    return [
      `vrrp.advert_int: ${a} s is not a whole number of seconds, which VRRP version 2 needs (keepalived would round it) (fix: use whole seconds, or set vrrp.version to 3 for steps of 0.01 s)`,
    ]
  if (v === 3 && a > 40.95)
    return [
      `vrrp.advert_int: ${a} s is longer than VRRP version 3 allows (40.95 s)${lab.vrrp.strict ? ', and strict VRRP uses version 3' : ''} (fix: use at most 40.95${lab.vrrp.strict ? ', or set vrrp.strict to false' : ', or set vrrp.version to 2'})`,
    ]
  if (v === 3 && Math.abs(Math.round(a * 100) - a * 100) > 1e-6)
    return [
      `vrrp.advert_int: ${a} s is not in steps of 0.01 s, which VRRP version 3 needs (keepalived would round it) (fix: use at most two decimals, such as 0.25)`,
    ]
  return []
}

/**
 * Errors of meaning, one line each ("<field>: <what is wrong> (fix: <how>)"), none when the lab
 * holds: addresses inside the subnet and not its network, broadcast or gateway address; unique
 * addresses and names; exactly one MASTER, with the highest priority, and distinct priorities (for
 * equal ones the VRRP election falls to the higher address, RFC 3768 section 6.4.3); the real servers' httpd on
 * port 80 answering 200 (direct routing keeps the port); delay_loop at least connect_timeout (both
 * in seconds); strict VRRP's limits (no unicast peers, no authentication, no preempt_delay); the
 * advert interval's limits by VRRP version (advertIntErrors); preempt_delay without nopreempt;
 * and a health-check path Apache maps to a plain file of the document root (documentFileOf).
 * Throws nothing for a lab the schema accepted.
 */
export function meaningErrors(lab: Lab): string[] {
  const out: string[] = []
  const [subnetAddr, prefix] = ipaddr.IPv4.parseCIDR(lab.network.subnet)
  const network = ipaddr.IPv4.networkAddressFromCIDR(lab.network.subnet).toString()
  const broadcast = ipaddr.IPv4.broadcastAddressFromCIDR(lab.network.subnet).toString()
  if (subnetAddr.toString() !== network) {
    out.push(`network.subnet: ${lab.network.subnet} has host bits set (fix: write ${network}/${prefix})`)
  }
  if (prefix < 8 || prefix > 28) {
    out.push(`network.subnet: a /${prefix} network does not fit a lab (fix: use a prefix length from 8 to 28, such as /16)`)
  }
  const addresses: {field: string; ip: string}[] = [
    {field: 'vip', ip: lab.vip},
    ...lab.directors.map((d, i) => ({field: `directors[${i}].ip`, ip: d.ip})),
    ...lab.real_servers.map((r, i) => ({field: `real_servers[${i}].ip`, ip: r.ip})),
  ]
  const seen = new Map<string, string>()
  for (const {field, ip} of addresses) {
    const addr = ipaddr.IPv4.parse(ip)
    if (!addr.match(subnetAddr, prefix))
      out.push(
        `${field}: ${ip} is outside the lab network ${lab.network.subnet} (fix: choose an address inside ${lab.network.subnet}, or change network.subnet)`,
      )
    else if (ip === network || ip === broadcast)
      out.push(
        `${field}: ${ip} is the ${ip === network ? 'network' : 'broadcast'} address of ${lab.network.subnet} (fix: choose a host address inside it)`,
      )
    else if (ip === lab.gateway)
      out.push(
        `${field}: ${ip} is the Docker bridge's own address in ${lab.network.subnet} (fix: choose another address; the engine takes the first host address)`,
      )
    const other = seen.get(ip)
    if (other !== undefined) {
      out.push(
        other === 'vip' || field === 'vip'
          ? `${field === 'vip' ? other : field}: ${ip} equals the VIP (fix: give the node its own address; the VIP is shared by the directors)`
          : `${field}: ${ip} is already used by ${other} (fix: give every node its own address)`,
      )
    } else seen.set(ip, field)
  }
  const names = new Map<string, string>()
  const allNodes = [
    ...lab.directors.map((d, i) => ({field: `directors[${i}].name`, name: d.name})),
    ...lab.real_servers.map((r, i) => ({field: `real_servers[${i}].name`, name: r.name})),
  ]
  for (const {field, name} of allNodes) {
    const other = names.get(name)
    if (name === 'client') out.push(`${field}: "client" is the name of lvslab's own probe container (fix: choose another name)`)
    else if (other) out.push(`${field}: "${name}" is already the name of ${other} (fix: give every node its own name)`)
    else names.set(name, field)
    if (lab.name.length + 1 + name.length > 63)
      out.push(`${field}: "${lab.name}-${name}" would be longer than 63 characters (fix: shorten the lab name or the node name)`)
  }
  const masters = lab.directors.filter((d) => d.state === 'MASTER')
  if (masters.length > 1)
    out.push(
      `directors: ${masters.map((m) => m.name).join(' and ')} are all MASTER (fix: make exactly one director MASTER and the others BACKUP)`,
    )
  if (masters.length === 0) out.push('directors: no director is MASTER (fix: set state: MASTER on the director with the highest priority)')
  for (const [i, d] of lab.directors.entries()) {
    for (const [j, e] of lab.directors.entries()) {
      if (j > i && d.priority === e.priority)
        out.push(`directors[${j}].priority: ${e.priority} equals the priority of ${d.name} (fix: give every director its own priority)`)
    }
  }
  const top = Math.max(...lab.directors.map((d) => d.priority))
  for (const m of masters) {
    if (m.priority !== top) {
      const i = lab.directors.indexOf(m)
      out.push(
        `directors[${i}].priority: MASTER ${m.name} has priority ${m.priority} but another director has ${top} (fix: give the MASTER the highest priority, or make it BACKUP)`,
      )
    }
  }
  const hc = lab.virtual_server.health_check
  if (lab.virtual_server.port !== 80)
    out.push(
      `virtual_server.port: ${lab.virtual_server.port}: the real servers' httpd listens on port 80, and direct routing keeps the port (fix: use port 80)`,
    )
  const page = documentFileOf(hc.path)
  if (!page.ok) out.push(`virtual_server.health_check.path: ${JSON.stringify(hc.path)} ${page.problem} (fix: ${page.fix})`)
  if (hc.status_code !== 200)
    out.push(`virtual_server.health_check.status_code: ${hc.status_code}: the real servers' page answers 200 (fix: use 200)`)
  if (hc.delay_loop < hc.connect_timeout)
    out.push(
      `virtual_server.health_check.delay_loop: ${hc.delay_loop} s is shorter than connect_timeout ${hc.connect_timeout} s, so checks would overlap (fix: make delay_loop at least connect_timeout)`,
    )
  if (lab.vrrp.strict && lab.vrrp.unicast)
    out.push(
      'vrrp.strict: strict VRRP forbids unicast peers, which an internal network needs (fix: set vrrp.strict to false, or network.internal to false)',
    )
  out.push(...advertIntErrors(lab))
  if (lab.vrrp.nopreempt && lab.vrrp.preempt_delay > 0)
    out.push(
      `vrrp.preempt_delay: ${lab.vrrp.preempt_delay} s has no meaning with nopreempt, which never takes the VIP back (keepalived resets it) (fix: remove preempt_delay, or set nopreempt to false)`,
    )
  if (lab.vrrp.strict && lab.vrrp.preempt_delay > 0)
    out.push(
      `vrrp.preempt_delay: strict VRRP does not allow a preemption delay (keepalived resets it) (fix: remove preempt_delay, or set vrrp.strict to false)`,
    )
  if (lab.vrrp.strict && lab.vrrp.auth_type !== 'NONE')
    out.push('vrrp.strict: strict VRRP does not allow authentication (fix: set vrrp.auth_type to NONE, or vrrp.strict to false)')
  else if (lab.vrrp.version === 3 && lab.vrrp.auth_type !== 'NONE')
    out.push(
      'vrrp.auth_type: VRRP version 3 has no authentication (RFC 5798 section 9; keepalived ignores it) (fix: set vrrp.auth_type to NONE, or vrrp.version to 2)',
    )
  return out
}
