import type {Check} from '../ops/verify.js'

export function checkLines(checks: Check[]): string[] {
  return checks.map((c) => `${c.ok ? '✔' : '✖'} ${c.name} — ${c.detail}`)
}

/** A plain table: columns padded to their widest cell. */
export function table(rows: string[][]): string[] {
  const widths: number[] = []
  for (const r of rows)
    r.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length)
    })
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  )
}
