// A drill as a state machine (pure): its states, the events that move it (each stamped on the prober's
// clock, ms), the action each state asks its driver for (src/ops/drill/run.ts), and the report built
// from its final state. No I/O and no clock of its own: every time comes in an event.
//
//   baseline -> injecting -> fault-expected (one expectation at a time: met, or timed out)
//     -> fault-service-check (a sample of answers; a second one when the first has a failure)
//     -> restoring -> restore-expected -> restore-service-check -> stopping -> done | failed
// A failed fault phase (its command, an expectation, the service) goes on to restoring, so that a failed
// drill does not leave its fault behind; without restore, the fault phase ends in stopping. An interrupt
// in any state before stopping ends in interrupted; no baseline ends in no-baseline.
import type {Command, Drill, Expectation} from '../../drills/drill.js'
import type {Lab} from '../../lab/model.js'
import {waitMs} from '../../plan/plan.js'
import type {TimedAnswer} from '../../probe/continuous.js'
import {proberWaitMs} from '../../probe/http.js'
import * as R from './report.js'

/** What a drill runs with: the lab and drill, whether to restore, the prober's settings, the time scale and an overriding bound (s). */
export interface DrillConfig {
  lab: Lab
  drill: Drill
  restore: boolean
  prober: {via: 'host' | 'container'; rateHz: number; timeoutMs: number; stampSlackMs: number}
  /** The host's slowness factor (plan.ts timeScale). */
  scale: number
  /** Overrides every expectation's derived bound (seconds). */
  timeoutSeconds?: number
  /** Keep every request in the report (DrillReport.answers), for a picture of the drill. */
  keepAnswers?: boolean
}

/** The good answers wanted before the fault is injected. */
export const BASELINE_ANSWERS = 10

interface Base {
  config: DrillConfig
  timeline: R.TimelineEvent[]
}
/** After the injection: t0 is its time (ms, prober's clock), the timeline's zero. */
interface Injected extends Base {
  t0: number
}
/** A phase under way: its start (ms) and its report so far. */
interface Phase {
  from: number
  report: R.PhaseReport
}
/** Expectations awaited in order: the one awaited now, and the rest. */
interface Expecting {
  phase: Phase
  expecting: Expectation
  rest: Expectation[]
}
/** The service being checked: the sample's start (ms); after a first sample with a failure, its verdict. */
interface Checking {
  phase: Phase
  sampleFrom: number
  first?: R.ServiceVerdict
}
/** After the restore command was started at restoreAt (ms), with the fault phase's report. */
interface Restoring extends Injected {
  fault: R.PhaseReport
  restoreAt: number
}

/** A drill's state. Final: done, failed, interrupted, no-baseline. */
export type DrillState =
  | (Base & {kind: 'baseline'})
  | (Injected & {kind: 'injecting'})
  | (Injected & Expecting & {kind: 'fault-expected'})
  | (Injected & Checking & {kind: 'fault-service-check'})
  | (Restoring & {kind: 'restoring'})
  | (Restoring & Expecting & {kind: 'restore-expected'})
  | (Restoring & Checking & {kind: 'restore-service-check'})
  | (Injected & {kind: 'stopping'; fault: R.PhaseReport; restore?: Phase})
  | (Base & {kind: 'done' | 'failed'; report: R.DrillReport})
  | (Base & {kind: 'interrupted'; in: RunningKind; at: number})
  | (Base & {kind: 'no-baseline'; error: Error})

/** The states an interrupt can end. */
export type RunningKind = Exclude<DrillState['kind'], 'stopping' | 'done' | 'failed' | 'interrupted' | 'no-baseline'>

/** Whether an interrupt ends this state: every state before stopping. */
export function interruptible(s: DrillState): s is Extract<DrillState, {kind: RunningKind}> {
  return !['stopping', 'done', 'failed', 'interrupted', 'no-baseline'].includes(s.kind)
}

/** What moves a drill; `at` is ms on the prober's clock. */
export type DrillEvent =
  /** The baseline answers came: the fault is injected now. */
  | {type: 'baseline'; at: number}
  /** The baseline answers did not come (the wait's error, thrown as is). */
  | {type: 'baseline-missed'; error: Error}
  /** The phase's command (inject or restore) ran, or failed saying `message`. */
  | {type: 'ran'; at: number}
  | {type: 'run-failed'; at: number; message: string}
  /** The awaited expectation held, or its bound passed with `seen` the last state seen. */
  | {type: 'met'; at: number}
  | {type: 'timed-out'; at: number; seen: string}
  /** The prober's answers so far, once the sample asked for is there (or its wait ran out). */
  | {type: 'sampled'; at: number; answers: TimedAnswer[]}
  | {type: 'interrupt'; at: number}
  /** The prober stopped: every answer it got. */
  | {type: 'stopped'; at: number; answers: TimedAnswer[]}

/** What a state asks its driver to do next (bounds in ms). */
export type DrillAction =
  | {kind: 'baseline'; good: number; limitMs: number}
  | {kind: 'run'; command: Command}
  | {kind: 'expect'; expectation: Expectation; limitMs: number}
  | {kind: 'sample'; from: number; need: number; limitMs: number}
  | {kind: 'stop'}
  | {kind: 'none'}

/** A drill's first state: waiting for the baseline answers. */
export function startDrill(config: DrillConfig): DrillState {
  return {kind: 'baseline', config, timeline: []}
}

/** An expectation's bound (ms): --timeout when given, else its seconds scaled (plan.ts waitMs). */
export function expectationBoundMs(config: DrillConfig, e: Expectation): number {
  return config.timeoutSeconds !== undefined ? config.timeoutSeconds * 1000 : waitMs(e.boundSeconds, config.scale)
}

const servers = (c: DrillConfig, stage: 'fault' | 'restore') => (stage === 'fault' ? c.drill.faultServers : c.drill.restoredServers)
const stageOf = (kind: string): 'fault' | 'restore' => (kind.startsWith('fault') ? 'fault' : 'restore')

/** The action a state asks for: its wait, command or sample; stop in stopping; none once final. */
export function nextAction(s: DrillState): DrillAction {
  const {config} = s
  switch (s.kind) {
    case 'baseline':
      return {kind: 'baseline', good: BASELINE_ANSWERS, limitMs: waitMs(5, config.scale)}
    case 'injecting':
      return {kind: 'run', command: config.drill.inject}
    case 'restoring':
      return {kind: 'run', command: config.drill.restore}
    case 'fault-expected':
    case 'restore-expected':
      return {kind: 'expect', expectation: s.expecting, limitMs: expectationBoundMs(config, s.expecting)}
    case 'fault-service-check':
    case 'restore-service-check': {
      const need = R.sampleSize(config.lab, servers(config, stageOf(s.kind)))
      return {kind: 'sample', from: s.sampleFrom, need, limitMs: waitMs(Math.max(5, need / config.prober.rateHz + 2), config.scale)}
    }
    case 'stopping':
      return {kind: 'stop'}
    default:
      return {kind: 'none'}
  }
}

/** The timeline with an event at `at` (ms from t0). */
const mark = (s: Injected, event: string, at: number): R.TimelineEvent[] => [...s.timeline, {event, atMs: at - s.t0}]

/** The state's place in the drill: after the injection (the fault phase), or also after the restore's start. */
type Core = Injected | Restoring

/** A phase's expectations from the first, or straight to its service check (the sample from `at` + the prober's slack) when there is none. */
function expectFirst(s: Core, phase: Phase, list: Expectation[], at: number): DrillState {
  const [expecting, ...rest] = list
  const sampleFrom = at + s.config.prober.stampSlackMs
  const base = {config: s.config, t0: s.t0, timeline: s.timeline}
  if ('restoreAt' in s) {
    const r = {...base, fault: s.fault, restoreAt: s.restoreAt}
    return expecting ? {...r, kind: 'restore-expected', phase, expecting, rest} : {...r, kind: 'restore-service-check', phase, sampleFrom}
  }
  return expecting ? {...base, kind: 'fault-expected', phase, expecting, rest} : {...base, kind: 'fault-service-check', phase, sampleFrom}
}

/** The end of a phase at `at`: after the fault, the restore (or stopping without one); after the restore, stopping ("recovered" when it is ok). */
function endPhase(s: Core, report: R.PhaseReport, at: number): DrillState {
  const {config, t0} = s
  if ('restoreAt' in s) {
    const timeline = report.ok ? mark(s, 'recovered', at) : s.timeline
    return {kind: 'stopping', config, t0, timeline, fault: s.fault, restore: {from: s.restoreAt, report}}
  }
  if (!config.restore) return {kind: 'stopping', config, t0, timeline: s.timeline, fault: report}
  return {kind: 'restoring', config, t0, timeline: mark(s, 'restore', at), fault: report, restoreAt: at}
}

/** A command's outcome: its phase opens (restoring: at the restore's time), or fails naming the command. */
function ran(s: DrillState & {kind: 'injecting' | 'restoring'}, e: DrillEvent & {type: 'ran' | 'run-failed'}): DrillState {
  const {drill} = s.config
  const [window, list, from] =
    s.kind === 'injecting' ? [drill.faultWindow, drill.expectFault, s.t0] : [drill.restoreWindow, drill.expectRestored, s.restoreAt]
  if (e.type === 'ran') return expectFirst(s, {from, report: R.openPhase(window)}, list, e.at)
  return endPhase(s, R.failedPhase(`${s.kind === 'injecting' ? 'injecting the fault' : 'restoring'}: ${e.message}`, window), e.at)
}

/** An expectation's outcome: recorded (ms from the phase's start), then the next one, the service check, or the phase's end. */
function expected(s: DrillState & Expecting & {kind: 'fault-expected' | 'restore-expected'}, e: DrillEvent & {type: 'met' | 'timed-out'}) {
  const {expecting: x, phase} = s
  const limit = expectationBoundMs(s.config, x)
  const {report} = phase
  if (e.type === 'met') {
    const next = {...report, expectations: [...report.expectations, {name: x.name, ok: true, tookMs: e.at - phase.from, boundMs: limit}]}
    return expectFirst({...s, timeline: mark(s, x.event, e.at)}, {...phase, report: next}, s.rest, e.at)
  }
  const failure = `${x.name}: not within ${(limit / 1000).toFixed(1)} s; seen instead: ${e.seen}`
  const expectations = [...report.expectations, {name: x.name, ok: false, boundMs: limit, seen: e.seen}]
  return endPhase(s, {...report, expectations, ok: false, failure}, e.at)
}

/**
 * A sample's verdict: the service through the VIP judged on the first `need` answers sent from the
 * sample's start. A failure right after the state was seen may still belong to the transition (a
 * neighbour's ARP cache, a connection begun before it): a second sample, from after the first's last
 * request, must then be clean. A lab that does not serve fails both, and the report shows both.
 */
function sampled(s: DrillState & Checking & {kind: 'fault-service-check' | 'restore-service-check'}, e: DrillEvent & {type: 'sampled'}) {
  const {lab, prober} = s.config
  const want = servers(s.config, stageOf(s.kind))
  const sample = R.sampleFrom(e.answers, s.sampleFrom, R.sampleSize(lab, want))
  const verdict = R.judgeSample(lab, want, sample, {waitMs: proberWaitMs(prober.via, prober.timeoutMs), scale: s.config.scale})
  if (!s.first && !verdict.ok && sample.length > 0) return {...s, sampleFrom: Math.max(...sample.map((a) => a.sentAt)) + 1, first: verdict}
  const judged = s.first ? {ok: verdict.ok, detail: `first sample ${s.first.detail}; second sample ${verdict.detail}`} : verdict
  const service = {
    ok: judged.ok,
    detail: `${judged.detail}${prober.stampSlackMs ? `; requests sent from ${prober.stampSlackMs} ms after the state was seen` : ''}`,
  }
  const report = {...s.phase.report, service}
  return endPhase(s, service.ok ? report : {...report, ok: false, failure: `service through the VIP: ${service.detail}`}, e.at)
}

/** The drill's report once the prober stopped at `at`, on all its answers: done when ok, else failed. */
function stopped(s: DrillState & {kind: 'stopping'}, e: DrillEvent & {type: 'stopped'}): DrillState {
  const report = R.drillReport({...s.config, t0: s.t0, timeline: s.timeline, fault: s.fault, restored: s.restore}, e.answers, e.at)
  return {kind: report.ok ? 'done' : 'failed', config: s.config, timeline: s.timeline, report}
}

/**
 * A drill's transition (pure): the state after `e`.
 * @throws Error for an event the state does not take (a driver's bug, not a lab's failure)
 */
export function step(s: DrillState, e: DrillEvent): DrillState {
  const {config, timeline} = s
  if (e.type === 'interrupt' && interruptible(s)) return {kind: 'interrupted', config, timeline, in: s.kind, at: e.at}
  if (s.kind === 'baseline' && e.type === 'baseline')
    return {kind: 'injecting', config, t0: e.at, timeline: [...timeline, {event: `fault injected: ${config.drill.description}`, atMs: 0}]}
  if (s.kind === 'baseline' && e.type === 'baseline-missed') return {kind: 'no-baseline', config, timeline, error: e.error}
  if ((s.kind === 'injecting' || s.kind === 'restoring') && (e.type === 'ran' || e.type === 'run-failed')) return ran(s, e)
  if ((s.kind === 'fault-expected' || s.kind === 'restore-expected') && (e.type === 'met' || e.type === 'timed-out')) return expected(s, e)
  if ((s.kind === 'fault-service-check' || s.kind === 'restore-service-check') && e.type === 'sampled') return sampled(s, e)
  if (s.kind === 'stopping' && e.type === 'stopped') return stopped(s, e)
  throw new Error(`drill ${config.drill.name}: no transition from ${s.kind} on ${e.type}`)
}
