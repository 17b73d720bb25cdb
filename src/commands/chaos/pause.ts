import {ChaosCommand, chaosFlags} from '../../cli/chaos-command.js'
import type {ChaosResult} from '../../ops/chaos.js'

/**
 * `lvslab chaos pause`: `docker pause` of the MASTER, a hung director rather than a dead one (its
 * keepalived frozen, its VIP and IPVS state kept by its kernel): the BACKUP must take over; then
 * unpause, and the MASTER resumes as MASTER while the other steps down. Returns ChaosResult.
 * @throws ResultError (exit 1) when the drill fails; InputError (exit 2) for a lab with one director;
 *   StepError (exit 1) when the lab is not running or not in its original state
 */
export default class Pause extends ChaosCommand {
  static override summary =
    'docker pause the MASTER (a hung director): the BACKUP must take the VIP and serve; then unpause, and the MASTER is MASTER again'
  static override examples = [
    {description: 'Pause the MASTER, then unpause it', command: '<%= config.bin %> chaos pause'},
    {description: 'Five times, with the spread of its windows', command: '<%= config.bin %> chaos pause --repeat 5'},
  ]
  static override flags = chaosFlags

  /**
   * Runs the pause drill: prints its progress and report (ChaosCommand.drills), returns ChaosResult;
   * exit 1 when it fails or the lab is not in its original state, 2 for a lab with one director, 130/143 when interrupted.
   */
  async run(): Promise<ChaosResult> {
    const {flags} = await this.parse(Pause)
    return this.drills(flags, [{name: 'pause'}])
  }
}
