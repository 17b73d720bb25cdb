// HTTP against the VIP. Every request on a new connection: IPVS schedules connections, not
// requests, so a kept-alive connection would always land on the same real server.
import type {Runtime} from '../runtime/types.js'
import {curlExit, curlMaxTime, noAnswer} from './curl.js'

export {CURL_TIMED_OUT, curlLine, curlMaxTime, curlTimeout, proberWaitMs} from './curl.js'

/** One request to the VIP and its answer (or failure). */
export interface Answer {
  /** Milliseconds since the prober's start when the request was sent. */
  at: number
  ok: boolean
  status: number
  /** The real server that answered, from its page ("from <ip>"). */
  server?: string
  /** How long the request took (ms). */
  ms: number
  /**
   * Why it failed: from this machine the socket's or undici's code (ECONNREFUSED, UND_ERR_CONNECT_TIMEOUT)
   * or TimeoutError; from a container curl's "no connection" or "connected, no answer" (noAnswer), with
   * curl's exit code when the line has it: "(curl timed out)" or "(curl exit 7)" (curlExit); or what went wrong.
   */
  error?: string
  /** The connection's own end, "ADDRESS:PORT" as IPVS sees the client (absent when none was made). */
  client?: string
  /**
   * Set by verify: the director holding the VIP already tracked this client address and port when the
   * sample began, so IPVS sent the request where the earlier connection went, without scheduling it
   * (src/ops/tracked.ts).
   */
  reused?: boolean
}

const FROM = /^from (\d+\.\d+\.\d+\.\d+)\s*$/

/** The real server that answered, from its page "from <ip>"; undefined for any other body. */
export function parseAnswerBody(body: string): string | undefined {
  return FROM.exec(body.trim())?.[1]
}

/** The good answers per real server: its address (from its page) to how many 200s it sent, in the order first seen. */
export function answersPerServer(answers: readonly Answer[]): Record<string, number> {
  const perServer: Record<string, number> = {}
  for (const a of answers) if (a.ok && a.server) perServer[a.server] = (perServer[a.server] ?? 0) + 1
  return perServer
}

/** Sends requests to the VIP from one place (this machine, or a container of the lab). */
export interface Prober {
  /** Where the requests are sent from. */
  readonly via: 'host' | 'container'
  /** Sends one request and reports it. */
  once(): Promise<Answer>
  /** Sends `count` requests one after the other. */
  many(count: number): Promise<Answer[]>
  close(): Promise<void>
}

/** Where a probe goes: the VIP (address), the virtual server's port, the page's path, and each request's timeout (ms). */
export interface Target {
  vip: string
  port: number
  path: string
  timeoutMs: number
}

/**
 * Whether a failed request timed out: no status, and no answer within `waitMs` (the prober's real wait,
 * proberWaitMs), and not a refusal or a reset
 * the socket or curl named (ECONNREFUSED, ECONNRESET, "(curl exit 7)"...). From a container, a line
 * without curl's exit code (verify's one curl for many requests) cannot tell a refusal that a stalled
 * host delayed past the wait from a timeout.
 * @param waitMs how long the prober waits for an answer (ms)
 */
export function timedOut(a: Answer, waitMs: number): boolean {
  const why = a.error ?? ''
  const named =
    /^(no connection|connected, no answer|no answer)( \(curl timed out(; its time_total [\d.]+ ms)?\))?$/.test(why) ||
    /^(TimeoutError|AbortError|UND_ERR_\w*TIMEOUT)$/.test(why)
  return !a.ok && a.status === 0 && named && a.ms >= 0.95 * waitMs
}

/** The start of the line curl's -w writes after each request of ContainerProber's sample. */
const MARK = 'lvslab-R '

/**
 * Probes from a container inside the lab network, with its curl, for engines whose VIP the host cannot
 * reach. The signal aborts the exec of the curl (it then throws StepError "interrupted").
 */
export class ContainerProber implements Prober {
  readonly via = 'container' as const
  private readonly t0 = Date.now()

  /**
   * @param runtime the engine the container runs on
   * @param container a running container on the lab's network with bash and curl (the lab's client container)
   * @param target the VIP, port and path, and each request's timeout (ms; curl's -m in whole seconds, see curlMaxTime)
   * @param signal aborts the exec of the sample's curl: many() then throws StepError "interrupted" (Runtime.exec)
   */
  constructor(
    private readonly runtime: Runtime,
    private readonly container: string,
    private readonly target: Target,
    private readonly signal?: AbortSignal,
  ) {}

  /**
   * One curl for `count` requests one after the other, each on a new connection (Connection: close: the
   * server closes, so curl connects again, from a new port): a process per request would cost a
   * request's worth of time each in an emulated VM. curl goes on after a failed transfer and writes
   * -w for each one: the body, then a line "lvslab-R <seconds> <status> <address>:<port> <connect seconds>" (see fromOneCurl).
   */
  script(count: number): string {
    const {vip, port, path, timeoutMs} = this.target
    const url = ` '${`http://${vip}:${port}${path}`}'`
    return `LC_ALL=C curl -s -m ${curlMaxTime(timeoutMs)} -H 'Connection: close' -w '\\n${MARK}%{time_total} %{http_code} %{local_ip}:%{local_port} %{time_connect}\\n'${url.repeat(count)}`
  }

  /**
   * script()'s output as parseLine's lines, one per request: "R <body, newlines as spaces> <seconds>
   * <status> <address>:<port> <connect seconds>" (the body is what came since the previous request's mark line).
   */
  static fromOneCurl(stdout: string): string[] {
    const lines: string[] = []
    let body: string[] = []
    for (const line of stdout.split('\n')) {
      if (!line.startsWith(MARK)) {
        body.push(line)
        continue
      }
      lines.push(`R ${body.join('\n').replace(/\n+$/, '').replaceAll('\n', ' ')} ${line.slice(MARK.length)}`)
      body = []
    }
    return lines
  }

  /**
   * One request's line (fromOneCurl makes them of the sample's output; the drills' loop prints them): "R <body> <seconds the request took> <status> <local
   * address>:<local port> <seconds to connect>", e.g. "R from 172.20.1.10  0.004213 200 172.20.255.254:43522 0.000912"; a request
   * without an answer has status 000 (and port 0 when no connection was made), and its error says
   * whether a connection was made (noAnswer: a port, or time_connect above 0; a line with neither
   * field: "no answer"), and with the drills' " exit=N" at the end what curl's exit code says
   * (curlExit). The duration is curl's own (%{time_total}, a monotonic measure; curlTimeout raises a
   * timeout's to curl's -m): no clock of the container is read, so a report
   * never mixes the container's clock with lvslab's.
   * @returns the answer without its time of sending (the caller places it on its own clock), or
   *   undefined for a line that is not a request's.
   */
  static parseLine(line: string): Omit<Answer, 'at'> | undefined {
    const text = line.trim()
    if (!/^R( |$)/.test(text)) return undefined
    const m = /^R (.*?)\s*(\d+(?:\.\d+)?) (\d{3})(?: (\S*):(\d+)(?: (\d+(?:\.\d+)?))?)?(?: exit=(\d+))?$/.exec(text)
    // curl ran but printed no status (it refused its options, or died): a failed request, not no request
    if (!m) return {ok: false, status: 0, ms: 0, error: `curl printed no status: ${JSON.stringify(text.slice(0, 80))}`}
    const status = Number(m[3])
    return {
      ok: status === 200,
      status,
      server: parseAnswerBody(m[1] ?? ''),
      ms: Math.round(Number(m[2]) * 10000) / 10,
      ...(status === 0 ? {error: noAnswer(m[5], m[6]) + curlExit(m[7])} : {}),
      ...(m[4] && m[5] && m[5] !== '0' ? {client: `${m[4]}:${m[5]}`} : {}),
    }
  }

  /** One request; when the loop printed no line at all (the exec failed), a failed answer saying so. */
  async once(): Promise<Answer> {
    const [a] = await this.many(1)
    return a ?? {at: 0, ok: false, status: 0, ms: 0, error: 'the probe printed no line'}
  }

  /** `count` requests in a row; each one's `at` is the sum of the durations before it (curl's clock only). */
  async many(count: number): Promise<Answer[]> {
    const res = await this.runtime.exec(this.container, ['bash', '-c', this.script(count)], {
      timeoutMs: count * this.target.timeoutMs + 30_000,
      signal: this.signal,
    })
    let at = 0
    const out: Answer[] = []
    for (const line of ContainerProber.fromOneCurl(res.stdout)) {
      const a = ContainerProber.parseLine(line)
      if (!a) continue
      out.push({at, ...a})
      at += a.ms
    }
    // requests curl never made (it stopped, or refused its options): failed, with curl's words
    const why = res.stderr.trim().split('\n')[0] || `curl: exit ${res.exitCode}`
    while (out.length < count) out.push({at, ok: false, status: 0, ms: 0, error: why})
    return out
  }

  /** Nothing to release: each many() is one exec, ended when it returns. */
  async close(): Promise<void> {}
}
