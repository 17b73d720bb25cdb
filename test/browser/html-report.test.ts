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
interface Picture {
  box: Box
  rows: (Center & {label: string})[]
  xTicks: (Center & {value: number})[]
  ticks: (Center & {fill: string})[]
  rules: number[]
  labels: (Box & {text: string})[]
}
interface Page {
  viewportWidth: number
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

/** The linear scale the page drew its time axis with (CSS px per s), fitted by least squares to the axis labels' centres. */
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
    // root in a container or CI has no user namespace for Chromium's sandbox; the page is our own file
    args: ['--no-sandbox'],
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

describe('the HTML report in headless Chromium', () => {
  it('says the verdict, has a row and a picture per drill run, and fits a 1280 px window', () => {
    expect(page.heading).toMatch(new RegExp(`lab ${REPORT.lab} ${REPORT.ok ? 'passed' : 'FAILED'}`))
    expect(page.tableRows.map((r) => r.slice(1, 6))).toEqual(
      REPORT.drills.map((d) => [d.drill, d.target, windowText(d.fault), windowText(d.restore), `${d.requests.failed}/${d.requests.sent}`]),
    )
    expect(page.pictures).toHaveLength(REPORT.drills.length)
    expect(page.scrollWidth).toBeLessThanOrEqual(page.viewportWidth)
    for (const p of page.pictures) {
      expect(p.box.w * p.box.h).toBeGreaterThan(0)
      expect(p.box.x + p.box.w).toBeLessThanOrEqual(WIDTH)
    }
  })

  describe.each(REPORT.drills.map((d, i) => [`${d.drill} on ${d.target}`, i] as const))('%s', (_, i) => {
    const d = REPORT.drills[i]!
    const pic = () => page.pictures[i]!

    it('draws one tick per request on the row of who answered: the counts the table gives, failed ones red', () => {
      const servers = Object.keys(d.requests.perServer).sort()
      const rows = [...pic().rows].sort((a, b) => a.cy - b.cy)
      expect(rows.map((r) => r.label)).toEqual([...servers, 'failed'])
      const rowOf = (cy: number) => rows.reduce((best, r) => (Math.abs(r.cy - cy) < Math.abs(best.cy - cy) ? r : best)).label
      const counted: Record<string, number> = {}
      for (const t of pic().ticks) {
        const row = rowOf(t.cy)
        counted[row] = (counted[row] ?? 0) + 1
        expect(t.fill, `a tick on the row ${row}`).toBe(row === 'failed' ? '#cf222e' : '#1a7f37')
      }
      expect(pic().ticks).toHaveLength(d.requests.sent)
      expect(counted).toEqual({...d.requests.perServer, ...(d.requests.failed > 0 ? {failed: d.requests.failed} : {})})
    })

    it("places each tick at its request's time and each dashed rule at its event's time on the drawn axis", () => {
      const x = timeScale(pic().xTicks)
      const drawn = pic()
        .ticks.map((t) => t.cx)
        .sort((a, b) => a - b)
      const sent = (d.answers ?? []).map((a) => x(a.atMs / 1000)).sort((a, b) => a - b)
      expect(drawn).toHaveLength(sent.length)
      drawn.forEach((px, k) => expect(Math.abs(px - sent[k]!), `tick ${k}`).toBeLessThanOrEqual(SLACK_PX))
      const rules = [...pic().rules].sort((a, b) => a - b)
      const events = d.timeline.map((e) => x(e.atMs / 1000)).sort((a, b) => a - b)
      expect(rules).toHaveLength(events.length)
      rules.forEach((px, k) => expect(Math.abs(px - events[k]!), `rule ${k}`).toBeLessThanOrEqual(SLACK_PX))
    })

    it('labels every event in full, inside the picture, none over another', () => {
      const labels = pic().labels
      expect(labels.map((l) => l.text)).toEqual(d.timeline.map((e) => e.event.replace(/^(fault injected): .*/, '$1')))
      for (const l of labels) {
        expect(l.text).not.toMatch(/…$/)
        expect(l.x + l.w, `"${l.text}" ends inside the picture`).toBeLessThanOrEqual(pic().box.x + pic().box.w)
      }
      for (const [k, a] of labels.entries())
        for (const b of labels.slice(k + 1)) expect(overlap(a, b), `"${a.text}" and "${b.text}" overlap`).toBe(false)
    })
  })
})
