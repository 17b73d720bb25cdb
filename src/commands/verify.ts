import {Flags} from '@oclif/core'
import {BaseCommand, ResultError} from '../cli/base.js'
import {verifyLab, type VerifyResult} from '../ops/verify.js'
import {writeVerifyJunit} from '../cli/report/junit.js'
import {checkLines} from '../cli/report/text.js'

/**
 * `lvslab verify`: HTTP against the VIP (--requests, default 20 or 4 per real server) and the nodes'
 * own facts (src/ops/verify.ts), one line per check, optionally as JUnit XML (--junit); returns
 * VerifyResult. Exit 0 only when every check holds.
 * @throws ResultError (exit 1, the result kept for --json) when a check fails; StepError (exit 1) when
 *   the lab is not running; InputError (exit 2) for a bad lab file or flag
 */
export default class Verify extends BaseCommand {
  static override summary = 'Check the running lab over HTTP against the VIP and from the directors; exit 0 only when every check holds'
  static override examples = [
    {description: 'Check the running classic lab', command: '<%= config.bin %> verify'},
    {description: 'For CI: the result as JSON and the checks as JUnit XML', command: '<%= config.bin %> verify --json --junit verify.xml'},
    {
      description: 'A second lab, probed from a container with 40 requests',
      command: '<%= config.bin %> verify -f examples/lab2.yaml --from container --requests 40',
    },
  ]
  static override flags = {
    from: Flags.string({
      description: 'where the HTTP probes run from (auto: the host when it is on the lab network, else a client container)',
      options: ['auto', 'host', 'container'],
      default: 'auto',
    }),
    junit: Flags.string({description: 'also write the checks as a JUnit XML file'}),
    requests: Flags.integer({description: 'how many HTTP requests to send (default: 20, or 4 per real server)', min: 1, max: 10_000}),
  }

  /**
   * Runs verify: prints each check (and writes them to --junit), returns VerifyResult; exit 1 (with the result
   * and error) when a check fails, 1 (a StepError) when the lab is not running, 2 for bad input, 130/143 when interrupted.
   */
  async run(): Promise<VerifyResult> {
    const {flags} = await this.parse(Verify)
    const lab = this.lab(flags.file)
    const result = await verifyLab(this.runtime(), lab, {
      from: flags.from as 'auto',
      requests: flags.requests,
      signal: this.interruptSignal(),
    })
    if (flags.junit) writeVerifyJunit(result, flags.junit)
    for (const line of checkLines(result.checks)) this.log(line)
    if (!result.ok)
      throw new ResultError(
        `lab ${lab.name}: ${result.checks.filter((c) => !c.ok).length} of ${result.checks.length} checks failed: ${result.checks
          .filter((c) => !c.ok)
          .map((c) => c.name)
          .join('; ')}`,
        result,
      )
    this.log(`lab ${lab.name}: all ${result.checks.length} checks pass (probes from the ${result.via})`)
    return result
  }
}
