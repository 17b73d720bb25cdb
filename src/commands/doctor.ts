import {BaseCommand, ResultError} from '../cli/base.js'
import {doctor, type DoctorResult} from '../ops/doctor.js'

/**
 * `lvslab doctor`: prints one line per finding of src/ops/doctor.ts (engine, image, ip_vs, containers,
 * --privileged, names and subnet), each failed one with its fix; returns DoctorResult ({ok, findings:
 * [{check, ok, detail, fix?}]}) as JSON with --json.
 * @throws ResultError (exit 1, the result kept for --json) when a finding fails; InputError (exit 2) for a bad lab file
 */
export default class Doctor extends BaseCommand {
  static override summary = 'Check the engine, ip_vs, the lab image, --privileged and subnet conflicts, each finding with its fix'
  static override examples = [
    {description: 'Check this host and engine for the classic lab', command: '<%= config.bin %> doctor'},
    {description: 'The findings as JSON, for a script', command: '<%= config.bin %> doctor --json'},
    {description: 'Check for a second lab: its subnet and names must be free', command: '<%= config.bin %> doctor -f examples/lab2.yaml'},
  ]

  /**
   * Runs doctor: prints one line per finding (✔ or ✖, each failed one with its fix), returns DoctorResult;
   * exit 1 (with the result and error) when a finding fails, 2 for a bad lab file, 130/143 when interrupted.
   */
  async run(): Promise<DoctorResult> {
    const {flags} = await this.parse(Doctor)
    const lab = this.lab(flags.file)
    const result = await doctor(this.runtime(), lab, {signal: this.interruptSignal()})
    for (const f of result.findings) this.log(`${f.ok ? '✔' : '✖'} ${f.check}: ${f.detail}${f.fix ? ` (fix: ${f.fix})` : ''}`)
    if (!result.ok) throw new ResultError(`${result.findings.filter((f) => !f.ok).length} problem(s) found`, result)
    return result
  }
}
