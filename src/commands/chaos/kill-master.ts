import {ChaosCommand, chaosFlags} from '../../cli/chaos-command.js'
import type {ChaosResult} from '../../ops/chaos.js'

/**
 * `lvslab chaos kill-master`: the kill-master drill (SIGKILL to the MASTER's keepalived main process,
 * as the classic walkthrough did; its VRRP child still steps down, see killKeepalived), restored after
 * unless --no-restore; returns ChaosResult.
 * @throws ResultError (exit 1) when the drill fails; InputError (exit 2) for a lab with one director;
 *   StepError (exit 1) when the lab is not running or not in its original state
 */
export default class KillMaster extends ChaosCommand {
  static override summary =
    "kill -9 the MASTER's keepalived: the BACKUP must take the VIP and serve, the container stays up; then start keepalived, and the MASTER is MASTER again"
  static override examples = [
    {description: "kill -9 the MASTER's keepalived, then start it again", command: '<%= config.bin %> chaos kill-master'},
    {description: 'The report as JSON and JUnit XML', command: '<%= config.bin %> chaos kill-master --json --junit kill-master.xml'},
    {description: 'Wait at most 60 s for each expected state', command: '<%= config.bin %> chaos kill-master --timeout 60'},
  ]
  static override flags = chaosFlags

  /**
   * Runs the kill-master drill: prints its progress and report (ChaosCommand.drills), returns ChaosResult;
   * exit 1 (with the result and error) when it fails, 1 (a StepError) when the lab is not in its original state, 2 for
   * a lab with one director, 130/143 when interrupted.
   */
  async run(): Promise<ChaosResult> {
    const {flags} = await this.parse(KillMaster)
    return this.drills(flags, [{name: 'kill-master'}])
  }
}
