import {describe, expect, it} from 'vitest'
import {spread, summarize} from '../../src/ops/drill/summary.js'
import type {DrillReport, PhaseReport} from '../../src/ops/drill/report.js'
import {summaryLines} from '../../src/cli/report/chaos.js'
import {chaosMarkdown} from '../../src/cli/report/markdown.js'

const phase = (measuredMs: number, failed: number, ok = true): PhaseReport => ({
  ok,
  expectations: [],
  requests: {sent: 100, failed, perServer: {}},
  window: {measure: 'longest gap', measuredMs, boundMs: 3805, allowedMs: 4855, bound: 'b', within: ok},
  longestGapMs: measuredMs,
  degradedMs: 0,
  service: {ok: true, detail: ''},
})
const report = (drill: string, target: string, fault: number, restore?: number, ok = true): DrillReport =>
  ({drill, target, ok, fault: phase(fault, fault / 50, ok), ...(restore === undefined ? {} : {restore: phase(restore, 0)})}) as DrillReport

describe('repeated drills summed up', () => {
  it('spread: min, median, p95 (interpolated between the closest ranks) and max, in any order', () => {
    expect(spread([5, 1, 3])).toEqual({min: 1, median: 3, p95: 5, max: 5})
    expect(spread([4, 1, 2, 3])).toEqual({min: 1, median: 3, p95: 4, max: 4})
    // rank (n - 1) x 0.95: 18.05 of 0..19 is 19.05, rounded 19; 19 of 0..20 is exactly the value 20
    expect(spread(Array.from({length: 20}, (_, i) => i + 1)).p95).toBe(19)
    expect(spread(Array.from({length: 21}, (_, i) => i + 1)).p95).toBe(20)
    expect(spread([0, 1000]).p95).toBe(950)
    expect(() => spread([])).toThrow()
  })

  it('summarize: per drill and target in the order they first ran, passes counted, restores only where reached', () => {
    const s = summarize([
      report('director-down', 'lvs1', 1000, 200),
      report('kill-master', 'lvs1', 3000, 100),
      report('director-down', 'lvs1', 1400, 0),
      report('kill-master', 'lvs1', 5000, undefined, false),
      report('director-down', 'lvs1', 1200, 100),
    ])
    expect(s.map((d) => [d.drill, d.runs, d.ok])).toEqual([
      ['director-down', 3, 3],
      ['kill-master', 2, 1],
    ])
    expect(s[0]!.fault).toEqual({
      measure: 'longest gap',
      boundMs: 3805,
      windowMs: {min: 1000, median: 1200, p95: 1380, max: 1400},
      failedRequests: {min: 20, median: 24, p95: 28, max: 28},
    })
    expect(s[1]!.restore!.windowMs).toEqual({min: 100, median: 100, p95: 100, max: 100})
    const lines = summaryLines(s, 3)
    expect(lines[1]).toBe('Over 3 runs (min / median / p95 / max):')
    expect(lines.join('\n')).toMatch(
      /director-down lvs1 +3\/3 +fault +longest gap +1\.00 \/ 1\.20 \/ 1\.38 \/ 1\.40 +3\.81 s +20 \/ 24 \/ 28 \/ 28/,
    )
  })
})

describe('the Markdown report', () => {
  it('escapes pipes and folds lines, so a failure stays in its cell', () => {
    const failed = {
      ...report('rs-down', 'rs1', 1000, undefined, false),
      requests: {sent: 10, failed: 2, perServer: {}},
      timeline: [{event: 'fault injected: a | b', atMs: 0}],
    }
    failed.fault = {...failed.fault, failure: 'seen: x | y\nz'}
    const md = chaosMarkdown({lab: 'classic', ok: false, drills: [failed]})
    expect(md).toContain('**rs-down failed:** seen: x \\| y z')
    expect(md).toContain('| 0.00             | fault injected: a \\| b |')
    expect(md.split('\n')[0]).toBe('## lvslab chaos: lab classic FAILED')
    expect(md).not.toContain('### Over')
  })
})
