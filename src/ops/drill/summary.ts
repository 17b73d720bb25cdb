// Repeated drills summed up (pure): per drill and target, how many runs passed, and the spread (min,
// median, p95, max) of each phase's measured window and of its failed requests over the runs.
import {max, median, min, quantileSorted} from 'simple-statistics'
import type {DrillReport, PhaseReport} from './report.js'

/** A measure over several runs: its least, median, 95th percentile and greatest value. */
export interface Spread {
  min: number
  median: number
  p95: number
  max: number
}

/** A phase over the runs: its window's measure and bound (ms), the window's spread (ms) and the failed requests' spread. */
export interface PhaseSummary {
  measure: string
  boundMs: number
  windowMs: Spread
  failedRequests: Spread
}

/** One drill on one target over its runs: how many ran and passed, and each phase's spread. */
export interface DrillSummary {
  drill: string
  target: string
  runs: number
  ok: number
  fault: PhaseSummary
  /** Over the runs that reached the restore (absent when none did). */
  restore?: PhaseSummary
}

/**
 * The spread of `values`: min and max, the median (the mean of the two middle values for an even
 * count) and the 95th percentile by simple-statistics' quantileSorted, which interpolates between the
 * closest ranks at rank (n - 1) x 0.95 of the sorted values counted from 0 (Hyndman and Fan's type 7,
 * as NumPy's default; measured in test/unit/summary.test.ts). Values are rounded to whole units.
 * @throws Error for no values (simple-statistics refuses an empty list)
 */
export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b)
  return {
    min: Math.round(min(sorted)),
    median: Math.round(median(sorted)),
    p95: Math.round(quantileSorted(sorted, 0.95)),
    max: Math.round(max(sorted)),
  }
}

/** A phase's summary over its reports (at least one). */
function phaseSummary(phases: PhaseReport[]): PhaseSummary {
  const [first] = phases
  if (!first) throw new Error('phaseSummary: no phase')
  return {
    measure: first.window.measure,
    boundMs: first.window.boundMs,
    windowMs: spread(phases.map((p) => p.window.measuredMs)),
    failedRequests: spread(phases.map((p) => p.requests.failed)),
  }
}

/**
 * The drills' reports summed up per drill and target, in the order they first ran: runs, passes,
 * and the spread of each phase's measured window (ms) and failed requests. Throws nothing.
 */
export function summarize(reports: DrillReport[]): DrillSummary[] {
  const groups = new Map<string, DrillReport[]>()
  for (const r of reports) {
    const key = `${r.drill} ${r.target}`
    groups.set(key, [...(groups.get(key) ?? []), r])
  }
  return [...groups.values()].flatMap(([first, ...rest]) => {
    if (!first) return []
    const runs = [first, ...rest]
    const restores = runs.flatMap((r) => (r.restore ? [r.restore] : []))
    return {
      drill: first.drill,
      target: first.target,
      runs: runs.length,
      ok: runs.filter((r) => r.ok).length,
      fault: phaseSummary(runs.map((r) => r.fault)),
      ...(restores.length > 0 ? {restore: phaseSummary(restores)} : {}),
    }
  })
}
