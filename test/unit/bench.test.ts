// The benchmark's arithmetic and lines (test/bench/figures.js): what `npm run bench` prints and judges.
import {describe, expect, it} from 'vitest'
import {median, roundLines, summary} from '../bench/figures.js'

const steps = (converge: number) => [
  {step: 'engine', status: 'done', tookMs: 100},
  {step: 'ipvs', status: 'skipped', tookMs: 40},
  {step: 'converge', status: 'done', tookMs: converge},
]

/** A round: the script's up and down, lvslab's up, second up and down (ms). */
const round = (n: number, scriptUp: number, lvslabUp: number, scriptDown = 2000, lvslabDown = 3000) => ({
  round: n,
  order: n % 2 ? ['script', 'lvslab'] : ['lvslab', 'script'],
  script: {upMs: scriptUp, downMs: scriptDown},
  lvslab: {upMs: lvslabUp, againMs: 1500, downMs: lvslabDown, steps: steps(lvslabUp / 2), againSteps: steps(300)},
})

describe('the bench figures', () => {
  it('median: the middle value, the mean of the middle two for an even count, NaN for none', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([])).toBeNaN()
  })

  it("a round's lines: both ups with their ratio, the second up, both downs with theirs, and lvslab's steps", () => {
    const lines = roundLines(round(1, 28_000, 46_500))
    expect(lines[0]).toBe(
      'round 1 (script first, then lvslab): up: script 28.0 s, lvslab 46.5 s = 1.66×; second up 1.5 s; down: docker rm 2.0 s, lvslab 3.0 s = 1.50×',
    )
    expect(lines[1]).toBe("  lvslab up's steps: engine 0.1 s, ipvs 0.0 s (skipped), converge 23.3 s")
    expect(lines[2]).toBe("  second up's steps: engine 0.1 s, ipvs 0.0 s (skipped), converge 0.3 s")
  })

  it('the summary judges the median of the per-round ratios against the goal', () => {
    const slow = summary([round(1, 28_000, 46_500), round(2, 27_300, 45_100), round(3, 29_100, 49_300)], 0.6)
    expect(slow.up.ratio).toBeCloseTo(46_500 / 28_000, 6)
    expect(slow.met).toBe(false)
    expect(slow.lines[1]).toBe('  up: script 28.0 s, lvslab 46.5 s, ratio 1.66× (goal: 0.60× or less: NOT met)')
    const fast = summary([round(1, 28_000, 15_000), round(2, 30_000, 17_000)], 0.6)
    expect(fast.up.ratio).toBeCloseTo((15_000 / 28_000 + 17_000 / 30_000) / 2, 6)
    expect(fast.met).toBe(true)
    expect(fast.stepsMs).toEqual({engine: 100, ipvs: 40, converge: 8000})
    expect(fast.againMs).toBe(1500)
    expect(fast.down.ratio).toBe(1.5)
  })
})
