// Runs a drill: the machine (machine.ts) says what to do next; this driver does it through the Runtime
// and the continuous prober, and feeds back what happened as events, every time read on the prober's
// clock. The report is the machine's final state.
import {StepError} from '../../errors.js'
import type {Drill} from '../../drills/drill.js'
import type {Lab} from '../../lab/model.js'
import {type Mode} from '../../plan/plan.js'
import {timeScale} from '../../time-scale.js'
import {continuousProber, type ProbeFrom} from '../../probe/choose.js'
import type {ContinuousProber} from '../../probe/continuous.js'
import type {Runtime} from '../../runtime/types.js'
import {snapshotPoll} from '../converge.js'
import {runCommand} from './command.js'
import {waitFor} from '../wait.js'
import {type DrillAction, type DrillEvent, type DrillState, nextAction, type RunningKind, startDrill, step} from './machine.js'
import {type DrillReport, sampleFrom} from './report.js'

/** How a drill runs: restore after the fault, where the prober runs, the lab's mode, bounds and rate, progress and interrupt. */
export interface DrillOptions {
  restore: boolean
  from: ProbeFrom
  mode: Mode
  /** Overrides every derived wait bound (seconds). */
  timeoutSeconds?: number
  /** Requests per second sent to the VIP (Hz, default 20). */
  rateHz?: number
  /** Keep every request in the report (DrillReport.answers). */
  keepAnswers?: boolean
  /** Told each timeline event as it happens, e.g. "1.52 s  VIP moved to lvs2". */
  onProgress?: (line: string) => void
  signal?: AbortSignal
}

/** What the driver acts with: the Runtime, the lab, the prober, the interrupt, and where progress is said. */
interface Driver {
  rt: Runtime
  lab: Lab
  prober: ContinuousProber
  signal?: AbortSignal
  say: (line: string) => void
}

/** The last state seen by a failed wait: the text after "last seen: " in waitFor's message. */
const lastSeen = (error: unknown) => (error instanceof StepError ? error.message.replace(/^.*last seen: /, '') : String(error))

/**
 * The baseline wait's error with, when the prober stopped sending (it could not start), the prober's
 * own error appended: "<wait's message>; the prober: <the engine's words>" (an exec's StepError
 * without its step, which quotes the whole prober script). Unchanged when the prober did not fail.
 */
function withProberError(error: Error, proberError: Error | undefined): Error {
  if (!proberError) return error
  const words = proberError instanceof StepError ? proberError.message.slice(proberError.step.length + 2) : proberError.message
  const said = error instanceof StepError ? error.message.slice(error.step.length + 2) : error.message
  return new StepError(error instanceof StepError ? error.step : 'baseline answers', `${said}; the prober: ${words}`)
}

/**
 * Does what an action asks and says what happened: an interrupt when the signal aborted it, else its
 * outcome stamped on the prober's clock. Polls: baseline answers every 50 ms, snapshots every 200 ms
 * (only the nodes the expectation reads), a sample's answers every 100 ms.
 */
async function perform(d: Driver, action: DrillAction): Promise<DrillEvent> {
  const {prober, signal} = d
  const interrupt = (): DrillEvent | undefined => (signal?.aborted ? {type: 'interrupt', at: prober.now()} : undefined)
  switch (action.kind) {
    case 'baseline': {
      const good = () => prober.answers.filter((a) => a.ok).length
      const poll = async () => ({done: good() >= action.good, seen: `${prober.answers.length} answers, ${good()} good`})
      return waitFor('baseline answers', action.limitMs, poll, {intervalMs: 50, signal}).then(
        (): DrillEvent => ({type: 'baseline', at: prober.now()}),
        (error: Error): DrillEvent => interrupt() ?? {type: 'baseline-missed', error: withProberError(error, prober.error)},
      )
    }
    case 'run':
      return runCommand(d.rt, action.command, signal).then(
        (): DrillEvent => ({type: 'ran', at: prober.now()}),
        (error: Error): DrillEvent => interrupt() ?? {type: 'run-failed', at: prober.now(), message: error.message},
      )
    case 'expect': {
      const e = action.expectation
      return waitFor(e.name, action.limitMs, snapshotPoll(d.rt, d.lab, e.check, e.reads), {intervalMs: 200, signal}).then(
        (): DrillEvent => ({type: 'met', at: prober.now()}),
        (error: unknown): DrillEvent => interrupt() ?? {type: 'timed-out', at: prober.now(), seen: lastSeen(error)},
      )
    }
    case 'sample': {
      const fresh = () => sampleFrom(prober.answers, action.from, Number.MAX_SAFE_INTEGER).length
      const poll = async () => ({done: fresh() >= action.need, seen: `${fresh()} answers`})
      // a sample short of answers when its wait runs out is judged on what came
      const stopped = await waitFor('answers through the VIP', action.limitMs, poll, {intervalMs: 100, signal}).then(
        () => undefined,
        () => interrupt(),
      )
      return stopped ?? {type: 'sampled', at: prober.now(), answers: [...prober.answers]}
    }
    default:
      throw new Error(`drill: no action to perform for ${action.kind}`)
  }
}

/** Runs the machine from `s` until it asks to stop the prober or is final; says each new timeline event. */
async function drive(d: Driver, s: DrillState): Promise<DrillState> {
  const action = nextAction(s)
  if (action.kind === 'stop' || action.kind === 'none') return s
  const event: DrillEvent = d.signal?.aborted ? {type: 'interrupt', at: d.prober.now()} : await perform(d, action)
  const next = step(s, event)
  for (const t of next.timeline.slice(s.timeline.length)) d.say(`${(t.atMs / 1000).toFixed(2)} s  ${t.event}`)
  return drive(d, next)
}

/**
 * The error of an interrupted drill: before the injection, the baseline's wait; from the injection
 * on, the fault left in place (`lvslab chaos restore` undoes it); during the restore, perhaps partly undone.
 */
export function interruption(drill: Drill, at: RunningKind): StepError {
  if (at === 'baseline') return new StepError('baseline answers', 'interrupted')
  if (at.startsWith('restor'))
    return new StepError(`chaos ${drill.name}`, 'interrupted during the restore, with the fault perhaps still in place')
  return new StepError(`chaos ${drill.name}`, 'interrupted with the fault in place')
}

/**
 * Runs one drill: the prober starts, the fault is injected once the baseline answers came, each
 * expectation is waited for (bounds from the lab's timers, ms), service is judged on requests sent
 * after the state was seen, then the restore and its expectations; the prober is stopped in every case.
 * Every time is taken on the prober's clock (src/probe/continuous.ts).
 * @returns the drill's report; a failed expectation is reported, not thrown
 * @throws StepError "chaos <drill>: interrupted ..." when the signal aborts (the fault left in place);
 *   the baseline's wait error when no baseline came (nothing injected; "...; the prober: <its error>" when
 *   the prober could not start); StepError from choosing the prober's place
 */
export async function runDrill(rt: Runtime, lab: Lab, drill: Drill, opts: DrillOptions): Promise<DrillReport> {
  const rate = opts.rateHz ?? 20
  const prober = await continuousProber(rt, lab, opts, rate)
  const {via, timeoutMs, stampSlackMs} = prober
  const start = startDrill({
    lab,
    drill,
    restore: opts.restore,
    prober: {via, rateHz: rate, timeoutMs, stampSlackMs},
    scale: timeScale(),
    timeoutSeconds: opts.timeoutSeconds,
    keepAnswers: opts.keepAnswers,
  })
  const d: Driver = {rt, lab, prober, signal: opts.signal, say: opts.onProgress ?? (() => {})}
  await prober.start()
  const ran = await drive(d, start).finally(() => prober.stop())
  const final = ran.kind === 'stopping' ? step(ran, {type: 'stopped', at: prober.now(), answers: [...prober.answers]}) : ran
  switch (final.kind) {
    case 'done':
    case 'failed':
      return final.report
    case 'interrupted':
      throw interruption(drill, final.in)
    case 'no-baseline':
      throw final.error
    default:
      throw new Error(`drill ${drill.name}: ended in ${final.kind}`)
  }
}
