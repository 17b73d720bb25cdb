import {Args} from '@oclif/core'
import {ChaosCommand, chaosFlags} from '../../cli/chaos-command.js'
import type {ChaosResult} from '../../ops/chaos.js'

/**
 * `lvslab chaos rs-down [RS]`: the rs-down drill (httpd stopped on a real server, default the first;
 * the health check must evict it) restored after unless --no-restore; returns ChaosResult.
 * @throws ResultError (exit 1) when the drill fails; InputError (exit 2) for a real server not in the
 *   lab, or a lab with one; StepError (exit 1) when the lab is not running or not in its original state
 */
export default class RsDown extends ChaosCommand {
  static override summary =
    'Stop httpd on a real server: its health check must evict it and the others serve every answer; then start it again'
  static override examples = [
    {description: 'Stop httpd on rs1, then start it again', command: '<%= config.bin %> chaos rs-down'},
    {description: 'Stop it on rs2, with the report as JSON', command: '<%= config.bin %> chaos rs-down rs2 --json'},
    {description: 'Leave rs1 down (`chaos restore` undoes it)', command: '<%= config.bin %> chaos rs-down rs1 --no-restore'},
  ]
  static override args = {rs: Args.string({description: 'the real server (default: the first, rs1)'})}
  static override flags = chaosFlags

  /**
   * Runs the rs-down drill: prints its progress and report (ChaosCommand.drills), returns ChaosResult; exit 1
   * (with the result and error) when it fails, 1 (a StepError) when the lab is not in its original state, 2 for a real
   * server not in the lab (or a lab with one), 130/143 when interrupted.
   */
  async run(): Promise<ChaosResult> {
    const {args, flags} = await this.parse(RsDown)
    return this.drills(flags, [{name: 'rs-down', target: args.rs}])
  }
}
