// What `ip` says about links and addresses, in the one shape both of its parsers give
// (ipaddr.ts parseIpAddrJson for `ip -j addr show`, ip-oneline.ts parseIpOneline for `ip -o`).

/** One address of a link, e.g. {ifname: "lo", family: "inet", address: "172.20.1.100", prefixlen: 32, label: "lo:1"}. */
export interface IfAddr {
  ifname: string
  family: 'inet' | 'inet6'
  address: string
  prefixlen: number
  /** IFA_LABEL, which the kernel reports for every IPv4 address (the interface name unless set, e.g. eth0:1); none for IPv6. */
  label?: string
}

/** One link (interface) and its addresses. */
export interface IpLink {
  ifname: string
  /** The word after "state" (UP, DOWN, UNKNOWN: lo is UNKNOWN when up). */
  operstate: string
  /** true when the link's "flags" include "UP" (administratively up). */
  up: boolean
  addresses: IfAddr[]
}

/** Every link `ip` listed, in its order. */
export interface IpAddrShow {
  links: IpLink[]
}

function normalizeAddress(a: string): string {
  return a.trim().toLowerCase()
}

/**
 * Find an address on any link. `address` may be bare ("172.20.1.100") or in CIDR
 * form ("172.20.1.100/32"), in which case the prefix length must match too.
 * IPv6 comparison is case-insensitive but not canonicalising (compare as printed).
 */
export function findAddress(parsed: IpAddrShow, address: string): IfAddr | undefined {
  const slash = address.indexOf('/')
  const want = normalizeAddress(slash >= 0 ? address.slice(0, slash) : address)
  const wantPrefix = slash >= 0 ? Number(address.slice(slash + 1)) : undefined
  for (const link of parsed.links) {
    for (const a of link.addresses) {
      if (normalizeAddress(a.address) !== want) continue
      if (wantPrefix !== undefined && a.prefixlen !== wantPrefix) continue
      return a
    }
  }
  return undefined
}
