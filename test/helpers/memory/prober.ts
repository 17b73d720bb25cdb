// The probers' shell loops in a simulated client container: src/probe/http.ts ContainerProber's
// "count requests one after another" and src/probe/continuous.ts ContainerContinuousProber's paced
// background loop, each request answered by the lab model and printed as curlLine's echo prints it:
// "R <body, its newlines as spaces> <time_total> <http_code> <local_ip>:<local_port> <time_connect> exit=<code>".
import type {HttpAnswer, LabModel, SimContainer} from './model.js'

/** One probe request's target, as the curl line names it. */
export interface CurlTarget {
  vip: string
  port: number
  path: string
  /** curl's -m, in ms. */
  timeoutMs: number
}

/**
 * The line `r=$(curl -s -w '\n%{time_total} %{http_code} %{local_ip}:%{local_port} %{time_connect}' URL); c=$?; echo "R ${r//$'\n'/ } exit=$c"` prints: the
 * body and the -w text, trailing newlines dropped by `$(...)`, every other newline made a space, then curl's exit code.
 */
export function curlEcho(a: HttpAnswer): string {
  const end = clientEnd(a)
  const r = `${a.body}\n${(a.ms / 1000).toFixed(6)} ${String(a.status).padStart(3, '0')} ${end} ${timeConnect(a)}`.replace(/\n+$/, '')
  return `R ${r.replaceAll('\n', ' ')} exit=${a.exit}`
}

/** curl's %{local_ip}:%{local_port} for a simulated answer: ":0" without an answer, since the model loses every such request before its connection is made (see timeConnect). */
function clientEnd(a: HttpAnswer): string {
  return a.status === 0 ? ':0' : (a.client ?? ':0')
}

/**
 * curl's %{time_connect} (s) for a simulated answer: half a millisecond for an answered one; 0 for one
 * without an answer, since every way the model loses a request (nobody holds the VIP, a dropped or
 * refused SYN, a link slower than the timeout) loses it before the connection is made.
 */
function timeConnect(a: HttpAnswer): string {
  return a.status === 0 ? '0.000000' : '0.000500'
}

/** The curl line of src/probe/http.ts curlLine, with its -m (s) and URL read back. */
export const CURL_LINE =
  /r=\$\(LC_ALL=C curl -s -m (\d+) -w '\\n%\{time_total\} %\{http_code\} %\{local_ip\}:%\{local_port\} %\{time_connect\}' 'http:\/\/(\d+\.\d+\.\d+\.\d+):(\d+)(\/[^']*)'\); c=\$\?; echo "R \$\{r\/\/\$'\\n'\/ \} exit=\$c"/

/** Reads a curl line's target, or undefined when the text has none. */
export function curlTarget(text: string): CurlTarget | undefined {
  const m = new RegExp(`^${CURL_LINE.source}$`).exec(text)
  if (!m) return undefined
  return {timeoutMs: Number(m[1]) * 1000, vip: m[2]!, port: Number(m[3]), path: m[4]!}
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** A URL of ContainerProber's sample (http://VIP:PORT/PATH) with curl's -m (s) as a target; undefined for another URL. */
export function urlTarget(url: string, maxTimeS: number): CurlTarget | undefined {
  const m = /^http:\/\/(\d+\.\d+\.\d+\.\d+):(\d+)(\/.*)$/.exec(url)
  return m ? {vip: m[1]!, port: Number(m[2]), path: m[3]!, timeoutMs: maxTimeS * 1000} : undefined
}

/**
 * ContainerProber's sample, one curl for `count` requests, each after the previous one's answer: its
 * stdout, per request the body, then -w's "\nlvslab-R <time_total> <http_code> <local_ip>:<local_port> <time_connect>\n".
 */
export async function requestsInRow(model: LabModel, client: SimContainer, t: CurlTarget, count: number): Promise<string> {
  let out = ''
  for (let i = 0; i < count; i++) {
    const a = model.request(client, t.vip, t.port, t.path, t.timeoutMs)
    await sleep(a.ms)
    out += `${a.body}\nlvslab-R ${(a.ms / 1000).toFixed(6)} ${String(a.status).padStart(3, '0')} ${clientEnd(a)} ${timeConnect(a)}\n`
  }
  return out
}

/**
 * ContainerContinuousProber's loop, running in a client container: a request every tick, each in
 * the background (its line printed when its answer comes), until it is killed (its pid file's KILL)
 * or its hour is up. Detaching the exec's stream (an abort) does not stop it, as in a real container.
 */
export class ProberLoop {
  private timer?: NodeJS.Timeout
  private readonly pending = new Set<NodeJS.Timeout>()
  private onLine?: (line: string) => void
  private finish?: (code: number) => void
  /** Resolves with the loop's exit code: 143 when killed (SIGTERM), 0 after its hour. */
  readonly done: Promise<number>

  constructor(
    private readonly model: LabModel,
    private readonly client: SimContainer,
    private readonly target: CurlTarget,
    private readonly tickMs: number,
    onLine: (line: string) => void,
    hourMs: number,
  ) {
    this.onLine = onLine
    this.done = new Promise((r) => (this.finish = r))
    const started = Date.now()
    const fire = () => {
      if (Date.now() - started >= hourMs) return this.end(0)
      const a = this.model.request(this.client, target.vip, target.port, target.path, target.timeoutMs)
      const t = setTimeout(() => {
        this.pending.delete(t)
        this.onLine?.(curlEcho(a))
      }, a.ms)
      this.pending.add(t)
    }
    fire()
    this.timer = setInterval(fire, this.tickMs)
  }

  /** Whether requests are still on their way (pgrep -x curl). */
  get inFlight(): boolean {
    return this.pending.size > 0
  }

  /** The exec's stream is gone: lines are no longer read, the loop goes on. */
  detach(): void {
    this.onLine = undefined
  }

  /** Stops the loop (kill of its bash); requests already sent still print their line. */
  end(code = 143): void {
    clearInterval(this.timer)
    this.finish?.(code)
  }

  /** Stops everything at once, lines in flight included (the runtime's close). */
  destroy(): void {
    this.end()
    for (const t of this.pending) clearTimeout(t)
    this.pending.clear()
  }
}
