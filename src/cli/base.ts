// Shared flags and error handling of every command: bad input exits 2 with one line per problem
// (field or flag, what is wrong, the fix); a failed step exits 1 naming the step.
import {Command, Flags, type Interfaces} from '@oclif/core'
import {InputError, StepError} from '../errors.js'
import {loadLab} from '../lab/load.js'
import {type Lab, labNotes} from '../lab/model.js'
import type {StepSink} from '../ops/steps.js'
import {rendererFromProcess, type RendererName} from './report/renderer.js'
import {withSteps} from './steps.js'
import {DockerRuntime} from '../runtime/docker/index.js'
import type {Runtime} from '../runtime/types.js'
import {labFilter} from '../runtime/labels.js'

/**
 * A failure that still has a result to report (verify, a drill, doctor, status): the command exits
 * with `exitCode` (default 1), and with --json prints the result with `error` set to the message.
 */
export class ResultError extends Error {
  /**
   * @param message the failure in one line (printed as `lvslab: <message>`, or as `error` with --json)
   * @param result the command's result, printed with --json
   * @param exitCode the process' exit code (default 1)
   */
  constructor(
    message: string,
    readonly result: object,
    readonly exitCode = 1,
  ) {
    super(message)
  }
}

/**
 * What every lvslab command shares: the --file and --json flags, the lab file, the Docker runtime,
 * step rendering, interrupts (SIGINT exits 130, SIGTERM 143) and errors mapped to exit codes
 * (InputError 2, StepError 1, ResultError its own) and one line each, or JSON with --json.
 */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true
  static override baseFlags = {
    file: Flags.string({
      char: 'f',
      description: 'lab file (default: ./lvslab.yaml, or the classic lab when there is none)',
      helpGroup: 'GLOBAL',
    }),
  }

  /**
   * Makes the engine every command of this process runs on (see runtime()): a DockerRuntime, as
   * DOCKER_HOST (or the local socket) says. A seam for tests only: test/unit/commands-engine.test.ts
   * sets it on the built class (dist/cli/base.js, which the commands oclif loads extend) to run the
   * commands in-process on the memory runtime, and puts it back after. Nothing in src/ sets it.
   */
  static runtimeFactory: () => Runtime = () => new DockerRuntime()

  private labName?: string
  private interruptedBy?: NodeJS.Signals
  private controller?: AbortController

  /**
   * The lab file (see loadLab), remembered for the interrupt report; what lvslab does for the user
   * beyond the file (labNotes) is said on stderr as "lvslab: note: ...", except with --json.
   * @throws InputError for a bad lab file
   */
  protected lab(file: string | undefined): Lab {
    const lab = loadLab(file)
    this.labName = lab.name
    if (!this.jsonEnabled()) for (const note of labNotes(lab)) process.stderr.write(`lvslab: note: ${note}\n`)
    return lab
  }

  /**
   * Aborted on SIGINT or SIGTERM: the work stops at its next step, the command says what exists and
   * exits 130 or 143. A second signal exits at once.
   */
  protected interruptSignal(): AbortSignal {
    if (!this.controller) {
      const controller = new AbortController()
      this.controller = controller
      const on = (sig: NodeJS.Signals) => {
        if (this.interruptedBy) process.exit(sig === 'SIGINT' ? 130 : 143)
        this.interruptedBy = sig
        process.stderr.write(`lvslab: ${sig} received, stopping at the next step (again to quit at once)\n`)
        controller.abort(new StepError(sig, 'interrupted'))
      }
      process.on('SIGINT', on)
      process.on('SIGTERM', on)
    }
    return this.controller.signal
  }

  /** The engine the lab runs on: BaseCommand.runtimeFactory's, by default Docker as DOCKER_HOST (or the local socket) says. */
  protected runtime(): Runtime {
    return BaseCommand.runtimeFactory()
  }

  /** The listr2 renderer for this run: live on a terminal, plain lines in CI or a log, silent with --json. */
  protected renderer(): RendererName {
    return rendererFromProcess(this.jsonEnabled())
  }

  /** Runs a use case with its step events rendered by listr2 (this.renderer()), its last frame drawn before it returns. */
  protected steps<T>(run: (onStep: StepSink) => Promise<T>): Promise<T> {
    return withSteps(this.renderer(), run)
  }

  /**
   * What --json prints on failure (src/cli/json.ts ErrorJson): a ResultError's result with `error` its
   * message; {error: {kind: 'input', lines}} for InputError; {error: {kind: 'step', step, message, fix}}
   * for StepError; {error: message} for anything else.
   */
  protected override toErrorJson(err: unknown): unknown {
    if (err instanceof ResultError) return {...err.result, error: err.message}
    if (err instanceof InputError) return {error: {kind: 'input', lines: err.lines}}
    if (err instanceof StepError) return {error: {kind: 'step', step: err.step, message: err.message, fix: err.fix}}
    return {error: err instanceof Error ? err.message : String(err)}
  }

  /**
   * Maps a failure to its exit code and output (README.md "Commands" and "JSON output"): after an
   * interrupt, what of the lab exists (exit 130/143); oclif's parse errors (exit 2) as one InputError
   * line with the fix; InputError 2, StepError 1, ResultError its exitCode, anything else 1, as one
   * line each on stderr or toErrorJson on stdout with --json. oclif's own exits (and everything when
   * DEBUG is set) keep oclif's handling.
   * @throws oclif's ExitError carrying the exit code (this.exit), or what super.catch throws
   */
  protected override async catch(err: Interfaces.CommandError): Promise<unknown> {
    if (this.interruptedBy) return this.interrupted(err)
    const known = err instanceof InputError || err instanceof StepError || err instanceof ResultError
    const oclifExit = (err as {oclif?: {exit?: number}}).oclif?.exit
    // A bad flag or argument (oclif's parse errors exit 2): one line with the fix, like a bad lab file.
    if (!known && oclifExit === 2 && !process.env.DEBUG) {
      const first = (err.message || 'bad arguments')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !/^(The following errors? occurred|See more help)/.test(l))
        .join(' ')
        .replace(/^Error:\s*/, '')
        .replace(/^Parsing (--\S+)\s+/, '$1: ')
      const input = new InputError(
        `${first} (fix: see \`lvslab ${this.id?.replaceAll(':', ' ') ?? ''} --help\`)`.replace(' ` --help', ' --help`'),
      )
      return this.catch(input as unknown as Interfaces.CommandError)
    }
    // oclif's own exits keep its handling; so does anything when DEBUG is set.
    if ((!known && (err as {oclif?: object}).oclif) || process.env.DEBUG) return super.catch(err)
    const exit = err instanceof InputError ? 2 : err instanceof ResultError ? err.exitCode : 1
    if (this.jsonEnabled()) this.logJson(this.toErrorJson(err))
    else {
      // One line per problem, never a stack: a dockerode or other unexpected error included.
      const lines = err instanceof InputError ? err.lines : [(err.message || String(err)).split('\n')[0] ?? '']
      for (const line of lines) process.stderr.write(`lvslab: ${line}\n`)
    }
    return this.exit(exit)
  }

  /**
   * The report of an interrupted command: what of the lab exists now (its containers and network, by
   * the lvslab.lab label, from this.runtime()) and the fix, one line on stderr or {error: {kind:
   * 'interrupted', signal, message}} with --json; exits 130 for SIGINT, 143 for SIGTERM.
   * @throws oclif's ExitError carrying that exit code (this.exit)
   */
  private async interrupted(err: Interfaces.CommandError): Promise<unknown> {
    const exit = this.interruptedBy === 'SIGINT' ? 130 : 143
    let exists = 'nothing of the lab'
    if (this.labName) {
      try {
        const rt = this.runtime()
        const names = [
          ...(await rt.listContainers(labFilter(this.labName))).map((c) => c.name),
          ...(await rt.listNetworks(labFilter(this.labName))).map((n) => n.name),
        ]
        if (names.length > 0) exists = names.sort().join(', ')
      } catch {
        exists = 'unknown (the engine did not answer)'
      }
    }
    const line = `interrupted by ${this.interruptedBy} (${(err.message || '').split('\n')[0]}); lab ${this.labName ?? '?'} now has: ${exists} (fix: \`lvslab down\` removes it, \`lvslab up\` finishes it, \`lvslab chaos restore\` undoes a drill)`
    if (this.jsonEnabled()) this.logJson({error: {kind: 'interrupted', signal: this.interruptedBy, message: line}})
    else process.stderr.write(`lvslab: ${line}\n`)
    return this.exit(exit)
  }
}
