// The drills' report: a human table, and JUnit (one case per phase of each drill).
import type {ChaosResult} from '../../ops/chaos.js'
import type {PhaseReport} from '../../ops/drill/report.js'
import type {DrillSummary} from '../../ops/drill/summary.js'
import {seconds as s, summaryRows} from './summary-rows.js'
import {type JunitCase, writeJunit} from './junit.js'
import {table} from './text.js'

/**
 * The drills' report for a terminal, one string per line: per drill its outcome, its timeline (s
 * from the fault), a table of its phases (requests sent and failed, answers per real server, the
 * measured window beside its bound and what is allowed over it, in s) and the prober's settings.
 */
export function chaosLines(result: ChaosResult): string[] {
  const out: string[] = []
  for (const d of result.drills) {
    out.push('', `${d.ok ? '✔' : '✖'} ${d.drill}: ${d.description}`)
    for (const e of d.timeline) out.push(`  ${(e.atMs / 1000).toFixed(2).padStart(8)} s  ${e.event}`)
    const phases: [string, PhaseReport | undefined][] = [
      ['fault', d.fault],
      ['restore', d.restore],
    ]
    out.push(
      ...table([
        ['  PHASE', 'SENT', 'FAILED', 'PER SERVER', 'WINDOW', 'MEASURED', 'BOUND', 'ALLOWED'],
        ...phases.flatMap(([n, p]) =>
          p
            ? [
                [
                  `  ${n}`,
                  String(p.requests.sent),
                  String(p.requests.failed),
                  Object.entries(p.requests.perServer)
                    .map(([k, v]) => `${k} x${v}`)
                    .join(', ') || '-',
                  p.window.measure,
                  s(p.window.measuredMs),
                  s(p.window.boundMs),
                  s(p.window.allowedMs),
                ],
              ]
            : [],
        ),
      ]),
    )
    for (const [n, p] of phases) if (p?.failure) out.push(`  ${n} failed: ${p.failure}`)
    out.push(
      `  prober: ${d.prober.rateHz} Hz from the ${d.prober.via}, ${d.prober.timeoutMs} ms timeout; margin ${s(d.marginMs)} (resolution ${d.prober.resolutionMs} ms, time scale ${d.timeScale})`,
    )
  }
  if (result.summary) out.push(...summaryLines(result.summary, result.repeat ?? 1))
  return out
}

/**
 * The repeated runs summed up, one string per line: per drill and phase, the runs that passed, the
 * window's min / median / p95 / max (s) beside its bound, and the failed requests' spread.
 */
export function summaryLines(summary: DrillSummary[], repeat: number): string[] {
  return [
    '',
    `Over ${repeat} runs (min / median / p95 / max):`,
    ...table([
      ['  DRILL', 'PASSED', 'PHASE', 'WINDOW', 'MEASURED', 'BOUND', 'FAILED REQUESTS'],
      ...summaryRows(summary).map((r) => [`  ${r.drill}`, r.passed, r.phase, r.measure, r.measured, r.bound, r.failed]),
    ]),
  ]
}

/**
 * Writes the drills as JUnit XML to `file`: suite lvslab.chaos.<lab>, one test case per phase
 * ("<drill> fault", "<drill> restore", with " (run N)" after it when repeated), failed with its failure, its time the phase's last
 * expectation (s).
 * @throws Error from writing the file (junit-report-builder's writeTo makes its folders, then writes: no permission, a full disk)
 */
export function writeChaosJunit(result: ChaosResult, file: string): void {
  const cases: JunitCase[] = []
  const seen = new Map<string, number>()
  for (const d of result.drills) {
    // repeated, each case names its run: the how-manieth time this drill ran on this target
    const n = (seen.get(`${d.drill} ${d.target}`) ?? 0) + 1
    seen.set(`${d.drill} ${d.target}`, n)
    const run = result.repeat ? ` (run ${n})` : ''
    for (const [name, p] of [
      ['fault', d.fault],
      ['restore', d.restore],
    ] as const) {
      if (!p) continue
      cases.push({
        name: `${d.drill} ${name}${run}`,
        ok: p.ok,
        detail:
          p.failure ??
          `${p.window.measure} window ${p.window.measuredMs} ms (bound ${p.window.boundMs} ms, allowed ${p.window.allowedMs} ms); ${p.requests.failed}/${p.requests.sent} requests failed`,
        seconds: (p.expectations.at(-1)?.tookMs ?? 0) / 1000,
      })
    }
  }
  writeJunit(`lvslab.chaos.${result.lab}`, cases, file)
}
