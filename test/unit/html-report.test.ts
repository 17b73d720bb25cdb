// The HTML report (--html): one self-contained page, a picture per drill run drawn from its requests.
import {describe, expect, it} from 'vitest'
import {chaosHtml, drillSpec} from '../../src/cli/report/html.js'
import type {ChaosResult} from '../../src/ops/chaos.js'
import type {DrillReport, PhaseReport} from '../../src/ops/drill/report.js'

const phase = (measuredMs: number, boundMs: number, failure?: string): PhaseReport => ({
  ok: !failure,
  ...(failure ? {failure} : {}),
  expectations: [],
  requests: {sent: 10, failed: 1, perServer: {}},
  window: {measure: 'longest gap', measuredMs, boundMs, allowedMs: boundMs + 1050, bound: 'b', within: true},
  longestGapMs: measuredMs,
  degradedMs: 0,
  service: {ok: true, detail: ''},
})
const drill = (failure?: string): DrillReport => ({
  drill: 'director-down',
  target: 'lvs1',
  description: 'take eth0 of lvs1 down <now>',
  ok: !failure,
  restored: true,
  timeline: [
    {event: 'fault injected: take eth0 of lvs1 down', atMs: 0},
    {event: 'VIP moved to lvs2', atMs: 1500},
    {event: 'restore', atMs: 3000},
    {event: 'recovered', atMs: 4500},
  ],
  fault: phase(1400, 3805, failure),
  restore: phase(300, 12609),
  requests: {sent: 80, failed: 3, perServer: {}},
  prober: {via: 'container', rateHz: 20, timeoutMs: 1000, resolutionMs: 50},
  marginMs: 1050,
  timeScale: 1,
  answers: [
    ...Array.from({length: 30}, (_, i) => ({atMs: i * 50, ok: true, server: i % 2 ? '172.20.1.11' : '172.20.1.10'})),
    {atMs: 1550, ok: false},
    ...Array.from({length: 40}, (_, i) => ({atMs: 1600 + i * 50, ok: true, server: i % 2 ? '172.20.1.11' : '172.20.1.10'})),
  ],
})

describe('the HTML report', () => {
  it('a picture per run: a row per real server and one of failed requests, the events as rules, each bound as a band', async () => {
    const spec = drillSpec(drill()) as any
    const [labels, picture] = spec.vconcat
    expect(labels.layer.map((l: any) => l.mark.type)).toEqual(['rule', 'text'])
    // labels on lines 16 px apart, each rule from its label down: "VIP moved to lvs2" (1.5 s) would overlap
    // "fault injected" on the top line; "restore"'s rule (3 s) would cross it on the line below; "recovered"
    // (4.5 s) comes after every label's end, so the top line is free again
    expect(labels.data.values.map((e: any) => [e.event, e.top])).toEqual([
      ['fault injected', 0],
      ['VIP moved to lvs2', 16],
      ['restore', 32],
      ['recovered', 0],
    ])
    expect(labels.layer[0].encoding.y.field).toBe('top')
    expect(picture.layer.map((l: any) => l.mark.type)).toEqual(['rect', 'tick', 'rule'])
    expect(picture.layer[1].encoding.y.scale.domain).toEqual(['172.20.1.10', '172.20.1.11', 'failed'])
    expect(picture.layer[0].data.values).toEqual([
      {from: 0, to: 3.805, label: 'fault bound 3.81 s'},
      {from: 3, to: 15.609, label: 'restore bound 12.61 s'},
    ])
    const html = await chaosHtml(
      {lab: 'classic', ok: false, drills: [drill(), drill('lvs2 holds <the VIP>: not within 8.8 s')]},
      new Date(0),
    )
    expect(html.match(/<svg/g)).toHaveLength(2)
    // the events' labels and the rows are drawn as text in the SVG
    for (const text of ['VIP moved to lvs2', 'restore', '172.20.1.10', 'failed', 's from the fault'])
      expect(html).toContain(`>${text}</text>`)
    // every text of the report is escaped; nothing is fetched
    expect(html).toContain('lvs2 holds &lt;the VIP&gt;: not within 8.8 s')
    expect(html).toContain('take eth0 of lvs1 down &lt;now&gt;')
    // (SVG's namespace names are identifiers, never fetched)
    expect(html.replaceAll(/ xmlns(:xlink)?="[^"]*"/g, '')).not.toMatch(/<script|<link|src=|https?:\/\//)
    expect(html).toMatch(/<h1>lvslab chaos: lab classic <span class="failed">FAILED<\/span><\/h1>/)
    expect(html).toContain('Written by lvslab on 1970-01-01T00:00:00.000Z.')
  })

  it('with --repeat, the spread over the runs as a table', async () => {
    const result: ChaosResult = {
      lab: 'classic',
      ok: true,
      drills: [drill(), drill()],
      repeat: 2,
      summary: [
        {
          drill: 'director-down',
          target: 'lvs1',
          runs: 2,
          ok: 2,
          fault: {
            measure: 'longest gap',
            boundMs: 3805,
            windowMs: {min: 1000, median: 1200, p95: 1380, max: 1400},
            failedRequests: {min: 1, median: 1, p95: 1, max: 1},
          },
        },
      ],
    }
    const html = await chaosHtml(result)
    expect(html).toContain('<h2>Over 2 runs (min / median / p95 / max)</h2>')
    expect(html).toContain('<td>1.00 / 1.20 / 1.38 / 1.40</td>')
  })
})
