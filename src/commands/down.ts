import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base.js'
import {DNS_LABEL} from '../lab/schema.js'
import {InputError} from '../errors.js'
import {downLab, type DownResult} from '../ops/down.js'

/**
 * `lvslab down`: removes the lab's containers and network, found by the lvslab.lab label alone
 * (src/ops/down.ts), and says what went; returns DownResult ({lab, removed: {containers, networks}}).
 * Idempotent: a lab already gone is "nothing to remove".
 * @throws InputError (exit 2) for a --name that is not a DNS label or a bad lab file; StepError (exit 1) when the engine fails
 */
export default class Down extends BaseCommand {
  static override summary = "Remove exactly this lab's containers and network, found by their labels; touches nothing else"
  static override examples = [
    {description: 'Remove the lab of ./lvslab.yaml (or the classic lab)', command: '<%= config.bin %> down'},
    {description: 'Remove a lab by its name, without its file', command: '<%= config.bin %> down --name lab2'},
    {
      description: 'Remove the lab a file describes, and say what went as JSON',
      command: '<%= config.bin %> down -f examples/lab2.yaml --json',
    },
  ]
  static override flags = {
    name: Flags.string({description: 'the lab name, instead of reading it from the lab file', exclusive: ['file']}),
  }

  /**
   * Runs down: prints "lab NAME: removed <containers>, <network>" or "nothing to remove" (still exit 0),
   * returns DownResult; exit 2 for a bad --name or lab file, 1 when the engine fails, 130/143 when interrupted.
   */
  async run(): Promise<DownResult> {
    const {flags} = await this.parse(Down)
    if (flags.name !== undefined && !DNS_LABEL.test(flags.name))
      throw new InputError(`--name: ${JSON.stringify(flags.name)} is not a lab name (fix: use lowercase letters, digits and "-")`)
    const name = flags.name ?? this.lab(flags.file).name
    const result = await downLab(this.runtime(), name, {signal: this.interruptSignal()})
    const n = result.removed.containers.length + result.removed.networks.length
    this.log(
      n === 0
        ? `lab ${name}: nothing to remove`
        : `lab ${name}: removed ${[...result.removed.containers, ...result.removed.networks].join(', ')}`,
    )
    return result
  }
}
