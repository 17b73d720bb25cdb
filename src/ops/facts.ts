// What a running lab's nodes say about themselves, each node read in one exec.
import type {Director, Lab, RealServer} from '../lab/model.js'
import {findAddress, parseIpAddrJson} from '../parse/ipaddr.js'
import {type IpvsService, parseIpvsadm} from '../parse/ipvsadm.js'
import {parseKeepalivedData, parseKeepalivedJson, type VrrpState} from '../parse/keepalived.js'
import {containerName} from '../plan/plan.js'
import type {Runtime} from '../runtime/types.js'

export interface DirectorFacts {
  name: string
  container: string
  running: boolean
  keepalivedPid?: number
  /** VRRP state as keepalived itself reports it (its JSON or data dump), not guessed from the VIP. */
  vrrpState: VrrpState | 'NOT RUNNING'
  holdsVip: boolean
  vipLabel?: string
  eth0Up: boolean
  ipvs: IpvsService[]
  ipvsError?: string
}

export interface RealServerFacts {
  name: string
  container: string
  running: boolean
  httpd: boolean
  /** The page its httpd serves on its own address, e.g. "from 172.20.1.10". */
  page?: string
  vipOnLo: boolean
  vipPrefix?: number
  vipLabel?: string
  sysctls: Record<string, string>
}

function sections(text: string): Map<string, string> {
  const out = new Map<string, string>()
  let key = ''
  for (const line of text.split('\n')) {
    const m = /^@@(\w+)(?: (.*))?$/.exec(line)
    if (m) {
      key = m[1]!
      out.set(key, m[2] ? `${m[2]}\n` : '')
    } else if (key) out.set(key, `${out.get(key) ?? ''}${line}\n`)
  }
  return out
}

const DIRECTOR_SCRIPT = `
echo @@pid; pid=$(lvslab-svc pid keepalived) && echo "$pid"
echo @@addr; ip -j addr show dev eth0 2>&1
echo @@ipvs; ipvsadm -Ln 2>&1
if [ -n "$pid" ]; then
  if sig=$(keepalived --signum=JSON 2>/dev/null) && [ -n "$sig" ]; then f=/tmp/keepalived.json; else sig=USR1; f=/tmp/keepalived.data; fi
  rm -f "$f"; kill -"$sig" "$pid" 2>/dev/null
  i=0; while [ ! -s "$f" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
  sleep 0.1
  echo "@@vrrp $f"; cat "$f" 2>/dev/null
fi
echo @@end`

export async function directorFacts(rt: Runtime, lab: Lab, d: Director): Promise<DirectorFacts> {
  const container = containerName(lab, d.name)
  const base: DirectorFacts = {name: d.name, container, running: false, vrrpState: 'NOT RUNNING', holdsVip: false, eth0Up: false, ipvs: []}
  const info = await rt.findContainer(container)
  if (!info?.running) return base
  const res = await rt.exec(container, ['bash', '-c', DIRECTOR_SCRIPT])
  const s = sections(res.stdout)
  const facts: DirectorFacts = {...base, running: true}
  const pid = Number((s.get('pid') ?? '').trim())
  if (pid > 0) facts.keepalivedPid = pid
  try {
    const addrs = parseIpAddrJson(s.get('addr') ?? '')
    const eth0 = addrs.links.find((l) => l.ifname === 'eth0')
    facts.eth0Up = Boolean(eth0?.up)
    const vip = findAddress(addrs, lab.vip)
    facts.holdsVip = Boolean(vip)
    if (vip?.label) facts.vipLabel = vip.label
  } catch {
    // no eth0 facts
  }
  try {
    facts.ipvs = parseIpvsadm(s.get('ipvs') ?? '')
  } catch (error) {
    facts.ipvsError = (s.get('ipvs') ?? (error as Error).message).trim().split('\n')[0]
  }
  const vrrp = s.get('vrrp')
  if (facts.keepalivedPid && vrrp !== undefined) {
    const [file, ...rest] = vrrp.split('\n')
    const body = rest.join('\n')
    try {
      const states = file?.endsWith('.json') ? parseKeepalivedJson(body) : parseKeepalivedData(body)
      facts.vrrpState = states.find((st) => st.instance === lab.vrrp.instance)?.state ?? 'UNKNOWN'
    } catch {
      facts.vrrpState = 'UNKNOWN'
    }
  }
  return facts
}

function rsScript(lab: Lab, r: RealServer): string {
  const {port, health_check: hc} = lab.virtual_server
  return `
echo @@httpd; lvslab-svc status httpd >/dev/null 2>&1 && echo up
echo @@page; curl -s -m 3 'http://${r.ip}:${port}${hc.path}'
echo; echo @@lo; ip -j addr show dev lo 2>&1
echo @@sysctl; for k in eth0/arp_ignore eth0/arp_announce all/arp_ignore all/arp_announce; do echo "$k=$(cat /proc/sys/net/ipv4/conf/$k)"; done
echo @@end`
}

export async function realServerFacts(rt: Runtime, lab: Lab, r: RealServer): Promise<RealServerFacts> {
  const container = containerName(lab, r.name)
  const base: RealServerFacts = {name: r.name, container, running: false, httpd: false, vipOnLo: false, sysctls: {}}
  const info = await rt.findContainer(container)
  if (!info?.running) return base
  const res = await rt.exec(container, ['bash', '-c', rsScript(lab, r)])
  const s = sections(res.stdout)
  const facts: RealServerFacts = {...base, running: true, httpd: (s.get('httpd') ?? '').trim() === 'up'}
  const page = (s.get('page') ?? '').trim()
  if (page) facts.page = page
  try {
    const vip = findAddress(parseIpAddrJson(s.get('lo') ?? ''), lab.vip)
    if (vip) {
      facts.vipOnLo = true
      facts.vipPrefix = vip.prefixlen
      if (vip.label) facts.vipLabel = vip.label
    }
  } catch {
    // no lo facts
  }
  for (const line of (s.get('sysctl') ?? '').split('\n')) {
    const m = /^(\S+)=(\S*)$/.exec(line.trim())
    if (m) facts.sysctls[`net.ipv4.conf.${m[1]!.replace('/', '.')}`] = m[2]!
  }
  return facts
}

export async function labFacts(rt: Runtime, lab: Lab): Promise<{directors: DirectorFacts[]; realServers: RealServerFacts[]}> {
  const [directors, realServers] = await Promise.all([
    Promise.all(lab.directors.map((d) => directorFacts(rt, lab, d))),
    Promise.all(lab.real_servers.map((r) => realServerFacts(rt, lab, r))),
  ])
  return {directors, realServers}
}

/** The real servers whose httpd answers its own page: the set the IPVS table should hold. */
export function healthyServers(lab: Lab, rs: RealServerFacts[]): string[] {
  return rs.filter((f) => f.running && f.httpd && f.page === `from ${lab.real_servers.find((r) => r.name === f.name)?.ip}`)
    .map((f) => lab.real_servers.find((r) => r.name === f.name)!.ip)
}

export function vipService(lab: Lab, ipvs: IpvsService[]): IpvsService | undefined {
  return ipvs.find((s) => s.address === lab.vip && s.port === lab.virtual_server.port && s.protocol === lab.virtual_server.protocol)
}
