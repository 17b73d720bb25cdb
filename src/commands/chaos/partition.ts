import {Flags} from '@oclif/core'
import {ChaosCommand, chaosFlags} from '../../cli/chaos-command.js'
import type {ChaosResult} from '../../ops/chaos.js'

/**
 * `lvslab chaos partition`: the MASTER's VRRP adverts dropped on its eth0 (tc; both ways, or its own
 * only with --one-way), so the BACKUP hears none and becomes MASTER too: split brain caused on purpose,
 * detected, measured for its effect on clients, and healed. Returns ChaosResult.
 * @throws ResultError (exit 1) when the drill fails; InputError (exit 2) for a lab with one director;
 *   StepError (exit 1) when the lab is not running or not in its original state
 */
export default class Partition extends ChaosCommand {
  static override summary =
    "the directors stop hearing each other's VRRP adverts: both become MASTER (split brain), service is measured; then heal, and the MASTER alone holds the VIP"
  static override examples = [
    {description: 'Drop VRRP both ways at the MASTER, then let it through', command: '<%= config.bin %> chaos partition'},
    {description: "Drop only the MASTER's own adverts", command: '<%= config.bin %> chaos partition --one-way'},
  ]
  static override flags = {
    ...chaosFlags,
    'one-way': Flags.boolean({description: "drop only the MASTER's outgoing adverts (it still hears the BACKUP)", default: false}),
  }

  /**
   * Runs the partition drill: prints its progress and report (ChaosCommand.drills), returns ChaosResult;
   * exit 1 when it fails or the lab is not in its original state, 2 for a lab with one director, 130/143 when interrupted.
   */
  async run(): Promise<ChaosResult> {
    const {flags} = await this.parse(Partition)
    return this.drills(flags, [{name: 'partition', oneWay: flags['one-way']}])
  }
}
