import {ChaosCommand, chaosFlags} from '../../cli/chaos-command.js'
import {DRILLS} from '../../drills/drill.js'
import type {ChaosResult} from '../../ops/chaos.js'

/**
 * `lvslab chaos all`: the drills of DRILLS in order (rs-down, director-down, kill-master), each from
 * the restored lab, stopping at the first failure (ChaosCommand.drills); returns ChaosResult.
 * @throws ResultError (exit 1, the result kept for --json) when a drill fails; InputError (exit 2) for
 *   --no-restore or a bad lab file; StepError (exit 1) when the lab is not in its original state
 */
export default class All extends ChaosCommand {
  static override summary =
    'The three drills in the classic order, each with its restore: rs-down, director-down, kill-master (what CI runs)'
  static override examples = [
    {
      description: 'Every drill in order, with the report as JUnit XML (what CI runs)',
      command: '<%= config.bin %> chaos all --junit report.xml',
    },
    {description: 'The report as JSON', command: '<%= config.bin %> chaos all --json'},
    {description: 'Against a second lab, probing at 50 Hz', command: '<%= config.bin %> chaos all -f examples/lab2.yaml --rate 50'},
  ]
  static override flags = chaosFlags

  /**
   * Runs chaos all: prints each drill's progress and its report (ChaosCommand.drills), returns ChaosResult;
   * exit 1 (with the result and error) when a drill fails, 1 (a StepError) when the lab is not in its original state,
   * 2 for --no-restore or a bad lab file, 130/143 when interrupted.
   */
  async run(): Promise<ChaosResult> {
    const {flags} = await this.parse(All)
    return this.drills(
      flags,
      DRILLS.map((name) => ({name})),
    )
  }
}
