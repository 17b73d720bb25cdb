import {Flags} from '@oclif/core'
import {ChaosCommand, chaosFlags} from '../../cli/chaos-command.js'
import type {ChaosResult} from '../../ops/chaos.js'

/**
 * `lvslab chaos flap`: the MASTER's eth0 down and up --count times, --period s each way; the longest
 * gap must stay within the failover bound and the lab must settle as after a restore. Returns ChaosResult.
 * @throws ResultError (exit 1) when the drill fails; InputError (exit 2) for a lab with one director;
 *   StepError (exit 1) when the lab is not running or not in its original state
 */
export default class Flap extends ChaosCommand {
  static override summary =
    "Take the MASTER's eth0 down and up again several times: each down must fail over within its bound, and the lab settle once it ends"
  static override examples = [
    {description: 'Three flaps, each as long as a failover plus a second', command: '<%= config.bin %> chaos flap'},
    {
      description: 'Five flaps of 5 s (longer than the classic lab failover, 3.8 s)',
      command: '<%= config.bin %> chaos flap --count 5 --period 5',
    },
  ]
  static override flags = {
    ...chaosFlags,
    count: Flags.integer({description: 'how many times eth0 goes down', default: 3, min: 1, max: 20}),
    period: Flags.integer({
      description: 'seconds down, and up between two downs (default: the failover bound rounded up, plus 1)',
      min: 1,
      max: 120,
    }),
  }

  /**
   * Runs the flap drill: prints its progress and report (ChaosCommand.drills), returns ChaosResult; exit 1 when it fails
   * or the lab is not in its original state, 2 for a lab with one director, 130/143 when interrupted.
   */
  async run(): Promise<ChaosResult> {
    const {flags} = await this.parse(Flap)
    return this.drills(flags, [{name: 'flap', count: flags.count, periodSeconds: flags.period}])
  }
}
