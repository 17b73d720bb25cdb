// The raw texts the real tools print, made for the memory runtime's simulated nodes. The model of
// every text is a recording of Debian 12 (test/fixtures/userland/debian12, see SOURCES.md there):
// keepalived 2.2.7's --version, --help and SIGUSR1 dump, iproute2 6.1's `ip -o link/addr`, ipvsadm
// 1.31's `ipvsadm -Ln`, curl 7.88's error lines. lvslab's own parsers (src/parse/**) read them.
import {readFileSync} from 'node:fs'

const FIXTURES = new URL('../../fixtures/userland/debian12/', import.meta.url)
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8')

/** `keepalived --version 2>&1` of Debian 12 (keepalived-version.txt, recorded), as /etc/lvslab-keepalived-version holds it. */
export const KEEPALIVED_VERSION = fixture('keepalived-version.txt')

/** `keepalived --help 2>&1` of Debian 12 (keepalived-help.txt, recorded): it has `-t, --config-test`. */
export const KEEPALIVED_HELP = fixture('keepalived-help.txt')

/** The recorded MASTER dump (keepalived.data), cut into the part before, in and after the VRRP Topology section. */
const DUMP = (() => {
  const text = fixture('keepalived.data')
  const start = text.indexOf('------< VRRP Topology >------')
  const end = text.indexOf('------< VRRP Sockpool >------')
  return {head: text.slice(0, start), topology: text.slice(start, end), tail: text.slice(end)}
})()

/** What a director's keepalived dump says about its one VRRP instance. */
export interface DumpFacts {
  routerId: string
  instance: string
  state: 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT'
  vrid: number
  priority: number
  advertInt: number
  srcIp: string
  vip: string
  /** Whether the VIP is set on the interface now (2.x prints " set" after it then). */
  vipSet: boolean
}

/**
 * /tmp/keepalived.data as keepalived 2.2.7 writes it on SIGUSR1 (vrrp_data.c dump_data_vrrp()): the
 * recorded MASTER dump with this instance's values put in (state, wantstate, priorities, VRID,
 * advert interval, source address, VIP).
 */
export function keepalivedDump(f: DumpFacts): string {
  const want = f.state === 'FAULT' ? 'BACKUP' : f.state
  const topology = DUMP.topology
    .replace(/^ VRRP Instance = .*$/m, ` VRRP Instance = ${f.instance}`)
    .replace(/^ {3}State = .*$/m, `   State = ${f.state}`)
    .replace(/^ {3}Wantstate = .*$/m, `   Wantstate = ${want}`)
    .replace(/^ {3}Using src_ip = .*$/m, `   Using src_ip = ${f.srcIp}`)
    .replace(/^ {3}Virtual Router ID = .*$/m, `   Virtual Router ID = ${f.vrid}`)
    .replace(/^ {3}(Priority|Effective priority|Total priority) = .*$/gm, (_m, k: string) => `   ${k} = ${f.priority}`)
    .replace(/^ {3}Advert interval = .*$/m, `   Advert interval = ${f.advertInt} sec`)
    .replace(/^ {5}\S+ dev eth0 scope global label eth0:1.*$/m, `     ${f.vip} dev eth0 scope global label eth0:1${f.vipSet ? ' set' : ''}`)
  const head = DUMP.head.replace(/^ Router ID = .*$/m, ` Router ID = ${f.routerId}`)
  const tail = DUMP.tail
    .replace(/^ {5}VI_1 vrid 51$/m, `     ${f.instance} vrid ${f.vrid}`)
    .replace(/^ {5}VI_1, weight 0$/m, `     ${f.instance}, weight 0`)
    .replace(/IPv4 address = 172\.20\.1\.1$/m, `IPv4 address = ${f.srcIp}`)
  return head + topology + tail
}

/** An IPv4 address on a link, as `ip -o addr show` prints it. */
export interface ShownAddress {
  address: string
  prefix: number
  /** The broadcast address, printed as "brd X" (only for the interface's own subnet address). */
  brd?: string
  scope: 'host' | 'global'
  label: string
}

/** A link of a container: lo, or eth0 (the veth, printed as eth0@ifN). */
export interface ShownLink {
  index: number
  name: 'lo' | 'eth0'
  up: boolean
  mac: string
  addresses: ShownAddress[]
}

const VALID = '\\       valid_lft forever preferred_lft forever'

/**
 * `ip -o link show && ip -o addr show` of a container, in iproute2 6.1's one-line layout (ip-o.txt):
 * the link lines, then per link its inet lines and its inet6 line. A link that is down loses UP and
 * LOWER_UP and reports state DOWN; its addresses stay.
 */
export function ipOneline(links: ShownLink[]): string {
  const out: string[] = []
  for (const l of links) {
    if (l.name === 'lo')
      out.push(
        `${l.index}: lo: <LOOPBACK${l.up ? ',UP,LOWER_UP' : ''}> mtu 65536 qdisc noqueue state ${l.up ? 'UNKNOWN' : 'DOWN'} mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00`,
      )
    else
      out.push(
        `${l.index}: eth0@if${l.index + 1}: <BROADCAST,MULTICAST${l.up ? ',UP,LOWER_UP' : ''}> mtu 1500 qdisc noqueue state ${l.up ? 'UP' : 'DOWN'} mode DEFAULT group default \\    link/ether ${l.mac} brd ff:ff:ff:ff:ff:ff link-netnsid 0`,
      )
  }
  for (const l of links) {
    for (const a of l.addresses)
      out.push(`${l.index}: ${l.name}    inet ${a.address}/${a.prefix} ${a.brd ? `brd ${a.brd} ` : ''}scope ${a.scope} ${a.label}${VALID}`)
    if (l.name === 'lo') out.push(`${l.index}: lo    inet6 ::1/128 scope host ${VALID}`)
  }
  return `${out.join('\n')}\n`
}

/** A real server of an IPVS service, as keepalived programs it. */
export interface ShownDestination {
  address: string
  port: number
  /** ipvsadm's word: Route (DR), Masq (NAT), Tunnel (TUN). */
  forward: string
  weight: number
  activeConn: number
  inactConn: number
}

/** An IPVS virtual service. */
export interface ShownService {
  protocol: string
  address: string
  port: number
  scheduler: string
  destinations: ShownDestination[]
}

/**
 * `ipvsadm -Ln` as ipvsadm 1.31 prints it (ipvsadm-Ln.txt; ipvsadm.c print_service_entry: the service
 * as "%s  %s %s", each real server as "  -> %-28s %-7s %-6d %-10u %-10u").
 */
export function ipvsadmLn(services: ShownService[]): string {
  const out = [
    'IP Virtual Server version 1.2.1 (size=4096)',
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
  ]
  for (const s of services) {
    out.push(`${s.protocol}  ${s.address}:${s.port} ${s.scheduler}`)
    for (const d of s.destinations)
      out.push(
        `  -> ${`${d.address}:${d.port}`.padEnd(28)} ${d.forward.padEnd(7)} ${String(d.weight).padEnd(6)} ${String(d.activeConn).padEnd(10)} ${String(d.inactConn).padEnd(10)}`,
      )
  }
  return `${out.join('\n')}\n`
}

/**
 * `ipvsadm -Lnc` (ipvsadm 1.31 list_conn): its two title lines, then one entry per connection, each
 * FIN_WAIT with 01:30 left (a closed connection in LVS-DR, where IPVS sees only the client's packets).
 * @param conns client "ADDRESS:PORT" to the real server's address, oldest first
 */
export function ipvsadmLnc(vip: string, port: number, conns: ReadonlyMap<string, string>): string {
  const out = ['IPVS connection entries', 'pro expire state       source             virtual            destination']
  for (const [client, rs] of conns) out.push(`TCP 01:30  FIN_WAIT    ${client.padEnd(18)} ${`${vip}:${port}`.padEnd(18)} ${rs}:${port}`)
  return `${out.join('\n')}\n`
}

/** ipvsadm's words on a kernel without ip_vs (ipvsadm.c: "Can't initialize ipvs: ..."), exit 2. */
export const IPVS_MISSING =
  "Can't initialize ipvs: Protocol not available\nAre you sure that IP Virtual Server is built in the kernel or as module?\n"

/** curl 7.88's line for a refused connection (exit 7). */
export function curlRefused(ip: string, port: number): string {
  return `curl: (7) Failed to connect to ${ip} port ${port} after 0 ms: Couldn't connect to server\n`
}

/** curl 7.88's line for -m running out (exit 28). */
export function curlTimeout(seconds: number): string {
  return `curl: (28) Connection timed out after ${seconds * 1000 + 1} milliseconds\n`
}

/** Docker's MAC address of an endpoint before 28.0: 02:42 and the IPv4 address's four bytes. */
export function macOf(ip: string): string {
  return ['02', '42', ...ip.split('.').map((b) => Number(b).toString(16).padStart(2, '0'))].join(':')
}

/** What bash's `$(...)` keeps of a command's output: everything but its trailing newlines. */
export function substituted(text: string): string {
  return text.replace(/\n+$/, '')
}
