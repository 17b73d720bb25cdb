/**
 * Parser for `ipvsadm -Ln` (ipvsadm 1.31) output.
 *
 * Layout (from ipvsadm.c list_all / print_title / print_service_entry):
 *
 *   IP Virtual Server version 1.2.1 (size=4096)
 *   Prot LocalAddress:Port Scheduler Flags
 *     -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
 *   TCP  172.20.1.100:80 rr persistent 50
 *     -> 172.20.1.10:80               Route   1      0          0
 *
 * - service line: `"%s  %s"` (protocol, addr:port) then `" %s"` scheduler, then
 *   optional `" (flag,flag)"` scheduler flags, `" persistent N"`, `" mask M"`,
 *   `" pe NAME"`, `" ops"`.
 * - fwmark services print `FWM  <mark>` (plus ` IPv6` for IPv6 fwmark services).
 * - IPv6 addresses are bracketed: `[2001:db8::1]:80`.
 * - real server line: `"  -> %-28s %-7s %-6d %-10u %-10u"`.
 * - `ipvsadm -Ln -t VIP:PORT` prints the two title lines but not the version line.
 */
import {snippet} from './text.js'

/** A real server line: `-> ADDRESS:PORT FORWARD WEIGHT ACTIVECONN INACTCONN` (Route is direct routing, LVS-DR). */
export interface IpvsRealServer {
  address: string
  port: number
  forward: 'Route' | 'Masq' | 'Tunnel' | 'Local' | string
  weight: number
  activeConn: number
  inactConn: number
}

/** A virtual service line and the real servers listed under it. */
export interface IpvsService {
  protocol: 'TCP' | 'UDP' | 'SCTP' | 'FWM'
  /** Virtual address; '' for FWM services. */
  address: string
  /** Virtual port; 0 for FWM services. */
  port: number
  scheduler: string
  /**
   * Everything printed after the scheduler, one entry per flag:
   * `persistent 50`, `mask 255.255.255.0`, `pe sip`, `ops`, and scheduler flags
   * such as `sh-fallback` / `sh-port` (printed by ipvsadm as `(sh-fallback,sh-port)`).
   */
  flags: string[]
  realServers: IpvsRealServer[]
  /** Persistence timeout in seconds, when the service is persistent. */
  persistent?: number
  /** Firewall mark, for FWM services. */
  fwmark?: number
}

const VERSION_RE = /^IP Virtual Server version \d+\.\d+\.\d+ \(size=\d+\)$/
const TITLE_RE = /^Prot LocalAddress:Port\s+Scheduler Flags$/
const RS_TITLE_RE = /^\s+->\s+RemoteAddress:Port\s+Forward\s+Weight\s+ActiveConn\s+InActConn$/
const SERVICE_RE = /^(TCP|UDP|SCTP)\s+(\S+)\s+(\S+)(?:\s+(.*))?$/
const FWM_RE = /^FWM\s+(\d+)(?:\s+IPv6)?\s+(\S+)(?:\s+(.*))?$/
const RS_RE = /^\s+->\s+(\S+)\s+(\S+)\s+(-?\d+)\s+(\d+)\s+(\d+)\s*$/

/** Flags that ipvsadm prints followed by one value. */
const FLAGS_WITH_VALUE = new Set(['persistent', 'mask', 'pe'])

function parseAddrPort(token: string, line: string): {address: string; port: number} {
  const m = /^\[(.+)\]:(\S+)$/.exec(token) ?? /^([^:\]]+):(\S+)$/.exec(token)
  if (!m || m[1] === undefined || m[2] === undefined) {
    throw new Error(`ipvsadm: cannot parse address:port "${token}" in line: ${line.trim()}`)
  }
  if (!/^\d+$/.test(m[2])) {
    throw new Error(`ipvsadm: non-numeric port "${m[2]}" in line: ${line.trim()} (run ipvsadm with -n)`)
  }
  const port = Number(m[2])
  if (port > 65535) {
    throw new Error(`ipvsadm: port out of range "${m[2]}" in line: ${line.trim()}`)
  }
  return {address: m[1], port}
}

function parseFlags(rest: string | undefined): {flags: string[]; persistent?: number} {
  const flags: string[] = []
  let persistent: number | undefined
  if (rest === undefined) return {flags}
  let s = rest.trim()
  // Scheduler flags come first, in parentheses: "(sh-fallback,sh-port)".
  const paren = /^\(([^)]*)\)\s*/.exec(s)
  if (paren) {
    for (const f of (paren[1] ?? '').split(',')) {
      const t = f.trim()
      if (t) flags.push(t)
    }
    s = s.slice(paren[0].length)
  }
  const tokens = s.split(/\s+/).filter((t) => t.length > 0)
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] as string
    const next = tokens[i + 1]
    if (FLAGS_WITH_VALUE.has(tok) && next !== undefined) {
      flags.push(`${tok} ${next}`)
      if (tok === 'persistent' && /^\d+$/.test(next)) persistent = Number(next)
      i++
    } else {
      flags.push(tok)
    }
  }
  return persistent === undefined ? {flags} : {flags, persistent}
}

/**
 * Parse `ipvsadm -Ln` output into services, in listing order, each with its real servers.
 * @throws Error when the text is not ipvsadm list output ("Can't initialize ipvs: ..." without
 *   ip_vs, a permission error, empty text), on a line it does not know, a real server line before
 *   any service, and an address or port it cannot read (a name instead of a number: run with -n).
 */
export function parseIpvsadm(text: string): IpvsService[] {
  const normalized = text.replace(/\r\n?/g, '\n')
  if (/Can't initialize ipvs/i.test(normalized)) {
    throw new Error(`ipvsadm failed: ${snippet(normalized)}`)
  }
  const lines = normalized.split('\n')
  const services: IpvsService[] = []
  let sawHeader = false
  let current: IpvsService | undefined

  for (const line of lines) {
    if (line.trim() === '') continue
    if (VERSION_RE.test(line) || TITLE_RE.test(line) || RS_TITLE_RE.test(line)) {
      sawHeader = true
      continue
    }
    if (!sawHeader) {
      throw new Error(`not ipvsadm -Ln output: ${snippet(normalized)}`)
    }

    const svc = SERVICE_RE.exec(line)
    if (svc) {
      const [, proto, addrPort, sched, rest] = svc
      const {address, port} = parseAddrPort(addrPort as string, line)
      const {flags, persistent} = parseFlags(rest)
      current = {
        protocol: proto as 'TCP' | 'UDP' | 'SCTP',
        address,
        port,
        scheduler: sched as string,
        flags,
        realServers: [],
        ...(persistent === undefined ? {} : {persistent}),
      }
      services.push(current)
      continue
    }

    const fwm = FWM_RE.exec(line)
    if (fwm) {
      const [, mark, sched, rest] = fwm
      const {flags, persistent} = parseFlags(rest)
      current = {
        protocol: 'FWM',
        address: '',
        port: 0,
        scheduler: sched as string,
        flags,
        realServers: [],
        fwmark: Number(mark),
        ...(persistent === undefined ? {} : {persistent}),
      }
      services.push(current)
      continue
    }

    const rs = RS_RE.exec(line)
    if (rs) {
      if (!current) {
        throw new Error(`ipvsadm: real server line before any service: ${line.trim()}`)
      }
      const [, addrPort, forward, weight, active, inact] = rs
      const {address, port} = parseAddrPort(addrPort as string, line)
      current.realServers.push({
        address,
        port,
        forward: forward as string,
        weight: Number(weight),
        activeConn: Number(active),
        inactConn: Number(inact),
      })
      continue
    }

    throw new Error(`ipvsadm: unrecognised line: ${line.trim()}`)
  }

  if (!sawHeader) {
    throw new Error(normalized.trim() === '' ? 'not ipvsadm -Ln output: empty text' : `not ipvsadm -Ln output: ${snippet(normalized)}`)
  }
  return services
}
