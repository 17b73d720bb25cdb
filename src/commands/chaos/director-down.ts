import {Args} from '@oclif/core'
import {ChaosCommand, chaosFlags} from '../../cli/chaos-command.js'
import type {ChaosResult} from '../../ops/chaos.js'

/**
 * `lvslab chaos director-down [DIRECTOR]`: the director-down drill (src/drills/drills.ts) against a
 * director (default: the MASTER), restored after unless --no-restore; returns ChaosResult.
 * @throws ResultError (exit 1) when the drill fails; InputError (exit 2) for a director not in the lab;
 *   StepError (exit 1) when the lab is not running or not in its original state
 */
export default class DirectorDown extends ChaosCommand {
  static override summary =
    "Take a director's eth0 down: the other must take the VIP and serve; then eth0 up, and the MASTER takes the VIP back"
  static override examples = [
    {description: "Take the MASTER's eth0 down, then up again", command: '<%= config.bin %> chaos director-down'},
    {
      description: 'Take lvs1 down and leave it down (`chaos restore` undoes it)',
      command: '<%= config.bin %> chaos director-down lvs1 --no-restore',
    },
    {description: 'The report as JSON and JUnit XML', command: '<%= config.bin %> chaos director-down --json --junit report.xml'},
  ]
  static override args = {director: Args.string({description: 'the director (default: the MASTER)'})}
  static override flags = chaosFlags

  /**
   * Runs the director-down drill: prints its progress and report (ChaosCommand.drills), returns ChaosResult;
   * exit 1 (with the result and error) when it fails, 1 (a StepError) when the lab is not in its original state, 2 for
   * a director not in the lab, 130/143 when interrupted.
   */
  async run(): Promise<ChaosResult> {
    const {args, flags} = await this.parse(DirectorDown)
    return this.drills(flags, [{name: 'director-down', target: args.director}])
  }
}
