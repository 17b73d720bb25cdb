// The HTML report (--html) looked at in headless Chromium, as a person opens it: each picture must show
// what the report says. The report is a real run's (test/fixtures/chaos-report-vm.json: `chaos all` on
// the classic lab in the kernel VM, the first run of each drill). Every tick is counted on the row it is
// drawn on and placed on the time axis the page draws; every event's rule too; the labels must be
// readable (none cut off, none over another) and the page no wider than a laptop's window.
// Needs Chromium: LVSLAB_CHROMIUM, or chromium-headless-shell / chromium on PATH (.ci/run installs
// Debian's chromium-headless-shell). Without one it fails, saying so: it is never skipped.
import {accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, delimiter, join} from 'node:path'
import {pathToFileURL} from 'node:url'
import puppeteer, {type Browser} from 'puppeteer-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {chaosHtml} from '../../src/cli/report/html.js'
import {windowText} from '../../src/cli/report/summary-rows.js'
import type {ChaosResult} from '../../src/ops/chaos.js'

const ROOT = join(import.meta.dirname, '..', '..')
const REPORT = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'chaos-report-vm.json'), 'utf8')) as ChaosResult
const WIDTH = 1280
// how far (CSS px) a drawn mark may sit from where its time puts it: the axis labels' centres give the scale
const SLACK_PX = 1.5

interface Center {
  cx: number
  cy: number
}
interface Box {
  x: number
  y: number
  w: number
  h: number
}
type Rule = Box & Center & {stroke: string; dash: string}
interface Picture {
  box: Box
  rows: (Center & {label: string})[]
  xTicks: (Center & {value: number})[]
  ticks: (Box & Center & {fill: string})[]
  bands: (Box & {fill: string})[]
  rules: Rule[]
  labelRules: Rule[]
  labels: (Box & {text: string})[]
}
interface Page {
  clientWidth: number
  scrollWidth: number
  heading: string
  tableRows: string[][]
  pictures: Picture[]
}

/** The Chromium to drive: LVSLAB_CHROMIUM, else the first of Debian's names on PATH. */
function chromium(): string {
  if (process.env.LVSLAB_CHROMIUM) return process.env.LVSLAB_CHROMIUM
  for (const name of ['chromium-headless-shell', 'chromium', 'chromium-browser']) {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      try {
        accessSync(join(dir, name), constants.X_OK)
        return join(dir, name)
      } catch {
        // not in this folder
      }
    }
  }
  throw new Error(
    'no Chromium to look at the HTML report with (fix: apt-get install chromium-headless-shell, or set LVSLAB_CHROMIUM to a Chromium binary)',
  )
}

/** The linear scale the page drew its time axis with (s to CSS px), fitted by least squares to the axis's tick lines and their labels' values. */
function timeScale(ticks: Picture['xTicks']): (t: number) => number {
  const n = ticks.length
  const mt = ticks.reduce((a, k) => a + k.value, 0) / n
  const mx = ticks.reduce((a, k) => a + k.cx, 0) / n
  const slope = ticks.reduce((a, k) => a + (k.value - mt) * (k.cx - mx), 0) / ticks.reduce((a, k) => a + (k.value - mt) ** 2, 0)
  return (t) => mx + slope * (t - mt)
}

const overlap = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h

let browser: Browser
let page: Page
const dir = mkdtempSync(join(tmpdir(), 'lvslab-html-'))

beforeAll(async () => {
  const file = join(dir, 'report.html')
  writeFileSync(file, await chaosHtml(REPORT, new Date('2026-12-01T00:00:00Z')))
  const executablePath = chromium()
  browser = await puppeteer.launch({
    executablePath,
    headless: basename(executablePath).includes('headless-shell') ? 'shell' : true,
    // root in a container or CI has no user namespace for Chromium's sandbox (the page is our own file);
    // a container's /dev/shm may be too small for Chromium's shared memory, so it uses /tmp
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  })
  const tab = await browser.newPage()
  await tab.setViewport({width: WIDTH, height: 900})
  await tab.goto(pathToFileURL(file).href, {waitUntil: 'load'})
  await tab.addScriptTag({path: join(import.meta.dirname, 'measure-page.js')})
  page = (await tab.evaluate('measureReport()')) as Page
  // the picture a person sees, kept beside the test results (the closing notes show it)
  const shots = join(ROOT, '.cache', 'test-results')
  mkdirSync(shots, {recursive: true})
  await tab.screenshot({path: join(shots, 'chaos-report.png'), fullPage: true})
}, 60_000)

afterAll(async () => {
  await browser?.close()
  rmSync(dir, {recursive: true, force: true})
})

/** Each drawn position within SLACK_PX of the expected one, both sorted: the same times drawn, whatever the order. */
function expectPlaced(drawn: number[], expected: number[], what: string): void {
  const d = [...drawn].sort((a, b) => a - b)
  const e = [...expected].sort((a, b) => a - b)
  expect(d, what).toHaveLength(e.length)
  d.forEach((px, k) =>
    expect(Math.abs(px - e[k]!), `${what} ${k}: drawn at ${px.toFixed(1)} px, its time at ${e[k]!.toFixed(1)} px`).toBeLessThanOrEqual(
      SLACK_PX,
    ),
  )
}

describe('the HTML report in headless Chromium', () => {
  it('says the verdict, has a row and a picture per drill run, and fits a 1280 px window', () => {
    expect(page.heading).toMatch(new RegExp(`lab ${REPORT.lab} ${REPORT.ok ? 'passed' : 'FAILED'}`))
    expect(page.tableRows.map((r) => r.slice(1, 6))).toEqual(
      REPORT.drills.map((d) => [d.drill, d.target, windowText(d.fault), windowText(d.restore), `${d.requests.failed}/${d.requests.sent}`]),
    )
    expect(page.pictures).toHaveLength(REPORT.drills.length)
    expect(page.scrollWidth).toBeLessThanOrEqual(page.clientWidth)
    for (const p of page.pictures) {
      expect(p.box.w * p.box.h).toBeGreaterThan(0)
      expect(p.box.x + p.box.w).toBeLessThanOrEqual(page.clientWidth)
    }
  })

  describe.each(REPORT.drills.map((d, i) => [`${d.drill} on ${d.target}`, i] as const))('%s', (_, i) => {
    const d = REPORT.drills[i]!
    const pic = () => page.pictures[i]!
    const x = () => timeScale(pic().xTicks)

    it("draws each request as a tick on the row of who answered it, at its time: the table's counts, failed ones red", () => {
      const servers = Object.keys(d.requests.perServer).sort()
      const rows = [...pic().rows].sort((a, b) => a.cy - b.cy)
      expect(rows.map((r) => r.label)).toEqual([...servers, 'failed'])
      const gap = rows.length > 1 ? rows[1]!.cy - rows[0]!.cy : 30
      expect(pic().ticks).toHaveLength(d.requests.sent)
      for (const row of rows) {
        // a tick is on a row when its middle is within a third of the rows' spacing of the row's label
        const on = pic().ticks.filter((t) => Math.abs(t.cy - row.cy) < gap / 3)
        for (const t of on) expect(t.fill, `a tick on the row ${row.label}`).toBe(row.label === 'failed' ? '#cf222e' : '#1a7f37')
        const requests = (d.answers ?? []).filter((a) => (row.label === 'failed' ? !a.ok : a.ok && a.server === row.label))
        expect(requests).toHaveLength(row.label === 'failed' ? d.requests.failed : (d.requests.perServer[row.label] ?? 0))
        expectPlaced(
          on.map((t) => t.cx),
          requests.map((a) => x()(a.atMs / 1000)),
          `row ${row.label}: tick`,
        )
      }
    })

    it("draws each event's dashed rule at its time in both panels, and each phase's bound as a grey band", () => {
      const events = d.timeline.map((e) => x()(e.atMs / 1000))
      for (const [panel, rules] of [
        ['requests', pic().rules],
        ['labels', pic().labelRules],
      ] as const) {
        expectPlaced(
          rules.map((r) => r.cx),
          events,
          `${panel} panel: rule`,
        )
        for (const r of rules) expect([r.stroke, r.dash]).toEqual(['#555', '4,3'])
      }
      const restoreAt = d.timeline.find((e) => e.event === 'restore')?.atMs
      const bands = [
        [0, d.fault.window.boundMs],
        ...(d.restore && restoreAt !== undefined ? [[restoreAt, restoreAt + d.restore.window.boundMs]] : []),
      ]
      expectPlaced(
        pic().bands.map((b) => b.x),
        bands.map(([from]) => x()(from! / 1000)),
        'band start',
      )
      expectPlaced(
        pic().bands.map((b) => b.x + b.w),
        bands.map(([, to]) => x()(to! / 1000)),
        'band end',
      )
      for (const b of pic().bands) expect(b.fill).toBe('#999')
    })

    it('labels every event in full beside its rule, inside the picture, crossed by no other rule and over no other label', () => {
      const {labels, labelRules} = pic()
      expect(labels.map((l) => l.text)).toEqual(d.timeline.map((e) => e.event.replace(/^(fault injected): .*/, '$1')))
      labels.forEach((l, k) => {
        expect(l.text).not.toMatch(/…$/)
        // 3 px right of its event's time (dx), give or take the first glyph's side bearing
        expect(Math.abs(l.x - (x()(d.timeline[k]!.atMs / 1000) + 3)), `"${l.text}" starts beside its rule`).toBeLessThanOrEqual(
          SLACK_PX + 1,
        )
        expect(l.x + l.w, `"${l.text}" ends inside the picture`).toBeLessThanOrEqual(pic().box.x + pic().box.w)
      })
      for (const [k, a] of labels.entries()) {
        for (const b of labels.slice(k + 1)) expect(overlap(a, b), `"${a.text}" and "${b.text}" overlap`).toBe(false)
        for (const [j, r] of labelRules.entries())
          if (j !== k) expect(overlap(a, {...r, w: Math.max(r.w, 0.1)}), `the rule of "${labels[j]?.text}" crosses "${a.text}"`).toBe(false)
      }
    })
  })
})
