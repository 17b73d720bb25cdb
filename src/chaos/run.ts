// Runs a drill: baseline, inject, expect (timed), check service, restore, expect, check service,
// all while the prober sends requests to the VIP; then the report.
import {StepError} from '../errors.js'
import type {Lab} from '../lab/model.js'
import {containerName, CLIENT_NODE, type Mode, timeScale, waitMs} from '../plan/plan.js'
import {HostProber, hostReaches} from '../probe/http.js'
import type {Runtime} from '../runtime/types.js'
import {waitFor} from '../ops/wait.js'
import {makeProber, type ProbeFrom, target} from '../ops/verify.js'
import {snapshotPoll} from '../ops/converge.js'
import {runCommand} from '../ops/restore.js'
import {
  type ContinuousProber,
  ContainerContinuousProber,
  degradedWindow,
  HostContinuousProber,
  longestGap,
  type TimedAnswer,
} from './prober.js'
import type {Drill, Expectation} from '../drills/drill.js'

export interface TimelineEvent {
  event: string
  /** Milliseconds from the fault's injection (negative: before it). */
  t_ms: number
}

export interface PhaseReport {
  ok: boolean
  /** Which expectation failed and what was seen instead. */
  failure?: string
  expectations: {name: string; ok: boolean; ms?: number; bound_ms: number; seen?: string}[]
  requests: {sent: number; failed: number; perServer: Record<string, number>}
  window: {measure: string; ms: number; bound_ms: number; allowed_ms: number; bound: string; within: boolean}
  longest_gap_ms: number
  degraded_ms: number
  service: {ok: boolean; detail: string}
}

export interface DrillReport {
  drill: string
  target: string
  description: string
  ok: boolean
  restored: boolean
  timeline: TimelineEvent[]
  fault: PhaseReport
  restore?: PhaseReport
  requests: {sent: number; failed: number; perServer: Record<string, number>}
  prober: {via: 'host' | 'container'; rate_hz: number; timeout_ms: number; resolution_ms: number}
  margin_ms: number
  time_scale: number
}

export interface DrillOptions {
  restore: boolean
  from: ProbeFrom
  mode: Mode
  /** Overrides every derived wait bound (seconds). */
  timeoutSeconds?: number
  rateHz?: number
  onProgress?: (line: string) => void
  signal?: AbortSignal
}

/** The margin allowed above a bound: the prober's resolution, the polls' round trips and the engine's latency. */
export function marginMs(rateHz: number, scale: number): number {
  return Math.round(1000 / rateHz + 1000 * scale)
}

/** Enough requests for weighted schedulers to reach every server: twice the sum of their weights. */
function weightSum(lab: Lab, servers: string[]): number {
  return lab.real_servers.filter((r) => servers.includes(r.ip)).reduce((n, r) => n + r.weight, 0)
}

function stats(answers: TimedAnswer[], from: number, to: number) {
  const inPhase = answers.filter((a) => a.sentAt >= from && a.sentAt < to)
  const perServer: Record<string, number> = {}
  for (const a of inPhase) if (a.ok && a.server) perServer[a.server] = (perServer[a.server] ?? 0) + 1
  return {sent: inPhase.length, failed: inPhase.filter((a) => !a.ok).length, perServer}
}

/**
 * Runs one drill: the prober starts, the fault is injected, each expectation is waited for (bounds from
 * the lab's timers, ms), service is judged on requests sent after the state was reached, then the
 * restore and its expectations. Every time is taken on lvslab's clock.
 * @returns the drill's report; a failed expectation is reported, not thrown
 */
export async function runDrill(rt: Runtime, lab: Lab, drill: Drill, opts: DrillOptions): Promise<DrillReport> {
  const scale = timeScale()
  const rate = opts.rateHz ?? 20
  const say = opts.onProgress ?? (() => {})
  const prober = await continuousProber(rt, lab, opts, rate)
  const margin = marginMs(rate, scale)
  const timeline: TimelineEvent[] = []
  let t0 = Date.now()
  const mark = (event: string) => {
    timeline.push({event, t_ms: Date.now() - t0})
    say(`${((Date.now() - t0) / 1000).toFixed(2)} s  ${event}`)
  }
  const bound = (seconds: number) => (opts.timeoutSeconds !== undefined ? opts.timeoutSeconds * 1000 : waitMs(seconds, scale))

  const phase = async (
    expectations: Expectation[],
    from: number,
    servers: string[],
    window: Drill['faultWindow'] | Drill['restoreWindow'],
  ): Promise<PhaseReport> => {
    const report: PhaseReport = {
      ok: true,
      expectations: [],
      requests: {sent: 0, failed: 0, perServer: {}},
      window: {
        measure: window.measure,
        ms: 0,
        bound_ms: Math.round(window.boundSeconds * 1000),
        allowed_ms: 0,
        bound: window.bound,
        within: true,
      },
      longest_gap_ms: 0,
      degraded_ms: 0,
      service: {ok: false, detail: 'not checked'},
    }
    for (const e of expectations) {
      const limit = bound(e.boundSeconds)
      try {
        await waitFor(e.name, limit, snapshotPoll(rt, lab, e.check, e.reads), {intervalMs: 200, signal: opts.signal})
        mark(e.event)
        report.expectations.push({name: e.name, ok: true, ms: Date.now() - from, bound_ms: limit})
      } catch (error) {
        const seen = error instanceof StepError ? error.message.replace(/^.*last seen: /, '') : String(error)
        report.expectations.push({name: e.name, ok: false, bound_ms: limit, seen})
        report.ok = false
        report.failure = `${e.name}: not within ${(limit / 1000).toFixed(1)} s; seen instead: ${seen}`
        return report
      }
    }
    // Service through the VIP now: the answers to requests sent from now on all good, and from the
    // expected servers only (requests sent before, still in flight, belong to the transition). A
    // prober in a container stamps sending times late by up to its slack: its sample starts that much later.
    const need = Math.min(200, Math.max(10, 4 * servers.length, 2 * weightSum(lab, servers)))
    const want = [...servers].sort()
    /** The first `need` answers to requests sent from `from` (ms, lvslab's clock), waited for by polling. */
    const sampleFrom = async (from: number) => {
      const fresh = () => prober.answers.filter((a) => a.sentAt >= from)
      try {
        await waitFor(
          'answers through the VIP',
          waitMs(Math.max(5, need / rate + 2), scale),
          async () => ({done: fresh().length >= need, seen: `${fresh().length} answers`}),
          {intervalMs: 100, signal: opts.signal},
        )
      } catch (error) {
        if (opts.signal?.aborted) throw error
        // judged below on what came
      }
      return fresh().slice(0, need)
    }
    const judge = (sample: TimedAnswer[]) => {
      const bad = sample.filter((a) => !a.ok)
      const seen = [...new Set(sample.filter((a) => a.ok).map((a) => a.server ?? '?'))].sort()
      // source hashing sends one client to one server; the other schedulers spread over all of them
      const spread =
        lab.virtual_server.scheduler === 'sh' ? seen.length === 1 && want.includes(seen[0]!) : JSON.stringify(seen) === JSON.stringify(want)
      return {
        ok: sample.length > 0 && bad.length === 0 && spread,
        detail: `${sample.length - bad.length}/${sample.length} good, from ${seen.join(', ') || 'nobody'} (expected ${want.join(', ')})`,
      }
    }
    const first = await sampleFrom(Date.now() + prober.stampSlackMs)
    let verdict = judge(first)
    // A failure right after the state was seen may still belong to the transition (a neighbour's ARP
    // cache, a connection begun before it): a second sample, taken after the first, must then be clean.
    // A lab that does not serve fails both, and the report shows both.
    if (!verdict.ok && first.length > 0) {
      const second = judge(await sampleFrom(Math.max(...first.map((a) => a.sentAt)) + 1))
      verdict = {ok: second.ok, detail: `first sample ${verdict.detail}; second sample ${second.detail}`}
    }
    report.service = {
      ok: verdict.ok,
      detail: `${verdict.detail}${prober.stampSlackMs ? `; requests sent from ${prober.stampSlackMs} ms after the state was seen` : ''}`,
    }
    if (!report.service.ok) {
      report.ok = false
      report.failure = `service through the VIP: ${report.service.detail}`
    }
    return report
  }

  const finish = (r: PhaseReport, from: number, to: number, window: Drill['faultWindow'] | Drill['restoreWindow']) => {
    r.requests = stats(prober.answers, from, to)
    r.longest_gap_ms = longestGap(prober.answers, from, to).ms
    r.degraded_ms = degradedWindow(prober.answers, from, to)
    const ms = window.measure === 'degraded' ? r.degraded_ms : r.longest_gap_ms
    const allowed = Math.round(window.boundSeconds * 1000) + margin
    r.window = {
      measure: window.measure,
      ms,
      bound_ms: Math.round(window.boundSeconds * 1000),
      allowed_ms: allowed,
      bound: window.bound,
      within: ms <= allowed,
    }
    if (!r.window.within) {
      r.ok = false
      r.failure ??= `${window.measure} window ${ms} ms exceeds the bound ${r.window.bound_ms} ms + margin ${margin} ms`
    }
  }

  await prober.start()
  let faultReport: PhaseReport | undefined
  let restoreReport: PhaseReport | undefined
  let restoreAt = 0
  try {
    // A baseline from before the fault.
    await waitFor(
      'baseline answers',
      waitMs(5, scale),
      async () => ({
        done: prober.answers.filter((a) => a.ok).length >= 10,
        seen: `${prober.answers.length} answers, ${prober.answers.filter((a) => a.ok).length} good`,
      }),
      {intervalMs: 50, signal: opts.signal},
    )
    t0 = Date.now()
    mark(`fault injected: ${drill.description}`)
    try {
      await runCommand(rt, drill.inject)
      faultReport = await phase(drill.expectFault, t0, drill.faultServers, drill.faultWindow)
    } catch (error) {
      if (opts.signal?.aborted) throw error
      faultReport = failedPhase(`injecting the fault: ${(error as Error).message}`, drill.faultWindow)
    }
    // An interrupt leaves the fault in place: `lvslab chaos restore` undoes it.
    if (opts.signal?.aborted) throw new StepError(`chaos ${drill.name}`, 'interrupted with the fault in place')
    // Restore even when the fault phase failed, so that a failed drill does not leave its fault behind.
    if (opts.restore) {
      restoreAt = Date.now()
      mark('restore')
      try {
        await runCommand(rt, drill.restore)
        restoreReport = await phase(drill.expectRestored, restoreAt, drill.restoredServers, drill.restoreWindow)
      } catch (error) {
        if (opts.signal?.aborted) throw error
        restoreReport = failedPhase(`restoring: ${(error as Error).message}`, drill.restoreWindow)
      }
      if (restoreReport.ok) mark('recovered')
    }
  } finally {
    await prober.stop()
  }
  const end = Date.now()
  finish(faultReport!, t0, restoreAt || end, drill.faultWindow)
  if (restoreReport) finish(restoreReport, restoreAt, end, drill.restoreWindow)
  return {
    drill: drill.name,
    target: drill.target,
    description: drill.description,
    ok: faultReport!.ok && (!opts.restore || Boolean(restoreReport?.ok)),
    restored: Boolean(restoreReport?.ok),
    timeline,
    fault: faultReport!,
    ...(restoreReport ? {restore: restoreReport} : {}),
    requests: stats(prober.answers, 0, Number.MAX_SAFE_INTEGER),
    prober: {
      via: prober instanceof HostContinuousProber ? 'host' : 'container',
      rate_hz: rate,
      timeout_ms: prober.timeoutMs,
      resolution_ms: Math.round(1000 / rate),
    },
    margin_ms: margin,
    time_scale: scale,
  }
}

function failedPhase(failure: string, window: Drill['faultWindow'] | Drill['restoreWindow']): PhaseReport {
  return {
    ok: false,
    failure,
    expectations: [],
    requests: {sent: 0, failed: 0, perServer: {}},
    window: {
      measure: window.measure,
      ms: 0,
      bound_ms: Math.round(window.boundSeconds * 1000),
      allowed_ms: 0,
      bound: window.bound,
      within: true,
    },
    longest_gap_ms: 0,
    degraded_ms: 0,
    service: {ok: false, detail: 'not checked'},
  }
}

/**
 * The drills' prober for a lab: on this machine when it reaches the lab's subnet (or `from: host`),
 * else in the lab's client container (made and started when missing), e.g. with a remote engine.
 * @param rate requests per second (Hz); each request times out after 1000 ms
 */
export async function continuousProber(
  rt: Runtime,
  lab: Lab,
  opts: Pick<DrillOptions, 'from' | 'mode'>,
  rate: number,
): Promise<ContinuousProber> {
  const t = {...target(lab), timeoutMs: 1000}
  if (opts.from === 'host' || (opts.from === 'auto' && hostReaches(lab.network.subnet))) {
    const p = new HostProber(t)
    return new HostContinuousProber(() => p.once(), rate, t.timeoutMs)
  }
  await makeProber(rt, lab, 'container', opts.mode) // creates and starts the client container
  return new ContainerContinuousProber(rt, containerName(lab, CLIENT_NODE), t, rate, t.timeoutMs)
}
