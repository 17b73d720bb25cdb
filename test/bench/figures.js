// The benchmark's arithmetic and its lines of output, pure (test/unit/bench.test.ts): medians, ratios
// and one line per round and per summary. Times are in ms; the lines show seconds.

/**
 * The median of a list of numbers (the mean of the middle two for an even count).
 * @param {number[]} values
 * @returns {number} NaN for an empty list
 */
export function median(values) {
  if (values.length === 0) return Number.NaN
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

/** "28.0 s" for 28013 ms. @param {number} ms */
export const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`

/** "1.66×" for a ratio. @param {number} r */
export const times = (r) => `${r.toFixed(2)}×`

/**
 * @typedef {{step: string, status: string, tookMs: number}} StepTime one step of `lvslab up --json`
 * @typedef {{round: number, order: string[], script: {upMs: number, downMs: number},
 *   lvslab: {upMs: number, againMs: number, downMs: number, steps: StepTime[], againSteps: StepTime[]}}} Round
 */

/**
 * One round in words: the script's and lvslab's `up` with their ratio, the second `up`, `down` against
 * `docker rm -f` with theirs, then lvslab's steps with their times.
 * @param {Round} r
 * @returns {string[]} the lines
 */
export function roundLines(r) {
  const {script, lvslab} = r
  const steps = (list) => list.map((s) => `${s.step} ${seconds(s.tookMs)}${s.status === 'skipped' ? ' (skipped)' : ''}`).join(', ')
  return [
    `round ${r.round} (${r.order.join(' first, then ')}): up: script ${seconds(script.upMs)}, lvslab ${seconds(lvslab.upMs)} = ${times(lvslab.upMs / script.upMs)}; second up ${seconds(lvslab.againMs)}; down: docker rm ${seconds(script.downMs)}, lvslab ${seconds(lvslab.downMs)} = ${times(lvslab.downMs / script.downMs)}`,
    `  lvslab up's steps: ${steps(lvslab.steps)}`,
    `  second up's steps: ${steps(lvslab.againSteps)}`,
  ]
}

/**
 * The medians over the rounds: each command's time, and the median of the per-round ratios
 * (lvslab / script), which is what the goal is judged on.
 * @param {Round[]} rounds
 * @param {number} goal the ratio `up` must not exceed (e.g. 0.6)
 */
export function summary(rounds, goal) {
  const m = (f) => median(rounds.map(f))
  const up = {scriptMs: m((r) => r.script.upMs), lvslabMs: m((r) => r.lvslab.upMs), ratio: m((r) => r.lvslab.upMs / r.script.upMs)}
  const down = {
    scriptMs: m((r) => r.script.downMs),
    lvslabMs: m((r) => r.lvslab.downMs),
    ratio: m((r) => r.lvslab.downMs / r.script.downMs),
  }
  const againMs = m((r) => r.lvslab.againMs)
  const stepNames = [...new Set(rounds.flatMap((r) => r.lvslab.steps.map((s) => s.step)))]
  const stepsMs = Object.fromEntries(stepNames.map((n) => [n, m((r) => r.lvslab.steps.find((s) => s.step === n)?.tookMs ?? 0)]))
  const lines = [
    `median of ${rounds.length} round${rounds.length === 1 ? '' : 's'}:`,
    `  up: script ${seconds(up.scriptMs)}, lvslab ${seconds(up.lvslabMs)}, ratio ${times(up.ratio)} (goal: ${times(goal)} or less: ${up.ratio <= goal ? 'met' : 'NOT met'})`,
    `  second up: ${seconds(againMs)}`,
    `  down: docker rm ${seconds(down.scriptMs)}, lvslab ${seconds(down.lvslabMs)}, ratio ${times(down.ratio)}`,
    `  lvslab up's steps: ${Object.entries(stepsMs)
      .map(([n, ms]) => `${n} ${seconds(ms)}`)
      .join(', ')}`,
  ]
  return {up, down, againMs, stepsMs, goal, met: up.ratio <= goal, lines}
}
