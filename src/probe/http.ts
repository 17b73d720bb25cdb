// HTTP against the VIP. Every request on a new connection: IPVS schedules connections, not
// requests, so a kept-alive connection would always land on the same real server.
import {networkInterfaces} from 'node:os'
import ipaddr from 'ipaddr.js'
import {Client} from 'undici'
import type {Runtime} from '../runtime/types.js'

export interface Answer {
  /** Milliseconds since the prober's start when the request was sent. */
  at: number
  ok: boolean
  status: number
  /** The real server that answered, from its page ("from <ip>"). */
  server?: string
  ms: number
  error?: string
}

const FROM = /^from (\d+\.\d+\.\d+\.\d+)\s*$/

export function parseAnswerBody(body: string): string | undefined {
  return FROM.exec(body.trim())?.[1]
}

export interface Prober {
  readonly via: 'host' | 'container'
  /** Sends one request and reports it. */
  once(): Promise<Answer>
  /** Sends `count` requests one after the other. */
  many(count: number): Promise<Answer[]>
  close(): Promise<void>
}

export interface Target {
  vip: string
  port: number
  path: string
  timeoutMs: number
}

export class HostProber implements Prober {
  readonly via = 'host' as const
  private readonly t0 = Date.now()
  constructor(private readonly target: Target) {}

  async once(): Promise<Answer> {
    const {vip, port, path, timeoutMs} = this.target
    const at = Date.now() - this.t0
    const started = performance.now()
    const client = new Client(`http://${vip}:${port}`, {connectTimeout: timeoutMs, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, pipelining: 0})
    try {
      const res = await client.request({method: 'GET', path, headers: {connection: 'close'}, signal: AbortSignal.timeout(timeoutMs)})
      const body = await res.body.text()
      return {at, ok: res.statusCode === 200, status: res.statusCode, server: parseAnswerBody(body), ms: performance.now() - started}
    } catch (error) {
      return {at, ok: false, status: 0, ms: performance.now() - started, error: (error as NodeJS.ErrnoException).code ?? (error as Error).message}
    } finally {
      await client.destroy().catch(() => undefined)
    }
  }

  async many(count: number): Promise<Answer[]> {
    const out: Answer[] = []
    for (let i = 0; i < count; i++) out.push(await this.once())
    return out
  }

  async close(): Promise<void> {}
}

/** Probes from a container inside the lab network, with its curl, for engines whose VIP the host cannot reach. */
export class ContainerProber implements Prober {
  readonly via = 'container' as const
  private readonly t0 = Date.now()
  constructor(private readonly runtime: Runtime, private readonly container: string, private readonly target: Target) {}

  script(count: number): string {
    const {vip, port, path, timeoutMs} = this.target
    const secs = Math.max(1, Math.ceil(timeoutMs / 1000))
    return `i=0; while [ $i -lt ${count} ]; do i=$((i+1)); s=$(date +%s%3N); r=$(curl -s -m ${secs} -w ' %{http_code}' 'http://${vip}:${port}${path}' | tr '\\n' ' '); e=$(date +%s%3N); echo "R $s $e $r"; done`
  }

  static parseLine(line: string, t0: number): Answer | undefined {
    const m = /^R (\d+) (\d+) (.*?)\s*(\d{3})$/.exec(line.trim())
    if (!m) return undefined
    const status = Number(m[4])
    return {at: Number(m[1]) - t0, ok: status === 200, status, server: parseAnswerBody(m[3] ?? ''), ms: Number(m[2]) - Number(m[1]), ...(status === 0 ? {error: 'no answer'} : {})}
  }

  async once(): Promise<Answer> {
    const [a] = await this.many(1)
    return a!
  }

  async many(count: number): Promise<Answer[]> {
    const res = await this.runtime.exec(this.container, ['sh', '-c', this.script(count)], {timeoutMs: count * this.target.timeoutMs + 30_000})
    return res.stdout.split('\n').map((l) => ContainerProber.parseLine(l, this.t0)).filter((a): a is Answer => Boolean(a))
  }

  async close(): Promise<void> {}
}

/** Whether this machine has an address inside the subnet (the bridge), so the VIP is reachable from here. */
export function hostReaches(subnet: string): boolean {
  const [net, prefix] = ipaddr.IPv4.parseCIDR(subnet)
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === 'IPv4' && ipaddr.IPv4.isValid(a.address) && ipaddr.IPv4.parse(a.address).match(net, prefix)) return true
    }
  }
  return false
}
