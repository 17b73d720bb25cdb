import {Args, Flags} from '@oclif/core'
import {ChaosCommand, chaosFlags} from '../../cli/chaos-command.js'
import type {ChaosResult} from '../../ops/chaos.js'

/**
 * `lvslab chaos netem [NODE]`: tc netem on a node's eth0. A real server (default the first) made slow or
 * lossy past what the HTTP_GET check accepts: it must be evicted while the others serve, then re-added.
 * The director holding the VIP: a slow link (a delay below what would fail over or evict, default half
 * of it, at most 500 ms) keeps the VIP; a cut link (--loss 100) makes the BACKUP take over beside it
 * (split brain), healed once removed. Returns ChaosResult.
 * @throws ResultError (exit 1) when the drill fails; InputError (exit 2) for a node not in the lab, a lab
 *   with one real server, or an impairment the drill would not judge (src/drills/network.ts); StepError
 *   (exit 1) when the lab is not running or not in its original state
 */
export default class Netem extends ChaosCommand {
  static override summary =
    "Delay or drop a node's packets (tc netem): a real server past connect_timeout is evicted while the others serve; the MASTER's slow link keeps the VIP, its cut link (--loss 100) fails over"
  static override examples = [
    {description: "Delay rs1's packets by 4 s, then remove the delay", command: '<%= config.bin %> chaos netem'},
    {description: 'Lose every packet of rs2', command: '<%= config.bin %> chaos netem rs2 --delay 0 --loss 100'},
    {description: "Slow the MASTER's link by 300 ms: no failover", command: '<%= config.bin %> chaos netem lvs1 --delay 300'},
    {description: "Cut the MASTER's link outwards: lvs2 takes over beside it", command: '<%= config.bin %> chaos netem lvs1 --loss 100'},
  ]
  static override args = {
    node: Args.string({description: 'a real server (default: the first, rs1) or the director holding the VIP'}),
  }
  static override flags = {
    ...chaosFlags,
    delay: Flags.integer({
      description:
        'ms added to every packet the node sends (a real server: default 4000, at least connect_timeout unless --loss 100; the MASTER: default half the most that keeps the VIP, at most 500)',
      min: 0,
      max: 60_000,
    }),
    loss: Flags.integer({description: 'percent of its packets lost (a director: 0 or 100)', default: 0, min: 0, max: 100}),
  }

  /**
   * Runs the netem drill: prints its progress and report (ChaosCommand.drills), returns ChaosResult; exit 1 when it
   * fails or the lab is not in its original state, 2 for bad input, 130/143 when interrupted.
   */
  async run(): Promise<ChaosResult> {
    const {args, flags} = await this.parse(Netem)
    return this.drills(flags, [{name: 'netem', target: args.node, delayMs: flags.delay, lossPercent: flags.loss}])
  }
}
