// What the text, Markdown and HTML reports share: seconds as they print them, a phase's window beside
// its bound, and the rows of the spread over repeated runs.
import type {PhaseReport} from '../../ops/drill/report.js'
import type {DrillSummary, Spread} from '../../ops/drill/summary.js'

/** ms as the reports print them: seconds with two decimals and "s", e.g. "3.81 s". */
export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`

/** A phase's window beside its bound, e.g. "longest gap 1.50 s (bound 3.81 s)"; "-" for no phase. */
export const windowText = (p?: PhaseReport) =>
  p ? `${p.window.measure} ${seconds(p.window.measuredMs)} (bound ${seconds(p.window.boundMs)})` : '-'

/** One row of the spread over repeated runs: a drill's phase, its passes, and the window's and failed requests' spread. */
export interface SummaryRow {
  drill: string
  passed: string
  phase: 'fault' | 'restore'
  measure: string
  /** The window's min / median / p95 / max, in s with two decimals. */
  measured: string
  bound: string
  /** The failed requests' min / median / p95 / max. */
  failed: string
}

const four = (x: Spread, f: (n: number) => string) => [x.min, x.median, x.p95, x.max].map(f).join(' / ')

/** The summary of repeated runs as rows, a drill's fault phase then its restore (when one ran). Pure. */
export function summaryRows(summary: DrillSummary[]): SummaryRow[] {
  return summary.flatMap((d) =>
    (['fault', 'restore'] as const).flatMap((phase) => {
      const p = d[phase]
      return p
        ? [
            {
              drill: `${d.drill} ${d.target}`,
              passed: `${d.ok}/${d.runs}`,
              phase,
              measure: p.measure,
              measured: four(p.windowMs, (n) => (n / 1000).toFixed(2)),
              bound: seconds(p.boundMs),
              failed: four(p.failedRequests, String),
            },
          ]
        : []
    }),
  )
}
