// A drill's report (what `chaos` prints, returns as JSON and writes as JUnit) and the pure measures it is
// made of: the requests of a phase, its window against its bound, the service through the VIP judged on
// a sample of answers. Every time here is in ms on the prober's clock (src/probe/continuous.ts).
import type {Drill, DrillWindow} from '../../drills/drill.js'
import {degradedWindow, longestGap, type TimedAnswer} from '../../probe/continuous.js'
import {answersPerServer} from '../../probe/http.js'

export {judgeSample, sampleFrom, sampleSize} from './sample.js'

/** A moment of a drill, e.g. "VIP moved to lvs2". */
export interface TimelineEvent {
  event: string
  /** Milliseconds from the fault's injection (negative: before it). */
  atMs: number
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
  expectations: {
    name: string
    ok: boolean
    /** How long it took to hold (ms from the phase's start); absent when it did not hold in time. */
    tookMs?: number
    /** How long it was waited for (ms). */
    boundMs: number
    /** The last state seen, when it did not hold. */
    seen?: string
  }[]
  requests: Requests
  window: {
    /** What is measured: "degraded" (first to last failed request) or "longest gap" (longest time without a good answer). */
    measure: string
    /** The measure (ms). */
    measuredMs: number
    /** Its bound from the lab's timers (ms). */
    boundMs: number
    /** The bound plus the margin (ms): over it, the phase fails. */
    allowedMs: number
    /** The bound's formula, from the lab's timers. */
    bound: string
    within: boolean
  }
  /** The longest time without a good answer in the phase (ms). */
  longestGapMs: number
  /** From the phase's first to its last failed request (ms; 0 when none failed). */
  degradedMs: number
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
  /** The prober: where it ran, its rate (Hz), its request timeout (ms) and its resolution, one interval (ms). */
  prober: {via: 'host' | 'container'; rateHz: number; timeoutMs: number; resolutionMs: number}
  /** The margin allowed over each bound (ms): see marginMs(). */
  marginMs: number
  /** The host's slowness factor the bounds were scaled by (LVSLAB_TIME_SCALE). */
  timeScale: number
  /**
   * Only when asked for (--html): every request, sent at `atMs` from the fault, who answered it, and for
   * a failed one why (`error`, e.g. "no connection" or ECONNREFUSED) after how long (`tookMs`); `client` is the
   * request's own end, "ADDRESS:PORT", the key IPVS tracks its connection by.
   */
  answers?: {atMs: number; ok: boolean; server?: string; error?: string; tookMs?: number; client?: string}[]
}

/** A service verdict: whether it holds, and what was seen (one line). */
export interface ServiceVerdict {
  ok: boolean
  detail: string
}

/**
 * The margin allowed above a bound (ms): the prober's resolution (1000 / rateHz ms) plus 1000 ms x the
 * host's slowness factor for the polls' round trips and the engine's latency.
 * @param rateHz the prober's requests per second
 * @param scale the host's slowness factor, LVSLAB_TIME_SCALE (plan.ts timeScale)
 */
export function marginMs(rateHz: number, scale: number): number {
  return Math.round(1000 / rateHz + 1000 * scale)
}

/** A window before it is measured: its bound (ms) and formula, nothing measured, within. */
function unmeasured(window: DrillWindow): PhaseReport['window'] {
  return {
    measure: window.measure,
    measuredMs: 0,
    boundMs: Math.round(window.boundSeconds * 1000),
    allowedMs: 0,
    bound: window.bound,
    within: true,
  }
}

/** A phase before anything of it is known: ok unless `failure` is given, no expectation, nothing measured, the service not checked. */
function blankPhase(window: DrillWindow, failure?: string): PhaseReport {
  return {
    ok: failure === undefined,
    ...(failure === undefined ? {} : {failure}),
    expectations: [],
    requests: {sent: 0, failed: 0, perServer: {}},
    window: unmeasured(window),
    longestGapMs: 0,
    degradedMs: 0,
    service: {ok: false, detail: 'not checked'},
  }
}

/** A phase as it opens: ok so far, no expectation met yet, nothing measured, the service not checked. */
export function openPhase(window: DrillWindow): PhaseReport {
  return blankPhase(window)
}

/** A phase whose command failed: failed, with the failure, no expectation awaited, the service not checked. */
export function failedPhase(failure: string, window: DrillWindow): PhaseReport {
  return blankPhase(window, failure)
}

/** The requests sent in [from, to) (ms), and the good answers per real server. */
export function requestStats(answers: TimedAnswer[], from: number, to: number): Requests {
  const inPhase = answers.filter((a) => a.sentAt >= from && a.sentAt < to)
  return {sent: inPhase.length, failed: inPhase.filter((a) => !a.ok).length, perServer: answersPerServer(inPhase)}
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
    longestGapMs: longest,
    degradedMs: degraded,
    window: {measure: window.measure, measuredMs: ms, boundMs, allowedMs: allowed, bound: window.bound, within: ms <= allowed},
  }
  if (measured.window.within) return measured
  return {
    ...measured,
    ok: false,
    failure: r.failure ?? `${window.measure} window ${ms} ms exceeds the bound ${boundMs} ms + margin ${margin} ms`,
  }
}

/** A request as the report keeps it (--html): sent at `atMs` from the fault (t0, ms), its answer, and for a failure why and after how long. */
function keptAnswer(a: TimedAnswer, t0: number): NonNullable<DrillReport['answers']>[number] {
  return {
    atMs: a.sentAt - t0,
    ok: a.ok,
    ...(a.server ? {server: a.server} : {}),
    ...(a.ok ? {} : {error: a.error ?? `status ${a.status}`, tookMs: Math.round(a.ms)}),
    ...(a.client ? {client: a.client} : {}),
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
    keepAnswers?: boolean
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
    prober: {via: prober.via, rateHz: prober.rateHz, timeoutMs: prober.timeoutMs, resolutionMs: Math.round(1000 / prober.rateHz)},
    marginMs: margin,
    timeScale: d.scale,
    ...(d.keepAnswers ? {answers: answers.map((a) => keptAnswer(a, d.t0))} : {}),
  }
}
