// Reading a running lab's state (Runtime -> LabSnapshot of src/state/snapshot.ts): each node read in
// one exec of lvslab-facts, the helper lvslab installs in the lab image (templates/lvslab-facts.hbs),
// which prints one JSON document whose raw outputs the pure parsers of src/parse read on every
// supported userland.
import type {Director, Lab, RealServer} from '../lab/model.js'
import {StepError} from '../errors.js'
import {findAddress, type IpAddrShow, parseIpOneline} from '../parse/ipaddr.js'
import {parseIpvsadm} from '../parse/ipvsadm.js'
import {parseKeepalivedData} from '../parse/keepalived.js'
import {containerName} from '../plan/plan.js'
import {timeScale} from '../time-scale.js'
import type {CallOptions, Runtime} from '../runtime/types.js'
import {type DirectorFacts, type LabSnapshot, type RealServerFacts, type SnapshotScope, wholeLab} from '../state/snapshot.js'

/** One fact as lvslab-facts reports it: a command's exit code and raw output (templates/lvslab-facts.hbs). */
export interface RawFact {
  ok: boolean
  code: number
  out: string
  err: string
}

/** The JSON document lvslab-facts prints for a node (version 1). */
export interface NodeReport {
  v: number
  ip: RawFact
  sysctl: RawFact
  /** `lvslab-svc pid keepalived`: exit 0 with its pid, 3 when it is not running, else unreadable. */
  keepalived: RawFact
  /** `lvslab-svc pid httpd`, the same way. */
  httpd: RawFact
  ipvs?: RawFact
  vrrp?: RawFact
  page?: RawFact
  /** With --keepalived: `keepalived --version` (as recorded in the image), `--help`, and the installed config. */
  keepalived_version?: RawFact
  keepalived_help?: RawFact
  keepalived_conf?: RawFact
}

/** A fact's failure in one line: its stderr, else its stdout, else its exit code. */
export function why(f: RawFact): string {
  return (f.err || f.out).trim().split('\n')[0] || `exit ${f.code}`
}

/**
 * How long (ms) one run of lvslab-facts may take by default: its slowest facts are keepalived's SIGUSR1
 * dump (a lock broken after 10 s, then at most 5 s for the file; templates/lvslab-facts.hbs) and the
 * page (curl -m 3), so 30 s, as the adapter's read calls (src/runtime/docker/calls.ts READ_TIMEOUT_MS),
 * rather than the 120 s of an exec's output; times LVSLAB_TIME_SCALE on slow hosts (the emulated test VM).
 */
export const FACTS_TIMEOUT_MS = 30_000 * timeScale()

/** The error of a lab image without lvslab-facts (made by an older lvslab): StepError "read <container>", with the fix. */
export function noFactsHelper(container: string): StepError {
  return new StepError(
    `read ${container}`,
    'the lab image has no lvslab-facts: it was made by an older lvslab',
    'make the image again (`lvslab image build` or `lvslab image import`), then `lvslab down` and `lvslab up`',
  )
}

/**
 * Runs lvslab-facts in a node (one exec) and parses its JSON document.
 * @param args the helper's flags: --ipvs, --vrrp, --page URL
 * @param opts the exec's abort signal, and its timeout (ms, default FACTS_TIMEOUT_MS)
 * @throws StepError when the helper is missing (an image made by an older lvslab) or prints no JSON.
 */
export async function readNode(rt: Runtime, container: string, args: string[], opts: CallOptions = {}): Promise<NodeReport> {
  const res = await rt.exec(container, ['lvslab-facts', ...args], {timeoutMs: opts.timeoutMs ?? FACTS_TIMEOUT_MS, signal: opts.signal})
  if (res.exitCode === 126 || res.exitCode === 127 || /executable file not found|no such file/i.test(res.stderr))
    throw noFactsHelper(container)
  try {
    const report = JSON.parse(res.stdout) as NodeReport
    if (report.v !== 1) throw new Error(`version ${String(report.v)}`)
    return report
  } catch (error) {
    throw new StepError(
      `read ${container}`,
      `lvslab-facts printed no report (${(error as Error).message}): ${(res.stderr || res.stdout).trim().slice(0, 200)}`,
    )
  }
}

/**
 * A service's pid from its fact: the pid when it runs, undefined when it does not (exit 3, the
 * contract of lvslab-svc's `pid`, templates/lvslab-svc.hbs, as LSB's "program is not running"), and an
 * unreadable entry (named `what`) pushed on `unreadable` for any other answer.
 */
export function servicePid(f: RawFact, what: string, unreadable: string[]): number | undefined {
  if (f.code === 3) return undefined
  const pid = Number(f.out.trim())
  if (f.ok && Number.isInteger(pid) && pid > 0) return pid
  unreadable.push(`${what}: ${f.ok ? `no pid in ${JSON.stringify(f.out.trim().slice(0, 40))}` : why(f)}`)
  return undefined
}

/** Applies the addresses and links of `ip -o link; ip -o addr` to a node's facts, or says why not. */
function addresses(report: NodeReport, unreadable: string[]): IpAddrShow | undefined {
  if (!report.ip.ok) {
    unreadable.push(`addresses: ${why(report.ip)}`)
    return undefined
  }
  try {
    return parseIpOneline(report.ip.out)
  } catch (error) {
    unreadable.push(`addresses: ${(error as Error).message}`)
    return undefined
  }
}

/**
 * What a director reports about itself, read in one exec of lvslab-facts: keepalived's pid and VRRP
 * state (its own dump on SIGUSR1 to /tmp/keepalived.data, keepalived(8) SIGNALS), the VIP on eth0,
 * eth0's link, the IPVS table (`ipvsadm -Ln`, ipvsadm(8)). A fact that could not be read is listed in
 * `unreadable` and never taken as "absent". A stopped container is reported as not running, unread; a
 * paused one (docker pause) as running and paused, unread.
 * @param signal aborts its engine calls (the inspect, and the exec with FACTS_TIMEOUT_MS)
 * @throws StepError when the engine fails ("interrupted" when the signal aborts), or from readNode (no lvslab-facts, or no report)
 */
export async function directorFacts(rt: Runtime, lab: Lab, d: Director, signal?: AbortSignal): Promise<DirectorFacts> {
  const container = containerName(lab, d.name)
  const base: DirectorFacts = {
    name: d.name,
    container,
    running: false,
    vrrpState: 'NOT RUNNING',
    holdsVip: false,
    eth0Up: false,
    ipvs: [],
    unreadable: [],
  }
  const info = await rt.findContainer(container, {signal})
  if (!info?.running) return base
  if (info.state === 'paused')
    return {
      ...base,
      running: true,
      paused: true,
      unreadable: ['facts: the container is paused (docker pause) (fix: `lvslab chaos restore` unpauses it)'],
    }
  const report = await readNode(rt, container, ['--ipvs', '--vrrp'], {signal})
  const facts: DirectorFacts = {...base, running: true}
  const pid = servicePid(report.keepalived, 'keepalived', facts.unreadable)
  if (pid) facts.keepalivedPid = pid
  const addrs = addresses(report, facts.unreadable)
  if (addrs) {
    facts.eth0Up = Boolean(addrs.links.find((l) => l.ifname === 'eth0')?.up)
    const vip = findAddress(addrs, lab.vip)
    facts.holdsVip = Boolean(vip)
    if (vip?.label) facts.vipLabel = vip.label
  }
  if (report.ipvs?.ok) {
    try {
      facts.ipvs = parseIpvsadm(report.ipvs.out)
    } catch (error) {
      facts.ipvsError = (error as Error).message
    }
  } else facts.ipvsError = report.ipvs ? why(report.ipvs) : 'not reported'
  if (facts.ipvsError) facts.unreadable.push(`IPVS table: ${facts.ipvsError}`)
  if (facts.keepalivedPid) {
    if (!report.vrrp?.ok) {
      facts.vrrpState = 'UNKNOWN'
      facts.unreadable.push(`VRRP state: ${report.vrrp ? why(report.vrrp) : 'not reported'}`)
    } else {
      try {
        const instance = parseKeepalivedData(report.vrrp.out, {strict: true}).find((st) => st.instance === lab.vrrp.instance)
        facts.vrrpState = instance?.state ?? 'UNKNOWN'
        if (!instance) facts.unreadable.push(`VRRP state: keepalived's dump has no instance ${lab.vrrp.instance}`)
        // a BACKUP that has heard no MASTER yet says priority 0 (master_priority is set by the first advert it
        // takes); the address is kept as printed, the predicate judges it (src/state/predicates.ts foreignMaster)
        if (instance?.state === 'BACKUP' && (instance.masterPriority ?? 0) > 0)
          facts.heardMaster = {priority: instance.masterPriority ?? 0, ...(instance.masterRouter ? {address: instance.masterRouter} : {})}
      } catch (error) {
        facts.vrrpState = 'UNKNOWN'
        facts.unreadable.push(`VRRP state: ${(error as Error).message}`)
      }
    }
  }
  return facts
}

/**
 * What a real server reports about itself, in one exec of lvslab-facts: httpd, its page (fetched on
 * its own address), the VIP on lo, the arp sysctls of eth0 and all (the kernel applies the larger
 * of conf/all and conf/eth0 for arp_ignore and arp_announce: ip-sysctl.rst). Unreadable facts are
 * listed, never guessed.
 * @param signal aborts its engine calls (the inspect, and the exec with FACTS_TIMEOUT_MS)
 * @throws StepError when the engine fails ("interrupted" when the signal aborts), or from readNode (no lvslab-facts, or no report)
 */
export async function realServerFacts(rt: Runtime, lab: Lab, r: RealServer, signal?: AbortSignal): Promise<RealServerFacts> {
  const container = containerName(lab, r.name)
  const base: RealServerFacts = {name: r.name, container, running: false, httpd: false, vipOnLo: false, sysctls: {}, unreadable: []}
  const info = await rt.findContainer(container, {signal})
  if (!info?.running) return base
  const {port, health_check: hc} = lab.virtual_server
  const report = await readNode(rt, container, ['--page', `http://${r.ip}:${port}${hc.path}`], {signal})
  const facts: RealServerFacts = {...base, running: true}
  facts.httpd = Boolean(servicePid(report.httpd, 'httpd', facts.unreadable))
  // a page that does not come while httpd runs is worth saying why (curl's own words)
  if (report.page && !report.page.ok && facts.httpd) facts.unreadable.push(`page: ${why(report.page)} (curl exit ${report.page.code})`)
  if (report.page?.ok) {
    // the body, then curl's last line: the status code
    const lines = report.page.out.replace(/\n$/, '').split('\n')
    const status = lines.pop()
    const page = lines.join('\n').trim()
    if (status === '200' && page) facts.page = page
  }
  const addrs = addresses(report, facts.unreadable)
  const vip = addrs ? findAddress({links: addrs.links.filter((l) => l.ifname === 'lo')}, lab.vip) : undefined
  if (vip) {
    facts.vipOnLo = true
    facts.vipPrefix = vip.prefixlen
    if (vip.label) facts.vipLabel = vip.label
  }
  for (const line of report.sysctl.out.split('\n')) {
    const m = /^(net\.ipv4\.conf\.\S+)=(\S*)$/.exec(line.trim())
    if (m?.[1] !== undefined && m[2] !== undefined) facts.sysctls[m[1]] = m[2]
  }
  if (!report.sysctl.ok) facts.unreadable.push(`arp sysctls: ${why(report.sysctl)}`)
  return facts
}

/**
 * The lab's snapshot: the facts of every node (or only those in `scope`), read in parallel, one exec of
 * lvslab-facts per running node, in the lab file's order.
 * @param signal aborts every read (a wait's check signal, src/ops/wait.ts, or the caller's interrupt)
 * @throws StepError as directorFacts and realServerFacts (the first node's failure)
 */
export async function labSnapshot(rt: Runtime, lab: Lab, scope: SnapshotScope = wholeLab(lab), signal?: AbortSignal): Promise<LabSnapshot> {
  const [directors, realServers] = await Promise.all([
    Promise.all(lab.directors.filter((d) => scope.directors.includes(d.name)).map((d) => directorFacts(rt, lab, d, signal))),
    Promise.all(lab.real_servers.filter((r) => scope.realServers.includes(r.name)).map((r) => realServerFacts(rt, lab, r, signal))),
  ])
  return {directors, realServers}
}
