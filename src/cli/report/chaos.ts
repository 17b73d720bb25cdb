// The drills' report: a human table, and JUnit (one case per phase of each drill).
import type {ChaosResult} from '../../ops/chaos.js'
import type {PhaseReport} from '../../ops/drill/report.js'
import {type JunitCase, writeJunit} from './junit.js'
import {table} from './text.js'

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`

/**
 * The drills' report for a terminal, one string per line: per drill its outcome, its timeline (s
 * from the fault), a table of its phases (requests sent and failed, answers per real server, the
 * measured window beside its bound and what is allowed over it, in s) and the prober's settings.
 */
export function chaosLines(result: ChaosResult): string[] {
  const out: string[] = []
  for (const d of result.drills) {
    out.push('', `${d.ok ? '✔' : '✖'} ${d.drill}: ${d.description}`)
    for (const e of d.timeline) out.push(`  ${(e.t_ms / 1000).toFixed(2).padStart(8)} s  ${e.event}`)
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
                  s(p.window.ms),
                  s(p.window.bound_ms),
                  s(p.window.allowed_ms),
                ],
              ]
            : [],
        ),
      ]),
    )
    for (const [n, p] of phases) if (p?.failure) out.push(`  ${n} failed: ${p.failure}`)
    out.push(
      `  prober: ${d.prober.rate_hz} Hz from the ${d.prober.via}, ${d.prober.timeout_ms} ms timeout; margin ${s(d.margin_ms)} (resolution ${d.prober.resolution_ms} ms, time scale ${d.time_scale})`,
    )
  }
  return out
}

/**
 * Writes the drills as JUnit XML to `file`: suite lvslab.chaos.<lab>, one test case per phase
 * ("<drill> fault", "<drill> restore"), failed with its failure, its time the phase's last
 * expectation (s). Throws what writing the file throws.
 */
export function writeChaosJunit(result: ChaosResult, file: string): void {
  const cases: JunitCase[] = []
  for (const d of result.drills) {
    for (const [name, p] of [
      ['fault', d.fault],
      ['restore', d.restore],
    ] as const) {
      if (!p) continue
      cases.push({
        name: `${d.drill} ${name}`,
        ok: p.ok,
        detail:
          p.failure ??
          `${p.window.measure} window ${p.window.ms} ms (bound ${p.window.bound_ms} ms, allowed ${p.window.allowed_ms} ms); ${p.requests.failed}/${p.requests.sent} requests failed`,
        seconds: (p.expectations.at(-1)?.ms ?? 0) / 1000,
      })
    }
  }
  writeJunit(`lvslab.chaos.${result.lab}`, cases, file)
}
