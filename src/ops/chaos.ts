// `chaos`: run drills against a running lab, one after another, each from the lab's original state.
import {StepError} from '../errors.js'
import {runStep, type StepSink} from './steps.js'
import type {Lab} from '../lab/model.js'
import {bounds, waitMs} from '../plan/plan.js'
import type {Runtime} from '../runtime/types.js'
import type {DrillName} from '../drills/drill.js'
import {type DrillParams, makeDrill} from '../drills/drills.js'
import {runDrill} from './drill/run.js'
import type {DrillReport} from './drill/report.js'
import {type DrillSummary, summarize} from './drill/summary.js'
import {convergedSnapshot} from './converge.js'
import {labMode} from './up/lab.js'
import type {ProbeFrom} from '../probe/choose.js'

/** What `chaos` returns: a report per drill run (and prints with --json). */
export interface ChaosResult {
  lab: string
  ok: boolean
  drills: DrillReport[]
  /** With --repeat N (N > 1): N, and per drill the spread of its windows and failed requests over the runs. */
  repeat?: number
  summary?: DrillSummary[]
  /** Why the drills stopped early, when they did for another reason than a failed drill. */
  stopped?: string
}

/** How `chaos` runs: restore after each fault, where the prober runs, a wait bound overriding the derived ones (s), its rate (Hz). */
export interface ChaosOptions {
  restore: boolean
  from: ProbeFrom
  timeoutSeconds?: number
  rateHz?: number
  /** How many times the drills run, one after another (default 1). */
  repeat?: number
  /** Keep every request in each drill's report (for --html). */
  keepAnswers?: boolean
  /** Each drill is a step ("drill-rs-down", titled "drill rs-down"); its timeline events are its progress lines. */
  onStep?: StepSink
  signal?: AbortSignal
}

/**
 * `chaos`: runs drills one after another, each from the lab's original state (waited for: converged on
 * its MASTER, or with nopreempt on the director that is MASTER, which the drill then fails over from),
 * `opts.repeat` times over (default once, then with a summary of the runs, src/ops/drill/summary.ts), each restored after unless `restore` is false; stops at the first failed drill (repeated: when the lab does not come back to its original state after one).
 * Waits for the original state within waitMs(takeback + readd) (ms, src/plan/plan.ts).
 * @throws InputError for a drill argument not in the lab (before anything is touched); StepError when
 *   the lab is not running or not in its original state before the first drill, when the signal
 *   aborts (runDrill's "chaos <drill>: interrupted ..."), or from choosing the prober's place
 */
export async function runChaos(
  rt: Runtime,
  lab: Lab,
  drills: ({name: DrillName; target?: string} & DrillParams)[],
  opts: ChaosOptions,
): Promise<ChaosResult> {
  const b = bounds(lab)
  // Bad drill arguments are refused before anything is touched.
  for (const d of drills) makeDrill(lab, d.name, d.target, b, undefined, d)
  const mode = await labMode(rt, lab, opts.signal)
  const reports: DrillReport[] = []
  const repeat = opts.repeat ?? 1
  const runs = Array.from({length: repeat}, () => drills).flat()
  for (const d of runs) {
    // Every drill starts from the original state: the MASTER (with nopreempt: the director that is
    // MASTER) holds the VIP with a complete table.
    let holder: string
    try {
      holder = (await convergedSnapshot(rt, lab, waitMs(b.takeback + b.readd), {signal: opts.signal})).holder
    } catch (error) {
      const e = new StepError(
        `chaos ${d.name}`,
        `the lab is not in its original state (${(error as Error).message})`,
        '`lvslab chaos restore`, or `lvslab up`',
      )
      if (reports.length === 0 || opts.signal?.aborted) throw e
      return {lab: lab.name, ok: false, drills: reports, ...(repeat > 1 ? {repeat, summary: summarize(reports)} : {}), stopped: e.message}
    }
    const report = await runStep(opts.onStep, `drill-${d.name}`, `drill ${d.name}`, (step) =>
      runDrill(rt, lab, makeDrill(lab, d.name, d.target, b, holder, d), {
        restore: opts.restore,
        from: opts.from,
        mode,
        timeoutSeconds: opts.timeoutSeconds,
        rateHz: opts.rateHz,
        keepAnswers: opts.keepAnswers,
        onProgress: step.progress,
        signal: opts.signal,
      }),
    )
    reports.push(report)
    // repeated, the next run starts once the lab is back in its original state (waited for above)
    if ((!report.ok && repeat === 1) || !opts.restore) break
  }
  const ok = reports.length === runs.length && reports.every((r) => r.ok)
  return {lab: lab.name, ok, drills: reports, ...(repeat > 1 ? {repeat, summary: summarize(reports)} : {})}
}
