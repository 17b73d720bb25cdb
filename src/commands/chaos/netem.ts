import {Args, Flags} from '@oclif/core'
import {ChaosCommand, chaosFlags} from '../../cli/chaos-command.js'
import type {ChaosResult} from '../../ops/chaos.js'

/**
 * `lvslab chaos netem [RS]`: a real server (default the first) made slow or lossy with tc netem, past
 * what the HTTP_GET check accepts: it must be evicted while the others serve; then the impairment is
 * removed and it is re-added. Returns ChaosResult.
 * @throws ResultError (exit 1) when the drill fails; InputError (exit 2) for a real server not in the lab,
 *   a lab with one, or an impairment the check would not act on; StepError (exit 1) when the lab is not
 *   running or not in its original state
 */
export default class Netem extends ChaosCommand {
  static override summary =
    "Delay or drop a real server's packets (tc netem) past connect_timeout: its health check must evict it and the others serve; then remove it"
  static override examples = [
    {description: "Delay rs1's packets by 4 s, then remove the delay", command: '<%= config.bin %> chaos netem'},
    {description: 'Lose every packet of rs2', command: '<%= config.bin %> chaos netem rs2 --delay 0 --loss 100'},
  ]
  static override args = {rs: Args.string({description: 'the real server (default: the first, rs1)'})}
  static override flags = {
    ...chaosFlags,
    delay: Flags.integer({
      description: "ms added to every packet of the real server (at least the health check's connect_timeout, unless --loss 100)",
      default: 4000,
      min: 0,
      max: 60_000,
    }),
    loss: Flags.integer({description: 'percent of its packets lost', default: 0, min: 0, max: 100}),
  }

  /**
   * Runs the netem drill: prints its progress and report (ChaosCommand.drills), returns ChaosResult; exit 1 when it
   * fails or the lab is not in its original state, 2 for bad input, 130/143 when interrupted.
   */
  async run(): Promise<ChaosResult> {
    const {args, flags} = await this.parse(Netem)
    return this.drills(flags, [{name: 'netem', target: args.rs, delayMs: flags.delay, lossPercent: flags.loss}])
  }
}
