// `chaos`: run drills against a running lab, one after another, each from the lab's original state.
import type {Lab} from '../lab/model.js'
import {StepError} from '../lab/errors.js'
import {masterOf} from '../lab/model.js'
import {bounds, CLIENT_NODE, containerName, type Mode, waitMs} from '../plan/plan.js'
import {ContainerContinuousProber} from '../chaos/prober.js'
import {LABELS} from '../runtime/labels.js'
import type {Runtime} from '../runtime/types.js'
import {type DrillName, makeDrill, restoreAll} from '../chaos/drills.js'
import {type DrillReport, runDrill} from '../chaos/run.js'
import type {ProbeFrom} from './verify.js'
import {runningMode, waitConverged} from './up.js'

export interface ChaosResult {
  lab: string
  ok: boolean
  drills: DrillReport[]
  /** Why the drills stopped early, when they did for another reason than a failed drill. */
  stopped?: string
}

export interface ChaosOptions {
  restore: boolean
  from: ProbeFrom
  timeoutSeconds?: number
  rateHz?: number
  onProgress?: (line: string) => void
  signal?: AbortSignal
}

async function labMode(rt: Runtime, lab: Lab): Promise<Mode> {
  const mode = await runningMode(rt, lab)
  if (!mode) throw new StepError('chaos', `lab ${lab.name} is not running`, '`lvslab up` first')
  return mode
}

export async function runChaos(
  rt: Runtime,
  lab: Lab,
  drills: {name: DrillName; target?: string}[],
  opts: ChaosOptions,
): Promise<ChaosResult> {
  const b = bounds(lab)
  // Bad drill arguments are refused before anything is touched.
  for (const d of drills) makeDrill(rt, lab, d.name, d.target, b)
  const mode = await labMode(rt, lab)
  const reports: DrillReport[] = []
  for (const d of drills) {
    // Every drill starts from the original state: the MASTER holds the VIP with a complete table.
    try {
      await waitConverged(rt, lab, masterOf(lab), waitMs(b.takeback + b.readd), opts.signal)
    } catch (error) {
      const e = new StepError(
        `chaos ${d.name}`,
        `the lab is not in its original state (${(error as Error).message})`,
        '`lvslab chaos restore`, or `lvslab up`',
      )
      if (reports.length === 0 || opts.signal?.aborted) throw e
      return {lab: lab.name, ok: false, drills: reports, stopped: e.message}
    }
    opts.onProgress?.(`drill ${d.name}`)
    const report = await runDrill(rt, lab, makeDrill(rt, lab, d.name, d.target, b), {
      restore: opts.restore,
      from: opts.from,
      mode,
      timeoutSeconds: opts.timeoutSeconds,
      rateHz: opts.rateHz,
      onProgress: opts.onProgress,
      signal: opts.signal,
    })
    reports.push(report)
    if (!report.ok || !opts.restore) break
  }
  return {lab: lab.name, ok: reports.length === drills.length && reports.every((r) => r.ok), drills: reports}
}

export interface RestoreResult {
  lab: string
  actions: string[]
  converged_ms: number
}

export async function restoreLab(rt: Runtime, lab: Lab): Promise<RestoreResult> {
  await labMode(rt, lab)
  const actions = await restoreAll(rt, lab)
  const client = await rt.findContainer(containerName(lab, CLIENT_NODE))
  if (client?.running && client.labels[LABELS.LAB] === lab.name) await rt.exec(client.id, ['bash', '-c', ContainerContinuousProber.KILL])
  const b = bounds(lab)
  const ms = await waitConverged(rt, lab, masterOf(lab), waitMs(b.takeback + b.readd + b.eviction))
  return {lab: lab.name, actions, converged_ms: ms}
}
