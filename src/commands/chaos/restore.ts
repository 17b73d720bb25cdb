import {BaseCommand} from '../../base.js'
import {restoreLab, type RestoreResult} from '../../ops/chaos.js'

export default class Restore extends BaseCommand {
  static override summary = 'Undo whatever drill is in place (httpd started, eth0 up, keepalived running) and wait for the original state'
  static override examples = ['<%= config.bin %> chaos restore']

  async run(): Promise<RestoreResult> {
    const {flags} = await this.parse(Restore)
    const lab = this.lab(flags.file)
    const result = await restoreLab(this.runtime(), lab)
    this.log(
      `lab ${lab.name}: ${result.actions.length ? result.actions.join(', ') : 'nothing was out of place'}; back to its original state in ${(result.converged_ms / 1000).toFixed(1)} s`,
    )
    return result
  }
}
