import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base.js'
import {upLab, type UpResult} from '../ops/up/index.js'

/**
 * `lvslab up`: runs src/ops/up upLab with its steps rendered by listr2, then one summary line (created,
 * already there, convergence time in s, whole run in s) and, unless --no-verify, the answers per real
 * server; returns UpResult. SIGINT/SIGTERM stop it at the next step (exit 130/143).
 * @throws StepError (exit 1) naming the failed step; InputError (exit 2) for a bad lab file or flag
 */
export default class Up extends BaseCommand {
  static override summary = 'Create, configure and start the lab, wait for it to converge, and verify it over HTTP'
  static override description =
    "Idempotent: a second `up` on a running lab changes nothing and verifies again. Refuses, touching nothing, when a name or the subnet is held by something that is not this lab's."
  static override examples = [
    {description: 'Stand up the classic lab (or ./lvslab.yaml)', command: '<%= config.bin %> up'},
    {description: 'A second lab beside it: its own name, subnet and VRID', command: '<%= config.bin %> up -f examples/lab2.yaml'},
    {description: 'Three weighted real servers under wrr', command: '<%= config.bin %> up --file examples/weighted.yaml'},
    {description: 'Privileged containers, the classic way, with the result as JSON', command: '<%= config.bin %> up --privileged --json'},
    {
      description: 'Probe from a client container, and skip the HTTP verification',
      command: '<%= config.bin %> up --from container --no-verify',
    },
  ]
  static override flags = {
    privileged: Flags.boolean({
      description:
        'privileged containers and sysctls written after start, the classic way (default: least privilege, NET_ADMIN and NET_RAW only)',
    }),
    from: Flags.string({description: 'where the HTTP probes run from', options: ['auto', 'host', 'container'], default: 'auto'}),
    'no-verify': Flags.boolean({description: 'wait for convergence but skip the HTTP verification'}),
  }

  /**
   * Runs up: its steps rendered by listr2, then the summary line and, unless --no-verify, the VIP's answers per
   * real server; returns UpResult; exit 1 (a StepError naming the step) when a step fails, 2 for a bad lab file or
   * flag, 130/143 when interrupted (saying what of the lab exists).
   */
  async run(): Promise<UpResult> {
    const signal = this.interruptSignal()
    const {flags} = await this.parse(Up)
    const lab = this.lab(flags.file)
    const result = await this.steps((onStep) =>
      upLab(this.runtime(), lab, {
        mode: flags.privileged ? 'privileged' : 'least-privilege',
        from: flags.from as 'auto' | 'host' | 'container',
        noVerify: flags['no-verify'],
        signal,
        onStep,
      }),
    )
    this.log(
      `lab ${result.lab} is up (${result.mode}): created ${result.created.length}, already there ${result.existing.length}, converged in ${(result.convergedMs / 1000).toFixed(1)} s, ${result.seconds.toFixed(1)} s in all`,
    )
    if (result.verify)
      this.log(
        `VIP http://${lab.vip}:${lab.virtual_server.port}/ answered ${result.verify.requests.sent - result.verify.requests.failed}/${result.verify.requests.sent}: ${Object.entries(
          result.verify.requests.perServer,
        )
          .map(([s, n]) => `${s} x${n}`)
          .join(', ')}`,
      )
    return result
  }
}
