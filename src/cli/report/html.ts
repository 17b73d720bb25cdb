// The drills' report as one self-contained HTML page (--html): a table of the runs, the spread over
// repeated runs, and per drill a timeline picture drawn by Vega-Lite and rendered to SVG in Node by
// vega's headless View (no browser, nothing fetched): every request by who answered it over time,
// failed ones apart, the fault, restore and other events as rules, each phase's bound as a band.
import {writeFileSync} from 'node:fs'
import * as vega from 'vega'
import {compile, type TopLevelSpec} from 'vega-lite'
import type {ChaosResult} from '../../ops/chaos.js'
import type {DrillReport} from '../../ops/drill/report.js'
import {seconds as s, summaryRows, windowText} from './summary-rows.js'
import {renderHtml} from '../../render/index.js'

/** The row label of a request: the real server that answered it, or "failed". */
const FAILED = 'failed'
/** The events' labels: lines LINE_PX apart (a 10 px font and its gap), at most MAX_LINES of them. */
const LINE_PX = 16
const MAX_LINES = 8
/** px a 10 px label takes per character, at most (DejaVu Sans, the widest common sans, is about 6 px), plus its 3 px offset and a 6 px gap. */
const LABEL_PX_PER_CHAR = 6.5
const LABEL_PAD_PX = 9

/**
 * The line (0 the top) of each event's label, so that no two labels on a line overlap and no event's rule,
 * which runs from its label's line down, crosses another label: each event, in time order, on the first
 * line where its label's estimated extent is free and its rule meets no label on that line or below
 * (greedy, like an interval graph's colouring). `sPerPx` is the picture's scale (s per px), widened a
 * little since Vega-Lite's nice domain may be wider than the data.
 */
function labelLines(events: {t: number; event: string}[], sPerPx: number): number[] {
  const placed: {line: number; from: number; to: number}[] = []
  const lines: number[] = Array.from({length: events.length}, () => 0)
  const order = events.map((e, i) => ({...e, i})).sort((a, b) => a.t - b.t)
  for (const e of order) {
    const to = e.t + (LABEL_PAD_PX + e.event.length * LABEL_PX_PER_CHAR) * sPerPx
    let line = 0
    while (
      line < MAX_LINES - 1 &&
      placed.some((p) => (p.line === line && p.from < to && e.t < p.to) || (p.line >= line && p.from < e.t && e.t < p.to))
    )
      line++
    placed.push({line, from: e.t, to})
    lines[e.i] = line
  }
  return lines
}

/**
 * A drill's timeline as a Vega-Lite spec (pure), two panels on one time axis (s from the fault): above,
 * a label per timeline event (on lines chosen by labelLines) with a dashed rule from it down; below, one row per real
 * server that answered and a row of failed requests, a tick per request, the events' rules again, and a
 * grey band per phase from its start to its start plus its bound. Needs the report's
 * `answers` (runChaos with keepAnswers); without them, only the events and bands.
 */
export function drillSpec(d: DrillReport): TopLevelSpec {
  const width = 760
  const answers = (d.answers ?? []).map((a) => ({t: a.atMs / 1000, who: a.ok ? (a.server ?? '?') : FAILED, ok: a.ok}))
  const servers = [...new Set(answers.filter((a) => a.ok).map((a) => a.who))].sort()
  const restoreAt = d.timeline.find((e) => e.event === 'restore')?.atMs
  const bands = [
    {from: 0, to: d.fault.window.boundMs / 1000, label: `fault bound ${s(d.fault.window.boundMs)}`},
    ...(d.restore && restoreAt !== undefined
      ? [{from: restoreAt / 1000, to: (restoreAt + d.restore.window.boundMs) / 1000, label: `restore bound ${s(d.restore.window.boundMs)}`}]
      : []),
  ]
  // the events' labels on lines above the picture (labelLines; `top` in px), each event's rule from its own
  // label down; the fault's own words are the heading's
  const named = d.timeline.map((e) => ({t: e.atMs / 1000, event: e.event.replace(/^(fault injected): .*/, '$1')}))
  const ts = [...answers.map((a) => a.t), ...named.map((e) => e.t), ...bands.flatMap((b) => [b.from, b.to])]
  const lines = labelLines(named, ((Math.max(...ts) - Math.min(...ts)) / width) * 1.15)
  const events = named.map((e, i) => ({...e, top: (lines[i] ?? 0) * LINE_PX}))
  const height = (Math.max(0, ...lines) + 1) * LINE_PX + 4
  const x = {field: 't', type: 'quantitative', title: 's from the fault'} as const
  return {
    vconcat: [
      {
        width,
        height,
        data: {values: events},
        layer: [
          {
            mark: {type: 'rule', strokeDash: [4, 3], color: '#555'},
            encoding: {x: {...x, axis: null}, y: {field: 'top', type: 'quantitative', scale: null}, y2: {value: height}},
          },
          {
            mark: {type: 'text', align: 'left', baseline: 'top', dx: 3, dy: 2, fontSize: 10, color: '#333', limit: 260},
            encoding: {x: {...x, axis: null}, y: {field: 'top', type: 'quantitative', scale: null}, text: {field: 'event'}},
          },
        ],
      },
      {
        width,
        height: 30 * (servers.length + 1),
        layer: [
          {
            data: {values: bands},
            mark: {type: 'rect', color: '#999', opacity: 0.15},
            encoding: {x: {field: 'from', type: 'quantitative'}, x2: {field: 'to'}, tooltip: {field: 'label'}},
          },
          {
            data: {values: answers},
            mark: {type: 'tick', thickness: 1},
            encoding: {
              x,
              y: {field: 'who', type: 'nominal', title: null, sort: [...servers, FAILED], scale: {domain: [...servers, FAILED]}},
              color: {field: 'ok', type: 'nominal', scale: {domain: [true, false], range: ['#1a7f37', '#cf222e']}, legend: null},
            },
          },
          {data: {values: events}, mark: {type: 'rule', strokeDash: [4, 3], color: '#555'}, encoding: {x}},
        ],
      },
    ],
    spacing: 0,
    resolve: {scale: {x: 'shared'}},
    padding: {top: 5, left: 5, right: 160, bottom: 5},
  } as TopLevelSpec
}

/**
 * A Vega-Lite spec rendered to an SVG document's text by vega's View with no renderer of its own
 * (View.toSVG: headless, in Node).
 * @throws Error from vega-lite's compile or vega's parse (an invalid spec)
 */
export async function specSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), {renderer: 'none'})
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}

/**
 * The drills' report as one HTML page (templates/chaos-report.html.hbs, every text escaped): the verdict,
 * a row per drill run, the spread over repeated runs, and per run its failure and timeline picture
 * (drillSpec as inline SVG). Self-contained: no script, style sheet or image is fetched.
 * @throws Error from rendering a picture (specSvg) or the template
 */
export async function chaosHtml(result: ChaosResult, generated = new Date()): Promise<string> {
  const drills = await Promise.all(
    result.drills.map(async (d) => ({
      cls: d.ok ? 'ok' : 'failed',
      mark: d.ok ? '✔' : '✖',
      title: `${d.drill} on ${d.target}: ${d.description}`,
      failure: d.fault.failure ?? d.restore?.failure,
      svg: await specSvg(drillSpec(d)),
      caption: `Each tick is a request sent to the VIP at ${d.prober.rateHz} Hz from the ${d.prober.via}, on the row of the real server that answered it, or of failed requests; dashed lines are the drill's events; grey bands run from each phase's start to its bound. Fault: ${windowText(d.fault)}; restore: ${windowText(d.restore)}; ${d.requests.failed} of ${d.requests.sent} requests failed.`,
    })),
  )
  return renderHtml('chaos-report.html.hbs', {
    lab: result.lab,
    verdict: result.ok ? 'passed' : 'FAILED',
    verdictClass: result.ok ? 'ok' : 'failed',
    generated: `Written by lvslab on ${generated.toISOString()}.`,
    rows: result.drills.map((d) => ({
      cls: d.ok ? 'ok' : 'failed',
      mark: d.ok ? '✔' : '✖',
      drill: d.drill,
      target: d.target,
      fault: windowText(d.fault),
      restore: windowText(d.restore),
      failed: `${d.requests.failed}/${d.requests.sent}`,
    })),
    stopped: result.stopped ?? '',
    repeat: result.repeat ?? 1,
    summary: summaryRows(result.summary ?? []),
    drills,
  })
}

/**
 * Writes the drills' HTML report (chaosHtml) to `file`.
 * @throws Error from rendering it or writing the file (no such folder, no permission)
 */
export async function writeChaosHtml(result: ChaosResult, file: string): Promise<void> {
  writeFileSync(file, await chaosHtml(result))
}
