import {BaseCommand} from '../../cli/base.js'
import {restoreLab, type RestoreResult} from '../../ops/restore.js'

/**
 * `lvslab chaos restore`: undoes whatever drill is in place (src/ops/restore.ts restoreLab) and says
 * what it did and how long the lab took to converge (s); returns RestoreResult.
 * @throws StepError (exit 1) when the lab is not running or does not converge in time; InputError (exit 2) for a bad lab file
 */
export default class Restore extends BaseCommand {
  static override summary = 'Undo whatever drill is in place (httpd started, eth0 up, keepalived running) and wait for the original state'
  static override examples = [
    {description: 'Undo whatever drill is in place', command: '<%= config.bin %> chaos restore'},
    {description: 'In a second lab, with the result as JSON', command: '<%= config.bin %> chaos restore -f examples/lab2.yaml --json'},
  ]

  /**
   * Runs chaos restore: prints what it undid (or "nothing was out of place") and the convergence time (s),
   * returns RestoreResult; exit 1 (a StepError) when the lab is not running or does not converge in time, 2 for a bad
   * lab file, 130/143 when interrupted.
   */
  async run(): Promise<RestoreResult> {
    const {flags} = await this.parse(Restore)
    const lab = this.lab(flags.file)
    const result = await restoreLab(this.runtime(), lab, {signal: this.interruptSignal()})
    this.log(
      `lab ${lab.name}: ${result.actions.length ? result.actions.join(', ') : 'nothing was out of place'}; back to its original state in ${(result.convergedMs / 1000).toFixed(1)} s`,
    )
    return result
  }
}
