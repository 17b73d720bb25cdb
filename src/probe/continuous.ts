// The drills' continuous probers: HTTP requests to the VIP at a fixed rate (20 Hz by default), each on
// its own connection, from before the fault until the restore has settled. Requests are started on a
// schedule, not one after another, so a hanging request does not lower the rate. Every answer is
// stamped on the prober's clock (`now()`), the one clock a drill reads all its times from.
import type {Runtime} from '../runtime/types.js'
import {type Answer, ContainerProber, curlLine, curlTimeout, proberWaitMs, type Target} from './http.js'

/** An answer of a continuous prober, placed on the prober's clock. */
export interface TimedAnswer extends Answer {
  /** Milliseconds on the prober's clock (`now()`) when the request was sent and when its answer (or failure) came. */
  sentAt: number
  doneAt: number
}

/** The clock a continuous prober stamps its answers with: epoch milliseconds on lvslab's machine (Date.now, read at each call). */
export function proberClock(): number {
  return Date.now()
}

/** A prober sending requests to the VIP at a fixed rate, each answer stamped on its own clock. */
export interface ContinuousProber {
  /** Where the requests are sent from: this machine, or the lab's client container. */
  readonly via: 'host' | 'container'
  readonly rateHz: number
  readonly timeoutMs: number
  /**
   * How late (ms) a request's sending time may be stamped: 0 on this machine (sent and stamped in one
   * process); from a container, one request timeout, since an answer is stamped when its line arrives
   * and its sending time is that less curl's own duration, late by the exec stream's delay.
   */
  readonly stampSlackMs: number
  /** The answers so far, in the order they arrived. */
  readonly answers: TimedAnswer[]
  /**
   * Why the prober stopped sending before stop() was called (it could not start, or its loop died),
   * with the engine's own words; undefined while it runs, and always for the prober on this machine.
   */
  readonly error?: Error
  /**
   * The prober's clock (epoch ms): the one `sentAt` and `doneAt` are stamped with. A drill takes every
   * time it reports (injection, states seen, phase bounds) from it, so they compare with the answers.
   */
  now(): number
  /** Starts sending; returns once the first request is under way. */
  start(): Promise<void>
  /** Stops sending and waits for the requests in flight (called once). */
  stop(): Promise<void>
}

/** The drills' prober on this machine: a request every 1/rate s (at most maxInFlight at once), each on its own connection. */
export class HostContinuousProber implements ContinuousProber {
  readonly via = 'host' as const
  readonly answers: TimedAnswer[] = []
  readonly stampSlackMs = 0
  private timer?: NodeJS.Timeout
  private readonly inFlight = new Set<Promise<void>>()

  /**
   * @param once sends one request and reports it (src/probe/choose.ts passes a HostProber's once(), which times it out)
   * @param rateHz requests per second (default 20)
   * @param timeoutMs each request's timeout in ms (default 1000), as `once` enforces it: reported, not applied here
   * @param maxInFlight at most this many requests at once (default 64): a tick with that many under way sends none
   */
  constructor(
    private readonly once: () => Promise<Answer>,
    readonly rateHz = 20,
    readonly timeoutMs = 1000,
    private readonly maxInFlight = 64,
  ) {}

  now(): number {
    return proberClock()
  }

  async start(): Promise<void> {
    const fire = () => {
      if (this.inFlight.size >= this.maxInFlight) return
      const sentAt = this.now()
      const p = this.once()
        .then((a) => {
          this.answers.push({...a, sentAt, doneAt: this.now()})
        })
        .finally(() => this.inFlight.delete(p))
      this.inFlight.add(p)
    }
    fire()
    this.timer = setInterval(fire, 1000 / this.rateHz)
  }

  async stop(): Promise<void> {
    clearInterval(this.timer)
    await Promise.all(this.inFlight)
  }
}

/** The same from a client container: a shell loop that starts a curl every 1/rate seconds. */
export class ContainerContinuousProber implements ContinuousProber {
  readonly via = 'container' as const
  readonly answers: TimedAnswer[] = []
  get stampSlackMs(): number {
    return this.timeoutMs
  }

  private readonly abort = new AbortController()
  private running?: Promise<number>

  /**
   * @param runtime the engine the client container runs on
   * @param container the lab's client container, running, with bash and curl (src/probe/choose.ts probeSite)
   * @param target the VIP, port and path requested (its timeoutMs is not read: see timeoutMs)
   * @param rateHz requests per second (default 20)
   * @param timeoutMs each request's timeout in ms (default 1000), given to curl's -m in whole seconds (curlMaxTime)
   */
  constructor(
    private readonly runtime: Runtime,
    private readonly container: string,
    private readonly target: Target,
    readonly rateHz = 20,
    readonly timeoutMs = 1000,
  ) {}

  now(): number {
    return proberClock()
  }

  /** Kills a prober loop left by an earlier run that could not stop it (a crash, a second Ctrl-C). */
  static readonly KILL = 'p=$(cat /tmp/lvslab-prober.pid 2>/dev/null) && kill "$p" 2>/dev/null; rm -f /tmp/lvslab-prober.pid; true'

  /**
   * The container's loop: one curl every 1/rate s, each in the background, paced without starting a
   * process of its own (a `read -t` on a private fifo, not `sleep`: in a slow VM every process started
   * costs tens of ms and lowers the rate). Where bash has EPOCHREALTIME (5.0+) it keeps to the schedule
   * by pacing to the next tick (catching up at most 5 ticks); bash 4.2 (CentOS 7) waits a fixed
   * interval. Those clock readings pace only: no time of the container enters a report.
   */
  script(): string {
    return `${ContainerContinuousProber.KILL}; echo $$ > /tmp/lvslab-prober.pid\n${this.loop()}`
  }

  /** The request loop alone (see script): it ends by itself after an hour, even if nobody stops it. */
  loop(): string {
    const {vip, port, path} = this.target
    const tickUs = Math.round(1_000_000 / this.rateHz)
    const fixed = (1 / this.rateHz).toFixed(3)
    return [
      // without its pacing fifo the loop would not wait at all: it stops instead
      'f=/tmp/lvslab-prober.$$; rm -f "$f"; mkfifo "$f" && exec 9<>"$f" || { echo "lvslab prober: no fifo $f" >&2; exit 1; }; rm -f "$f"',
      `tick=${tickUs}; next=\${EPOCHREALTIME/./}; SECONDS=0`,
      `while [ $SECONDS -lt 3600 ]; do`,
      `  ( ${curlLine(`http://${vip}:${port}${path}`, this.timeoutMs)} ) &`,
      `  if [ -n "$next" ]; then next=$((next + tick)); d=$((next - \${EPOCHREALTIME/./}))`,
      `    if [ $d -lt $((-5 * tick)) ]; then next=\${EPOCHREALTIME/./}; d=0; fi`,
      `    if [ $d -gt 0 ]; then printf -v w '%d.%06d' $((d / 1000000)) $((d % 1000000)); read -t "$w" -u 9 _; fi`,
      `  else read -t ${fixed} -u 9 _; fi`,
      'done',
    ].join('\n')
  }

  /** Why the request loop ended before stop() (its exec failed: the engine's StepError), when it did. */
  error?: Error

  async start(): Promise<void> {
    // Every time on lvslab's clock: a line is stamped when it arrives, and sent at arrival minus curl's
    // own duration (a timeout's at least curl's -m: curlTimeout); the container's clock is never read
    // (it may be another machine's).
    this.running = this.runtime
      .execStream(
        this.container,
        ['bash', '-c', this.script()],
        (line) => {
          const parsed = ContainerProber.parseLine(line)
          if (!parsed) return
          // curl timed out on its own wall clock: it waited its whole -m, whatever its time_total says
          const a = curlTimeout(parsed, proberWaitMs('container', this.timeoutMs))
          const doneAt = this.now()
          const sentAt = Math.round(doneAt - a.ms)
          this.answers.push({...a, at: sentAt, sentAt, doneAt})
        },
        this.abort.signal,
      )
      .catch((error: Error) => {
        // the drill's waits then see no answers and fail, naming what they saw and this error; the
        // "interrupted" of our own stop() is no failure of the prober
        if (!this.abort.signal.aborted) this.error = error
        return -1
      })
  }

  async stop(): Promise<void> {
    await this.runtime
      .exec(this.container, [
        'bash',
        '-c',
        `${ContainerContinuousProber.KILL}; i=0; while pgrep -x curl >/dev/null && [ $i -lt ${Math.ceil(this.timeoutMs / 50) + 10} ]; do sleep 0.05; i=$((i+1)); done`,
      ])
      .catch(() => undefined)
    this.abort.abort()
    await this.running?.catch(() => undefined)
  }
}

/**
 * The longest time without a good answer in [from, to] (ms on the prober's clock): between consecutive
 * good answers' arrivals, `from` and `to` counting as arrivals.
 * @returns the gap (ms) and where it starts and ends (ms on the prober's clock)
 */
export function longestGap(answers: TimedAnswer[], from: number, to: number): {ms: number; start: number; end: number} {
  const good = answers
    .filter((a) => a.ok && a.doneAt >= from && a.doneAt <= to)
    .map((a) => a.doneAt)
    .sort((x, y) => x - y)
  let best = {ms: 0, start: from, end: from}
  let prev = from
  for (const t of [...good, to]) {
    if (t - prev > best.ms) best = {ms: t - prev, start: prev, end: t}
    prev = t
  }
  return best
}

/** From the first failed request's sending to the last one's failure, over those sent in [from, to] (ms; 0 when none failed). */
export function degradedWindow(answers: TimedAnswer[], from: number, to: number): number {
  const failed = answers.filter((a) => !a.ok && a.sentAt >= from && a.sentAt <= to)
  if (failed.length === 0) return 0
  return Math.max(...failed.map((a) => a.doneAt)) - Math.min(...failed.map((a) => a.sentAt))
}
