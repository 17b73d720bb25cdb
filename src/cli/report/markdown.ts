// The drills' report as Markdown, for a CI page (GitHub's step summary): a table of the drills, each
// drill's timeline folded under it, and with --repeat the spread over the runs. Tables by markdown-table.
import {appendFileSync} from 'node:fs'
import {markdownTable} from 'markdown-table'
import type {ChaosResult} from '../../ops/chaos.js'
import {summaryRows, windowText as windowCell} from './summary-rows.js'

/** A cell's text: one line, its pipes escaped (GitHub's tables split cells on "|"). */
const cell = (text: string) => text.replaceAll('\n', ' ').replaceAll('|', '\\|')

/**
 * The drills' report as Markdown (GitHub-flavoured): a heading naming the lab and the verdict, a table
 * with one row per drill run (outcome, target, each phase's window beside its bound, failed requests),
 * each drill's failure and timeline (in a folded <details> block), and with --repeat a table of each
 * phase's spread over the runs (min / median / p95 / max). Pure; throws nothing.
 */
export function chaosMarkdown(result: ChaosResult): string {
  const out: string[] = [`## lvslab chaos: lab ${result.lab} ${result.ok ? 'passed' : 'FAILED'}`, '']
  const rows = result.drills.map((d) => [
    d.ok ? '✅' : '❌',
    d.drill,
    d.target,
    cell(windowCell(d.fault)),
    cell(windowCell(d.restore)),
    `${d.requests.failed}/${d.requests.sent}`,
  ])
  out.push(markdownTable([['', 'drill', 'target', 'fault', 'restore', 'failed requests'], ...rows]), '')
  if (result.stopped) out.push(`**Stopped:** ${cell(result.stopped)}`, '')
  for (const d of result.drills) {
    const failure = d.fault.failure ?? d.restore?.failure
    if (failure) out.push(`**${d.drill} failed:** ${cell(failure)}`, '')
    out.push(
      `<details><summary>${d.drill} on ${d.target}: timeline</summary>`,
      '',
      markdownTable([['s from the fault', 'event'], ...d.timeline.map((e) => [(e.atMs / 1000).toFixed(2), cell(e.event)])]),
      '',
      '</details>',
      '',
    )
  }
  if (result.summary) {
    out.push(`### Over ${result.repeat ?? 1} runs (min / median / p95 / max)`, '')
    const phases = summaryRows(result.summary).map((r) => [r.drill, r.passed, r.phase, `${r.measure} (s)`, r.measured, r.bound, r.failed])
    out.push(markdownTable([['drill', 'passed', 'phase', 'window', 'measured', 'bound', 'failed requests'], ...phases]), '')
  }
  return `${out.join('\n')}\n`
}

/**
 * Appends the drills' Markdown report (chaosMarkdown) to `file`, made when missing: appending is what
 * GitHub's $GITHUB_STEP_SUMMARY expects of each command of a step.
 * @throws Error from writing the file (no such folder, no permission, a full disk)
 */
export function writeChaosMarkdown(result: ChaosResult, file: string): void {
  appendFileSync(file, chaosMarkdown(result))
}
