// The lab's behaviour, simulated over the memory engine's containers: the VRRP election among the
// directors (highest priority among those whose keepalived runs with eth0 up; nopreempt honoured),
// the HTTP_GET health checks that fill each director's IPVS table, and HTTP requests to the VIP
// (answered round robin by the real servers in the holder's table). A loss (keepalived stopped,
// eth0 down) shows at once; a takeover and a health check's verdict come after their delays, so
// that polls see the states in between, as on a real lab.
import {type NodeState, type SimVrrpState} from './node.js'
import {type LabFaults, newLabFaults} from './faults.js'

/** A container as the model sees it. */
export interface SimContainer {
  name: string
  running: boolean
  /** The engine's State.Status; "paused" freezes the container's processes (docker pause). */
  state?: string
  network: string
  ip: string
  node: NodeState
}

/** Delays of the simulated lab (ms of the clock in use: real, or vitest's fake one). */
export interface Timings {
  /** From a VRRP change until the election has settled: a BACKUP's takeover, a MASTER's takeback. */
  vrrpMs: number
  /** From a real server's (or a director's link's) change until the health checks act on it. */
  checkMs: number
  /** How long a request that is answered takes (curl's time_total). */
  httpMs: number
}

/** Short real delays: polls see the states in between, and a whole `up` takes well under a second. */
export const QUICK: Timings = {vrrpMs: 60, checkMs: 120, httpMs: 1}

/** The answer to one HTTP request, as curl would report it. */
export interface HttpAnswer {
  /** 0 when no answer came (curl prints 000). */
  status: number
  /** The connection's local end "ADDRESS:PORT" (curl's %{local_ip}:%{local_port}); absent when none was made. */
  client?: string
  body: string
  /** curl's time_total (ms). */
  ms: number
  /** curl's exit code: 0, 7 (refused) or 28 (timed out). */
  exit: number
}

/** The file Apache serves for a URL path: query dropped, percent-decoded, index.html for a folder. */
export function documentPath(urlPath: string): string {
  const path = decodeURIComponent(urlPath.split('?')[0] ?? '/')
  return `/var/www/html${path.endsWith('/') ? `${path}index.html` : path}`
}

/** The lab's simulated behaviour over a world of containers. */
export class LabModel {
  readonly faults: LabFaults = newLabFaults()
  private readonly timers = new Set<NodeJS.Timeout>()

  constructor(
    private readonly world: () => SimContainer[],
    readonly timings: Timings,
  ) {}

  /** Runs `fn` after `ms` (at once for 0); every pending timer ends with close(). */
  later(ms: number, fn: () => void): void {
    if (ms <= 0) return fn()
    const t = setTimeout(() => {
      this.timers.delete(t)
      fn()
    }, ms)
    this.timers.add(t)
  }

  /** Stops every pending transition. */
  close(): void {
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
  }

  /**
   * After any change of a node: a director that can no longer take part loses the VIP at once
   * (keepalived's FAULT state, or its end); the election and the health checks follow after their delays.
   * Each of those reads the lab as it is when it runs, as keepalived's periodic timers do: a later
   * change can be acted on by an earlier change's pending election or check, never later than its own.
   */
  changed(): void {
    for (const c of this.directors()) {
      const n = c.node
      if (n.pids.keepalived && !n.eth0Up) this.setState(c, 'FAULT')
      else if (n.pids.keepalived && n.vrrp === 'FAULT') this.setState(c, 'BACKUP')
    }
    this.later(this.timings.vrrpMs, () => this.elect())
    this.later(this.timings.checkMs, () => this.check())
  }

  /** The running directors: containers whose keepalived runs with a config. */
  directors(): SimContainer[] {
    // a paused container's keepalived is frozen: it neither advertises nor checks, and keeps its state and VIP
    return this.world().filter((c) => c.running && c.state !== 'paused' && c.node.conf && c.node.pids.keepalived)
  }

  private setState(c: SimContainer, state: SimVrrpState): void {
    if (state === 'MASTER' && c.node.vrrp !== 'MASTER') c.node.masterSince = Date.now()
    c.node.vrrp = state
    c.node.vipHeld = state === 'MASTER'
  }

  /** The election, per network and virtual router: one MASTER (all of them under a split brain). */
  elect(): void {
    const groups = new Map<string, SimContainer[]>()
    for (const c of this.directors()) {
      const key = `${c.network} ${c.node.conf!.vrid}`
      groups.set(key, [...(groups.get(key) ?? []), c])
    }
    for (const group of groups.values()) {
      const eligible = group.filter((c) => c.node.electable && !this.faults.neverMaster.has(c.name))
      const byPriority = [...eligible].sort((a, b) => b.node.conf!.priority - a.node.conf!.priority || ipOrder(b.ip, a.ip))
      const best = byPriority[0]
      const current = eligible.find((c) => c.node.vrrp === 'MASTER')
      // a BACKUP with nopreempt does not take the VIP from a running MASTER (keepalived.conf(5))
      const winner = current && best && best !== current && best.node.conf!.nopreempt ? current : best
      for (const c of group) {
        if (!c.node.eth0Up) this.setState(c, 'FAULT')
        // a director whose adverts tc drops is not heard: with two, each sees itself alone (split brain)
        else
          this.setState(
            c,
            this.faults.splitBrain || eligible.some((e) => e.node.vrrpDropped || (e.node.netem?.lossPercent ?? 0) >= 100)
              ? eligible.includes(c)
                ? 'MASTER'
                : 'BACKUP'
              : c === winner
                ? 'MASTER'
                : 'BACKUP',
          )
      }
    }
  }

  /** The health checks: each director's IPVS table becomes the real servers that answer it now. */
  check(): void {
    if (this.faults.checksFrozen) return
    for (const d of this.directors()) {
      const svc = d.node.conf!.service
      d.node.table = svc.realServers.filter((rs) => this.healthy(d, rs.ip, svc.port, svc.path)).map((rs) => rs.ip)
    }
  }

  /** The container at an address of a network, when one runs there. */
  at(network: string, ip: string): SimContainer | undefined {
    return this.world().find((c) => c.running && c.network === network && c.ip === ip)
  }

  /** Whether a director's HTTP_GET check of a real server passes: reachable, httpd up, status 200. */
  private healthy(d: SimContainer, ip: string, port: number, path: string): boolean {
    if (!d.node.eth0Up) return false
    // netem on the director: its checks' packets lost, or a step of the check later than its connect_timeout
    const slow = d.node.netem
    if (slow && (slow.lossPercent >= 100 || slow.delayMs >= d.node.conf!.service.connectTimeoutMs)) return false
    const rs = this.at(d.network, ip)
    return Boolean(rs && this.serve(rs, port, path).status === 200)
  }

  /** A request to a node's own httpd: refused without httpd, unanswered without a link, else its page or 404. */
  serve(c: SimContainer, port: number, path: string, timeoutMs = 3000): HttpAnswer {
    if (!c.running || !c.node.eth0Up) return timedOut(timeoutMs)
    // netem: an answer later than the asker waits, or none at all, is no answer
    const n = c.node.netem
    if (n && (n.lossPercent >= 100 || n.delayMs >= timeoutMs)) return timedOut(timeoutMs)
    if (!c.node.pids.httpd || port !== 80) return {status: 0, body: '', ms: 1, exit: 7}
    const body = c.node.files.get(documentPath(path))
    return body === undefined
      ? {status: 404, body: '<html><body><h1>Not Found</h1></body></html>\n', ms: this.timings.httpMs, exit: 0}
      : {status: 200, body, ms: this.timings.httpMs, exit: 0}
  }

  /**
   * A request from a client container to the VIP: to the director whose gratuitous ARP came last
   * among those holding it, then through its IPVS service to a real server (round robin; one server
   * per client for sh). Unanswered when nobody holds the VIP or the real server cannot take it (no
   * VIP on lo: LVS-DR's real server drops the packet); refused by an empty table or a stopped httpd.
   */
  request(client: SimContainer, vip: string, port: number, path: string, timeoutMs: number): HttpAnswer {
    // the VIP and the IPVS service are the kernel's: a director whose keepalived was killed hard still forwards
    const holders = this.world()
      .filter((d) => d.running && d.node.conf && d.network === client.network && d.node.vipHeld && d.node.conf.vip === vip)
      .sort((a, b) => b.node.masterSince - a.node.masterSince)
    const d = holders[0]
    if (!d || !client.node.eth0Up) return timedOut(timeoutMs)
    // netem on the director: what it forwards is lost, or waits the delay twice (the SYN, then the request)
    const slow = d.node.netem
    if (slow && (slow.lossPercent >= 100 || 2 * slow.delayMs >= timeoutMs)) return timedOut(timeoutMs)
    const svc = d.node.conf!.service
    if (svc.port !== port || d.node.table.length === 0) return {status: 0, body: '', ms: 1, exit: 7}
    const table = d.node.table
    // a client port the table still tracks goes where its connection went, unscheduled (LVS-DR: FIN_WAIT)
    const mine = [...d.node.conns].filter(([end]) => end.startsWith(`${client.ip}:`))
    const reused = this.faults.reusePorts > 0 && mine.length > 0 ? mine[0] : undefined
    if (reused) this.faults.reusePorts--
    const end = reused?.[0] ?? `${client.ip}:${(client.node.nextPort += 2)}`
    const ip =
      reused?.[1] ?? (svc.scheduler === 'sh' ? table[ipOrder(client.ip, '0.0.0.0') % table.length]! : table[d.node.rr++ % table.length]!)
    d.node.conns.delete(end)
    d.node.conns.set(end, ip)
    d.node.served.set(ip, (d.node.served.get(ip) ?? 0) + 1)
    const rs = this.at(d.network, ip)
    if (!rs || !rs.node.loAddresses.some((a) => a.address === vip)) return {...timedOut(timeoutMs), client: end}
    const answer = this.serve(rs, port, path, timeoutMs)
    return {...answer, ms: answer.ms + 2 * (slow?.delayMs ?? 0), client: end}
  }
}

/** curl's answer when -m runs out: no status, exit 28, after the whole timeout. */
export function timedOut(timeoutMs: number): HttpAnswer {
  return {status: 0, body: '', ms: timeoutMs, exit: 28}
}

/** Compares two IPv4 addresses as numbers (negative when a < b). */
function ipOrder(a: string, b: string): number {
  const n = (ip: string) => ip.split('.').reduce((acc, x) => acc * 256 + Number(x), 0)
  return n(a) - n(b)
}
