// Plain text for a terminal: check lines and padded tables.
import type {Check} from '../../ops/verify.js'

/** One line per check: ✔ or ✖, its name and its detail. */
export function checkLines(checks: Check[]): string[] {
  return checks.map((c) => `${c.ok ? '✔' : '✖'} ${c.name} — ${c.detail}`)
}

/** A plain table, one string per row: columns padded to their widest cell, two spaces apart, no trailing blanks. */
export function table(rows: string[][]): string[] {
  const widths: number[] = []
  for (const r of rows)
    r.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length)
    })
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  )
}
