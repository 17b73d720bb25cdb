/**
 * Parser for `ip -j addr show` (iproute2 6.1) output.
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

export interface IfAddr {
  ifname: string;
  family: 'inet' | 'inet6';
  address: string;
  prefixlen: number;
  label?: string;
}

export interface IpLink {
  ifname: string;
  operstate: string;
  /** true when the link's "flags" include "UP" (administratively up). */
  up: boolean;
  addresses: IfAddr[];
}

export interface IpAddrShow {
  links: IpLink[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function snippet(text: string): string {
  const t = text.trim();
  return t.length > 120 ? `${t.slice(0, 117)}...` : t;
}

/** Parse the JSON printed by `ip -j addr show` (or `ip -j addr show dev X`). */
export function parseIpAddrJson(text: string): IpAddrShow {
  if (text.trim() === '') {
    throw new Error('ip -j addr show: empty output');
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`ip -j addr show: output is not JSON (${reason}): ${snippet(text)}`);
  }
  if (!Array.isArray(data)) {
    throw new Error('ip -j addr show: expected a JSON array of links');
  }

  const links: IpLink[] = [];
  for (const entry of data) {
    if (!isRecord(entry)) {
      throw new Error('ip -j addr show: expected each link to be a JSON object');
    }
    const ifname = entry['ifname'];
    if (typeof ifname !== 'string') continue; // `{}` placeholders from family filtering
    const flags = Array.isArray(entry['flags']) ? entry['flags'] : [];
    const operstate = typeof entry['operstate'] === 'string' ? entry['operstate'] : 'UNKNOWN';
    const addrInfo = Array.isArray(entry['addr_info']) ? entry['addr_info'] : [];

    const addresses: IfAddr[] = [];
    for (const ai of addrInfo) {
      if (!isRecord(ai)) continue;
      const family = ai['family'];
      const local = ai['local'];
      const prefixlen = ai['prefixlen'];
      if ((family !== 'inet' && family !== 'inet6') || typeof local !== 'string') continue;
      const addr: IfAddr = {
        ifname,
        family,
        address: local,
        prefixlen: typeof prefixlen === 'number' ? prefixlen : Number(prefixlen),
      };
      const label = ai['label'];
      if (typeof label === 'string' && label !== '') addr.label = label;
      addresses.push(addr);
    }

    links.push({ifname, operstate, up: flags.includes('UP'), addresses});
  }
  return {links};
}

function normalizeAddress(a: string): string {
  return a.trim().toLowerCase();
}

/**
 * Find an address on any link. `address` may be bare ("172.20.1.100") or in CIDR
 * form ("172.20.1.100/32"), in which case the prefix length must match too.
 * IPv6 comparison is case-insensitive but not canonicalising (compare as printed).
 */
export function findAddress(parsed: IpAddrShow, address: string): IfAddr | undefined {
  const slash = address.indexOf('/');
  const want = normalizeAddress(slash >= 0 ? address.slice(0, slash) : address);
  const wantPrefix = slash >= 0 ? Number(address.slice(slash + 1)) : undefined;
  for (const link of parsed.links) {
    for (const a of link.addresses) {
      if (normalizeAddress(a.address) !== want) continue;
      if (wantPrefix !== undefined && a.prefixlen !== wantPrefix) continue;
      return a;
    }
  }
  return undefined;
}
