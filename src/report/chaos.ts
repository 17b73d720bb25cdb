// The drills' report: a human table, and JUnit (one case per phase of each drill).
import type {ChaosResult} from '../ops/chaos.js'
import type {PhaseReport} from '../chaos/run.js'
import {type JunitCase, writeJunit} from './junit.js'
import {table} from './text.js'

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`

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
        ...phases
          .filter(([, p]) => p)
          .map(([n, p]) => [
            `  ${n}`,
            String(p!.requests.sent),
            String(p!.requests.failed),
            Object.entries(p!.requests.perServer)
              .map(([k, v]) => `${k} x${v}`)
              .join(', ') || '-',
            p!.window.measure,
            s(p!.window.ms),
            s(p!.window.bound_ms),
            s(p!.window.allowed_ms),
          ]),
      ]),
    )
    for (const [n, p] of phases) if (p?.failure) out.push(`  ${n} failed: ${p.failure}`)
    out.push(
      `  prober: ${d.prober.rate_hz} Hz from the ${d.prober.via}, ${d.prober.timeout_ms} ms timeout; margin ${s(d.margin_ms)} (resolution ${d.prober.resolution_ms} ms, time scale ${d.time_scale})`,
    )
  }
  return out
}

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
