// Shared flags and error handling of every command: bad input exits 2 with one line per problem
// (field or flag, what is wrong, the fix); a failed step exits 1 naming the step.
import {Command, Flags, type Interfaces} from '@oclif/core'
import {InputError, StepError} from './lab/errors.js'
import {loadLab} from './lab/load.js'
import type {Lab} from './lab/model.js'
import {rendererFromProcess, type RendererName} from './report/renderer.js'
import {DockerRuntime} from './runtime/docker.js'
import type {Runtime} from './runtime/types.js'

/** A failure that still has a result to report (verify, a drill): printed as JSON with --json. */
export class ResultError extends Error {
  constructor(message: string, readonly result: object, readonly exitCode = 1) {
    super(message)
  }
}

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true
  static override baseFlags = {
    file: Flags.string({char: 'f', description: 'lab file (default: ./lvslab.yaml, or the classic lab when there is none)', helpGroup: 'GLOBAL'}),
  }

  protected lab(file: string | undefined): Lab {
    return loadLab(file)
  }

  protected runtime(): Runtime {
    return new DockerRuntime()
  }

  protected renderer(): RendererName {
    return rendererFromProcess(this.jsonEnabled())
  }

  protected override toErrorJson(err: unknown): unknown {
    if (err instanceof ResultError) return {...err.result, error: err.message}
    if (err instanceof InputError) return {error: {kind: 'input', lines: err.lines}}
    if (err instanceof StepError) return {error: {kind: 'step', step: err.step, message: err.message, fix: err.fix}}
    return {error: err instanceof Error ? err.message : String(err)}
  }

  protected override async catch(err: Interfaces.CommandError): Promise<unknown> {
    const known = err instanceof InputError || err instanceof StepError || err instanceof ResultError
    // oclif's own errors (bad flags, exits) keep its handling; so does anything when DEBUG is set.
    if ((!known && (err as {oclif?: object}).oclif) || process.env.DEBUG) return super.catch(err)
    const exit = err instanceof InputError ? 2 : err instanceof ResultError ? err.exitCode : 1
    if (this.jsonEnabled()) this.logJson(this.toErrorJson(err))
    else {
      // One line per problem, never a stack: a dockerode or other unexpected error included.
      const lines = err instanceof InputError ? err.lines : [(err.message || String(err)).split('\n')[0]!]
      for (const line of lines) process.stderr.write(`lvslab: ${line}\n`)
    }
    return this.exit(exit)
  }
}
