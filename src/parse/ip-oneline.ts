// Parser of `ip -o link show` + `ip -o addr show` (one-line text), which every iproute2 version
// prints, CentOS 7's 4.11 included.
import type {IfAddr, IpAddrShow, IpLink} from './ip-link.js'

/** Address flags ip prints as single words after `scope X` (ip/ipaddress.c print_ifa_flags). */
const IFA_FLAG_WORDS = new Set([
  'secondary',
  'temporary',
  'tentative',
  'deprecated',
  'home',
  'nodad',
  'mngtmpaddr',
  'noprefixroute',
  'autojoin',
  'dynamic',
  'dadfailed',
  'optimistic',
  'stable-privacy',
  'permanent',
])
/** Keywords ip prints followed by one value on an address line. */
const IFA_KEYWORDS_WITH_VALUE = new Set(['brd', 'any', 'scope', 'peer', 'metric', 'proto', 'flags'])

/** `N: NAME[@PEER]: <FLAGS> rest` — a link line of `ip -o link show`. */
const LINK_LINE_RE = /^(\d+):\s+([^\s:@]+)(?:@([^\s:]+))?:\s+<([^>]*)>(.*)$/
/** `N: NAME    FAMILY rest` — an address line of `ip -o addr show`. */
const ADDR_LINE_RE = /^(\d+):\s+([^\s:@]+)\s+(inet6?|link|dnet|ipx|family\s+\d+)\s+(.*)$/

function lineSnippet(line: string): string {
  const t = line.trim()
  return t.length > 120 ? `${t.slice(0, 117)}...` : t
}

/**
 * Parse the concatenated output of `ip -o link show` followed by `ip -o addr show` into the same
 * {@link IpAddrShow} shape as {@link parseIpAddrJson}.
 *
 * Why this format: it is the only machine-friendly one every supported userland has — CentOS 7's
 * iproute 4.11 has no `ip -j` (JSON output came with iproute2 4.13/4.14). The one-line layout comes from
 * ip/ipaddress.c (print_linkinfo / print_addrinfo; `-o` sets `_SL_` to "\\", so the record's would-be
 * newlines become a backslash) and has not changed between iproute 4.11 and 6.15 for these fields:
 *
 *   1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
 *   11: eth0@if12: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default \    link/ether 02:42:ac:14:01:01 brd ff:ff:ff:ff:ff:ff link-netnsid 0
 *   11: eth0    inet 172.20.1.1/16 brd 172.20.255.255 scope global eth0\       valid_lft forever preferred_lft forever
 *   11: eth0    inet 172.20.1.100/32 scope global eth0:1\       valid_lft forever preferred_lft forever
 *   11: eth0    inet6 fe80::42:acff:fe14:101/64 scope link \       valid_lft forever preferred_lft forever
 *
 * (iproute2 >= 6.x may add `proto kernel_lo`, `proto keepalived`, ... before the label; handled.)
 *
 * - `ifname` drops the `@if12` / `@NONE` peer suffix; `up` is the UP flag inside `<...>` (lo's
 *   `state UNKNOWN` is normal), `operstate` the word after `state` ('UNKNOWN' when not printed).
 * - For `inet` the label is the last word before the `\` (the kernel reports IFA_LABEL for every IPv4
 *   address and ip prints it last), e.g. `eth0`, `eth0:1`, `lo:1`. `inet6` addresses have no label.
 * - Point-to-point addresses (`10.0.0.1 peer 10.0.0.2/32`) take the peer's prefix length.
 * - Blank lines and `link`/`dnet`/`ipx` address families are ignored.
 *
 * @param text stdout of `ip -o link show; ip -o addr show` (CRLF tolerated).
 * @returns every link, in `ip -o link` order, each with its addresses in `ip -o addr` order.
 * @throws Error on empty text, on any line that is neither a link nor an address line (e.g.
 *   `Cannot open netlink socket`, `Device "eth9" does not exist.`), on a truncated line (a link line
 *   without its `link/TYPE` part, an inet/inet6 line without `valid_lft`, an address without
 *   `/prefix`), on an address whose ifindex has no link line (a missing `ip -o link` half), and on a
 *   link listed twice. A garbled or cut text is never read as "no such address".
 */
export function parseIpOneline(text: string): IpAddrShow {
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  if (lines.every((l) => l.trim() === '')) {
    throw new Error('ip -o link/addr show: empty output')
  }
  const byIndex = new Map<number, IpLink>()
  const links: IpLink[] = []

  for (const raw of lines) {
    if (raw.trim() === '') continue
    // `-o` joins a record's lines with "\"; the first segment is all we need (the rest is
    // `link/ether ...` or `valid_lft ...`), but its presence proves the line is whole.
    const segments = raw.split('\\')
    const head = (segments[0] ?? '').trimEnd()
    const tail = segments.slice(1).join('\\')

    const link = LINK_LINE_RE.exec(head)
    if (link) {
      const [, idx, ifname, , flagText, rest] = link
      if (!/^\s*link\/\S+/.test(tail)) {
        throw new Error(`ip -o link show: truncated link line (no "link/TYPE" part): ${lineSnippet(raw)}`)
      }
      const index = Number(idx)
      if (byIndex.has(index)) {
        throw new Error(`ip -o link show: link ${index} listed twice: ${lineSnippet(raw)}`)
      }
      const flags = (flagText ?? '').split(',').map((f) => f.trim())
      const state = /(?:^|\s)state\s+(\S+)/.exec(rest ?? '')
      const entry: IpLink = {
        ifname: ifname as string,
        operstate: state?.[1] ?? 'UNKNOWN',
        up: flags.includes('UP'),
        addresses: [],
      }
      byIndex.set(index, entry)
      links.push(entry)
      continue
    }

    const addr = ADDR_LINE_RE.exec(head)
    if (addr) {
      const [, idx, ifname, familyWord, rest] = addr
      if (familyWord !== 'inet' && familyWord !== 'inet6') continue
      const family: 'inet' | 'inet6' = familyWord
      if (!/valid_lft\s+\S+/.test(tail)) {
        throw new Error(`ip -o addr show: truncated ${family} line (no "valid_lft"): ${lineSnippet(raw)}`)
      }
      const index = Number(idx)
      const owner = byIndex.get(index)
      if (!owner) {
        throw new Error(
          `ip -o addr show: address on ifindex ${index} (${ifname}) but no such link in the "ip -o link show" part: ${lineSnippet(raw)}`,
        )
      }
      if (owner.ifname !== ifname) {
        throw new Error(
          `ip -o addr show: ifindex ${index} is "${owner.ifname}" in ip -o link but "${ifname}" in ip -o addr: ${lineSnippet(raw)}`,
        )
      }
      const words = (rest ?? '').trim().split(/\s+/)
      const local = words[0] ?? ''
      let address: string
      let prefixlen: number
      let label: string | undefined
      const slash = local.indexOf('/')
      if (slash > 0) {
        address = local.slice(0, slash)
        prefixlen = Number(local.slice(slash + 1))
      } else {
        const peerAt = words.indexOf('peer')
        const peer = peerAt >= 0 ? words[peerAt + 1] : undefined
        const m = peer ? /\/(\d+)$/.exec(peer) : null
        if (!m) {
          throw new Error(`ip -o addr show: ${family} address without /prefix: ${lineSnippet(raw)}`)
        }
        address = local
        prefixlen = Number(m[1])
      }
      const maxPrefix = family === 'inet' ? 32 : 128
      if (!address || !Number.isInteger(prefixlen) || prefixlen < 0 || prefixlen > maxPrefix) {
        throw new Error(`ip -o addr show: bad ${family} address "${local}": ${lineSnippet(raw)}`)
      }
      if (family === 'inet') {
        // words after the address: keywords with a value, flag words, then the label (last).
        let candidate: string | undefined
        for (let i = 1; i < words.length; i++) {
          const w = words[i] as string
          if (IFA_KEYWORDS_WITH_VALUE.has(w)) {
            i++
            continue
          }
          if (IFA_FLAG_WORDS.has(w)) continue
          candidate = w
        }
        if (candidate !== undefined && candidate === words[words.length - 1]) label = candidate
      }
      const entry: IfAddr = {ifname: owner.ifname, family, address, prefixlen}
      if (label !== undefined) entry.label = label
      owner.addresses.push(entry)
      continue
    }

    throw new Error(`ip -o link/addr show: unrecognised line: ${lineSnippet(raw)}`)
  }

  if (links.length === 0) {
    throw new Error('ip -o link/addr show: no link lines (the "ip -o link show" part is missing)')
  }
  return {links}
}
