/**
 * Parsers for what `ip` says about links and addresses: `ip -j addr show` (JSON; newer iproute2 only),
 * here, and `ip -o link show` + `ip -o addr show` (every iproute2 version, incl. CentOS 7's 4.11;
 * ip-oneline.ts parseIpOneline, re-exported here with the shapes of ip-link.ts and findAddress).
 *
 * `ip -j addr show` (iproute2 6.1) output:
 *
 * The output is a JSON array of links:
 *   {"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,
 *    "operstate":"UNKNOWN", ..., "addr_info":[{"family":"inet","local":"127.0.0.1",
 *    "prefixlen":8,"scope":"host","label":"lo","valid_life_time":4294967295,...}]}
 *
 * Notes on the format:
 * - IPv4 addresses always carry a "label" (the kernel reports IFA_LABEL for every
 *   IPv4 address; it defaults to the interface name). IPv6 addresses have none.
 * - Inside a container the veth is reported as "ifname":"eth0" plus "link_index"
 *   and "link_netnsid" (the text output shows it as "eth0@if43").
 * - "operstate" of lo is "UNKNOWN" even when it is up; use `up` (the UP flag).
 * - Links without addresses have "addr_info": []. When ip filters by family
 *   (`ip -j -4 addr`) some iproute2 versions emit bare `{}` entries; these are skipped.
 */
import type {IfAddr, IpAddrShow, IpLink} from './ip-link.js'
import {clip, isRecord} from './text.js'

export {findAddress, type IfAddr, type IpAddrShow, type IpLink} from './ip-link.js'
export {parseIpOneline} from './ip-oneline.js'

/**
 * Parse the JSON printed by `ip -j addr show` (or `ip -j addr show dev X`): every link with a
 * name, in order, with its inet and inet6 addresses (other families skipped).
 * @throws Error on empty output, output that is not JSON, JSON that is not an array, and an entry
 *   that is not an object.
 */
export function parseIpAddrJson(text: string): IpAddrShow {
  if (text.trim() === '') {
    throw new Error('ip -j addr show: empty output')
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    throw new Error(`ip -j addr show: output is not JSON (${reason}): ${clip(text.trim())}`, {cause: err})
  }
  if (!Array.isArray(data)) {
    throw new Error('ip -j addr show: expected a JSON array of links')
  }

  const links: IpLink[] = []
  for (const entry of data) {
    if (!isRecord(entry)) {
      throw new Error('ip -j addr show: expected each link to be a JSON object')
    }
    const ifname = entry['ifname']
    if (typeof ifname !== 'string') continue // `{}` placeholders from family filtering
    const flags = Array.isArray(entry['flags']) ? entry['flags'] : []
    const operstate = typeof entry['operstate'] === 'string' ? entry['operstate'] : 'UNKNOWN'
    const addrInfo = Array.isArray(entry['addr_info']) ? entry['addr_info'] : []

    const addresses: IfAddr[] = []
    for (const ai of addrInfo) {
      if (!isRecord(ai)) continue
      const family = ai['family']
      const local = ai['local']
      const prefixlen = ai['prefixlen']
      if ((family !== 'inet' && family !== 'inet6') || typeof local !== 'string') continue
      const addr: IfAddr = {
        ifname,
        family,
        address: local,
        prefixlen: typeof prefixlen === 'number' ? prefixlen : Number(prefixlen),
      }
      const label = ai['label']
      if (typeof label === 'string' && label !== '') addr.label = label
      addresses.push(addr)
    }

    links.push({ifname, operstate, up: flags.includes('UP'), addresses})
  }
  return {links}
}
