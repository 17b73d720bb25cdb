import {ChaosCommand, chaosFlags} from '../../cli/chaos-command.js'
import type {ChaosResult} from '../../ops/chaos.js'

/**
 * `lvslab chaos hard-kill`: SIGKILL to every keepalived process of the MASTER at once, so nothing
 * cleans up: the BACKUP takes the VIP while the old MASTER keeps a stale copy on its eth0 (two
 * holders, reported); the restore removes it, clears IPVS and starts keepalived. Returns ChaosResult.
 * @throws ResultError (exit 1) when the drill fails; InputError (exit 2) for a lab with one director;
 *   StepError (exit 1) when the lab is not running or not in its original state
 */
export default class HardKill extends ChaosCommand {
  static override summary =
    "kill -9 every keepalived process of the MASTER: the BACKUP takes the VIP while the stale VIP stays on the MASTER's eth0 (two holders); then remove it and start keepalived"
  static override examples = [
    {description: "kill -9 all of the MASTER's keepalived, then clean up and start it", command: '<%= config.bin %> chaos hard-kill'},
    {description: 'Five times, with the spread of its windows', command: '<%= config.bin %> chaos hard-kill --repeat 5'},
  ]
  static override flags = chaosFlags

  /**
   * Runs the hard-kill drill: prints its progress and report (ChaosCommand.drills), returns ChaosResult;
   * exit 1 when it fails or the lab is not in its original state, 2 for a lab with one director, 130/143 when interrupted.
   */
  async run(): Promise<ChaosResult> {
    const {flags} = await this.parse(HardKill)
    return this.drills(flags, [{name: 'hard-kill'}])
  }
}
