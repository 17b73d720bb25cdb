// A drill's report (what `chaos` prints, returns as JSON and writes as JUnit) and the pure measures it is
// made of: the requests of a phase, its window against its bound, the service through the VIP judged on
// a sample of answers. Every time here is in ms on the prober's clock (src/probe/continuous.ts).
import type {Drill, DrillWindow} from '../../drills/drill.js'
import type {Lab} from '../../lab/model.js'
import {degradedWindow, longestGap, type TimedAnswer} from '../../probe/continuous.js'

/** A moment of a drill, e.g. "VIP moved to lvs2". */
export interface TimelineEvent {
  event: string
  /** Milliseconds from the fault's injection (negative: before it). */
  t_ms: number
}

/** Requests sent to the VIP: how many, how many failed, and the good answers per real server (IP). */
export interface Requests {
  sent: number
  failed: number
  perServer: Record<string, number>
}

/** A phase of a drill (the fault, or its restore) as reported. */
export interface PhaseReport {
  ok: boolean
  /** Which expectation failed and what was seen instead. */
  failure?: string
  expectations: {name: string; ok: boolean; ms?: number; bound_ms: number; seen?: string}[]
  requests: Requests
  window: {measure: string; ms: number; bound_ms: number; allowed_ms: number; bound: string; within: boolean}
  longest_gap_ms: number
  degraded_ms: number
  service: {ok: boolean; detail: string}
}

/** A drill as reported: its outcome, timeline, phases, all its requests, the prober's settings, the margin (ms). */
export interface DrillReport {
  drill: string
  target: string
  description: string
  ok: boolean
  restored: boolean
  timeline: TimelineEvent[]
  fault: PhaseReport
  restore?: PhaseReport
  requests: Requests
  prober: {via: 'host' | 'container'; rate_hz: number; timeout_ms: number; resolution_ms: number}
  margin_ms: number
  time_scale: number
}

/** A service verdict: whether it holds, and what was seen (one line). */
export interface ServiceVerdict {
  ok: boolean
  detail: string
}

/** The margin allowed above a bound (ms): the prober's resolution, the polls' round trips and the engine's latency. */
export function marginMs(rateHz: number, scale: number): number {
  return Math.round(1000 / rateHz + 1000 * scale)
}

/** A window before it is measured: its bound (ms) and formula, nothing measured, within. */
function unmeasured(window: DrillWindow): PhaseReport['window'] {
  return {
    measure: window.measure,
    ms: 0,
    bound_ms: Math.round(window.boundSeconds * 1000),
    allowed_ms: 0,
    bound: window.bound,
    within: true,
  }
}

/** A phase as it opens: ok so far, no expectation met yet, nothing measured, the service not checked. */
export function openPhase(window: DrillWindow): PhaseReport {
  return {
    ok: true,
    expectations: [],
    requests: {sent: 0, failed: 0, perServer: {}},
    window: unmeasured(window),
    longest_gap_ms: 0,
    degraded_ms: 0,
    service: {ok: false, detail: 'not checked'},
  }
}

/** A phase whose command failed: failed, with the failure, no expectation awaited, the service not checked. */
export function failedPhase(failure: string, window: DrillWindow): PhaseReport {
  return {
    ok: false,
    failure,
    expectations: [],
    requests: {sent: 0, failed: 0, perServer: {}},
    window: unmeasured(window),
    longest_gap_ms: 0,
    degraded_ms: 0,
    service: {ok: false, detail: 'not checked'},
  }
}

/** The requests sent in [from, to) (ms), and the good answers per real server. */
export function requestStats(answers: TimedAnswer[], from: number, to: number): Requests {
  const inPhase = answers.filter((a) => a.sentAt >= from && a.sentAt < to)
  const perServer: Record<string, number> = {}
  for (const a of inPhase) if (a.ok && a.server) perServer[a.server] = (perServer[a.server] ?? 0) + 1
  return {sent: inPhase.length, failed: inPhase.filter((a) => !a.ok).length, perServer}
}

/**
 * A phase measured on the answers of [from, to] (ms): its requests, longest gap and degraded window, and
 * its window's measure against bound + margin (ms); over it, the phase fails (keeping an earlier failure).
 */
export function measurePhase(
  r: PhaseReport,
  answers: TimedAnswer[],
  span: {from: number; to: number},
  window: DrillWindow,
  margin: number,
): PhaseReport {
  const {from, to} = span
  const longest = longestGap(answers, from, to).ms
  const degraded = degradedWindow(answers, from, to)
  const ms = window.measure === 'degraded' ? degraded : longest
  const boundMs = Math.round(window.boundSeconds * 1000)
  const allowed = boundMs + margin
  const measured: PhaseReport = {
    ...r,
    requests: requestStats(answers, from, to),
    longest_gap_ms: longest,
    degraded_ms: degraded,
    window: {measure: window.measure, ms, bound_ms: boundMs, allowed_ms: allowed, bound: window.bound, within: ms <= allowed},
  }
  if (measured.window.within) return measured
  return {
    ...measured,
    ok: false,
    failure: r.failure ?? `${window.measure} window ${ms} ms exceeds the bound ${boundMs} ms + margin ${margin} ms`,
  }
}

/**
 * How many answers a service sample takes: enough for weighted schedulers to reach every server (twice
 * the sum of their weights), at least 4 per server and 10, at most 200.
 * @param servers the real servers expected to answer (IPs)
 */
export function sampleSize(lab: Lab, servers: string[]): number {
  const weights = lab.real_servers.filter((r) => servers.includes(r.ip)).reduce((n, r) => n + r.weight, 0)
  return Math.min(200, Math.max(10, 4 * servers.length, 2 * weights))
}

/** A sample: the first `need` answers (in arrival order) to requests sent from `from` (ms) on. */
export function sampleFrom(answers: TimedAnswer[], from: number, need: number): TimedAnswer[] {
  return answers.filter((a) => a.sentAt >= from).slice(0, need)
}

/**
 * The service in a sample: every answer good, from the expected servers only; source hashing (`sh`)
 * sends one client to one server, so there one of them, the other schedulers all of them.
 * @param servers the real servers expected to answer (IPs)
 */
export function judgeSample(lab: Lab, servers: string[], sample: TimedAnswer[]): ServiceVerdict {
  const want = [...servers].sort()
  const bad = sample.filter((a) => !a.ok)
  const seen = [...new Set(sample.filter((a) => a.ok).map((a) => a.server ?? '?'))].sort()
  const spread =
    lab.virtual_server.scheduler === 'sh'
      ? seen.length === 1 && seen.every((s) => want.includes(s))
      : JSON.stringify(seen) === JSON.stringify(want)
  return {
    ok: sample.length > 0 && bad.length === 0 && spread,
    detail: `${sample.length - bad.length}/${sample.length} good, from ${seen.join(', ') || 'nobody'} (expected ${want.join(', ')})`,
  }
}

/**
 * A drill's report once its prober stopped at `end` (ms): each phase measured on the answers (the fault
 * phase from t0 to the restore's start, or to the end without one; the restore from its start to the
 * end), against its bound + the margin (marginMs); ok when the fault phase is, and the restore when asked for.
 */
export function drillReport(
  d: {
    drill: Drill
    restore: boolean
    prober: {via: 'host' | 'container'; rateHz: number; timeoutMs: number}
    scale: number
    t0: number
    timeline: TimelineEvent[]
    fault: PhaseReport
    /** The restore phase, when it ran: its start (ms) and report. */
    restored?: {from: number; report: PhaseReport}
  },
  answers: TimedAnswer[],
  end: number,
): DrillReport {
  const {drill, prober} = d
  const margin = marginMs(prober.rateHz, d.scale)
  const fault = measurePhase(d.fault, answers, {from: d.t0, to: d.restored?.from ?? end}, drill.faultWindow, margin)
  const restore = d.restored && measurePhase(d.restored.report, answers, {from: d.restored.from, to: end}, drill.restoreWindow, margin)
  return {
    drill: drill.name,
    target: drill.target,
    description: drill.description,
    ok: fault.ok && (!d.restore || Boolean(restore?.ok)),
    restored: Boolean(restore?.ok),
    timeline: d.timeline,
    fault,
    ...(restore ? {restore} : {}),
    requests: requestStats(answers, 0, Number.MAX_SAFE_INTEGER),
    prober: {via: prober.via, rate_hz: prober.rateHz, timeout_ms: prober.timeoutMs, resolution_ms: Math.round(1000 / prober.rateHz)},
    margin_ms: margin,
    time_scale: d.scale,
  }
}
