// What the chaos commands share: their flags and how they run drills and report.
import {Flags} from '@oclif/core'
import {BaseCommand, ResultError} from './base.js'
import {InputError} from '../errors.js'
import {type ChaosResult, runChaos} from '../ops/chaos.js'
import {chaosLines, writeChaosJunit} from './report/chaos.js'
import {writeChaosMarkdown} from './report/markdown.js'
import {writeChaosHtml} from './report/html.js'
import type {DrillName} from '../drills/drill.js'
import type {DrillParams} from '../drills/drills.js'

/** The flags every drill command takes: --restore/--no-restore, --timeout (s), --from, --junit and --markdown (files), --rate (Hz), --repeat. */
export const chaosFlags = {
  restore: Flags.boolean({
    description: 'restore after the fault (--no-restore leaves it in place; `lvslab chaos restore` undoes it)',
    default: true,
    allowNo: true,
  }),
  timeout: Flags.integer({
    description: "seconds to wait for each expected state, instead of the bound derived from the lab's timers",
    min: 1,
    max: 3600,
  }),
  from: Flags.string({description: 'where the prober runs from', options: ['auto', 'host', 'container'], default: 'auto'}),
  junit: Flags.string({description: 'also write the report as a JUnit XML file'}),
  markdown: Flags.string({description: "also append the report as Markdown to a file (e.g. GitHub's $GITHUB_STEP_SUMMARY)"}),
  html: Flags.string({description: 'also write the report as one self-contained HTML page with a timeline picture per drill'}),
  rate: Flags.integer({description: 'requests per second sent to the VIP during the drill', default: 20, min: 20, max: 200}),
  repeat: Flags.integer({
    description: 'run the drill(s) N times and report min, median, p95 and max of each window and of failed requests',
    default: 1,
    min: 1,
    max: 100,
  }),
}

/** A drill command: runs its drills (runChaos), prints the report (or --json), writes JUnit when asked. */
export abstract class ChaosCommand extends BaseCommand {
  /**
   * Runs the drills (src/ops/chaos.ts runChaos) and reports them: progress lines and the report's
   * lines (or nothing with --json), JUnit XML to flags.junit, Markdown appended to flags.markdown and an
   * HTML page (with every request kept for its pictures) to flags.html, when given.
   * @throws InputError for --no-restore with several drills or with --repeat, or a drill target not in the lab;
   *   ResultError (with the result) when a drill failed or the drills stopped early; StepError when the
   *   lab is not running or not in its original state before the first drill, or on an interrupt
   */
  protected async drills(
    flags: {
      file?: string
      restore: boolean
      timeout?: number
      from: string
      junit?: string
      markdown?: string
      html?: string
      rate: number
      repeat: number
    },
    drills: ({name: DrillName; target?: string} & DrillParams)[],
  ): Promise<ChaosResult> {
    const lab = this.lab(flags.file)
    if (!flags.restore && drills.length > 1)
      throw new InputError(
        '--no-restore: only for a single drill, since each drill of `chaos all` starts from the restored lab (fix: run one drill with --no-restore, e.g. `lvslab chaos kill-master --no-restore`)',
      )
    if (!flags.restore && flags.repeat > 1)
      throw new InputError(
        '--repeat: each run starts from the restored lab, so it needs the restore (fix: leave out --no-restore, or --repeat)',
      )
    const result = await runChaos(this.runtime(), lab, drills, {
      restore: flags.restore,
      from: flags.from as 'auto',
      timeoutSeconds: flags.timeout,
      rateHz: flags.rate,
      repeat: flags.repeat,
      keepAnswers: flags.html !== undefined,
      // a drill's step events as plain lines: its title when it starts, then its timeline as it happens
      onStep: this.jsonEnabled()
        ? undefined
        : (e) => {
            if (e.type === 'start') this.log(e.title)
            else if (e.type === 'progress' && e.detail !== undefined) this.log(e.detail)
          },
      signal: this.interruptSignal(),
    })
    if (flags.junit) writeChaosJunit(result, flags.junit)
    if (flags.markdown) writeChaosMarkdown(result, flags.markdown)
    if (flags.html) await writeChaosHtml(result, flags.html)
    if (!this.jsonEnabled()) for (const line of chaosLines(result)) this.log(line)
    if (!result.ok)
      throw new ResultError(
        `lab ${lab.name}: ${[...result.drills.filter((d) => !d.ok).map((d) => `${d.drill} failed: ${d.fault.failure ?? d.restore?.failure ?? 'restore not reached'}`), ...(result.stopped ? [result.stopped] : [])].join('; ') || 'drills did not run'}`,
        result,
      )
    return result
  }
}
