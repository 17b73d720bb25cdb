import {ChaosCommand, chaosFlags} from '../../chaos/command.js'
import {DRILLS} from '../../chaos/drills.js'
import type {ChaosResult} from '../../ops/chaos.js'

export default class All extends ChaosCommand {
  static override summary =
    'The three drills in the classic order, each with its restore: rs-down, director-down, kill-master (what CI runs)'
  static override examples = ['<%= config.bin %> chaos all --junit report.xml']
  static override flags = chaosFlags

  async run(): Promise<ChaosResult> {
    const {flags} = await this.parse(All)
    return this.drills(
      flags,
      DRILLS.map((name) => ({name})),
    )
  }
}
