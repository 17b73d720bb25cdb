/**
 * Parser for `ipvsadm -Lnc` (ipvsadm 1.31): IPVS's connection table.
 *
 * Layout (from ipvsadm.c list_conn / print_conn):
 *
 *   IPVS connection entries
 *   pro expire state       source             virtual            destination
 *   TCP 01:08  FIN_WAIT    172.20.255.254:37672 172.20.1.100:80    172.20.1.10:80
 *
 * - an entry: protocol, time left (mm:ss), state, then client, virtual and real server as ADDRESS:PORT;
 *   IPv6 addresses are bracketed (`[2001:db8::1]:80`); with --persistent-conn ipvsadm adds the
 *   columns "pe name" and "pe_data", which are ignored.
 * - In direct routing (LVS-DR) IPVS sees only the client's packets, so a closed connection stays in
 *   FIN_WAIT until its timeout (tcpfin, 120 s by default; `ipvsadm -L --timeout`), and an entry whose
 *   end it never saw stays ESTABLISHED (900 s): Documentation/networking/ipvs-sysctl.rst, conn_reuse_mode.
 */
import {snippet} from './text.js'

/** One entry of IPVS's connection table. */
export interface IpvsConnection {
  protocol: string
  /** Seconds until IPVS forgets the entry. */
  expiresS: number
  /** IPVS's state name: ESTABLISHED, SYN_RECV, FIN_WAIT, TIME_WAIT, CLOSE, NONE... */
  state: string
  /** The client's address and port, "ADDRESS:PORT" as printed (IPv6 bracketed). */
  client: string
  /** The virtual service, "VIP:PORT". */
  virtual: string
  /** The real server the connection was sent to, "ADDRESS:PORT". */
  realServer: string
}

const TITLE = /^IPVS connection entries$/
const HEADER = /^pro\s+expire\s+state\s+source\s+virtual\s+destination(\s+pe name\s+pe_data)?$/
const ENTRY = /^(TCP|UDP|SCTP|IP)\s+(\d+):(\d{2})\s+(\S+)\s+(\S+:\d+)\s+(\S+:\d+)\s+(\S+:\d+)(?:\s+.*)?$/

/**
 * Parses `ipvsadm -Lnc` into its entries, in listing order.
 * @returns the entries (none for an empty table: the two title lines alone)
 * @throws Error when the text is not that listing ("Can't initialize ipvs" without ip_vs, a permission
 *   error, empty text), or on a line it does not know (a name instead of a number: run with -n)
 */
export function parseIpvsConnections(text: string): IpvsConnection[] {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .filter((l) => l.trim() !== '')
  if (!TITLE.test(lines[0]?.trim() ?? '')) throw new Error(`not ipvsadm -Lnc output: ${snippet(text) || '(empty)'}`)
  const out: IpvsConnection[] = []
  for (const line of lines.slice(1)) {
    const t = line.trim()
    if (HEADER.test(t)) continue
    const m = ENTRY.exec(t)
    const [, protocol, min, sec, state, client, virtual, realServer] = m ?? []
    if (!protocol || !state || !client || !virtual || !realServer) throw new Error(`ipvsadm -Lnc: cannot read the line: ${snippet(t)}`)
    out.push({protocol, expiresS: Number(min) * 60 + Number(sec), state, client, virtual, realServer})
  }
  return out
}
