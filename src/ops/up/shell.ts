// A shell script in a lab container, for the steps of `up`: its failure is one line naming the step.
import {StepError} from '../../errors.js'
import type {ExecResult, Runtime} from '../../runtime/types.js'

/** How sh runs a script and words its failure. */
export interface ShOptions {
  /** The fix of the failure: a text, or one chosen by the failed run (none when it returns undefined). */
  fix?: string | ((res: ExecResult) => string | undefined)
  /** A failure the caller words itself (e.g. by exit code); when it returns undefined, sh's own words are used. */
  refuse?: (res: ExecResult) => StepError | undefined
  /** How many last lines of output the failure quotes (default 3). */
  tail?: number
  /** Extra environment of the script (e.g. a file's content, base64). */
  env?: Record<string, string>
  /** Aborts the exec (it then throws StepError "interrupted"). */
  signal?: AbortSignal
}

/**
 * A script's outcome judged as sh judges it (whether it came from an exec or from a container's boot
 * log, src/ops/up/boot.ts): its stdout when it exited 0.
 * @param opts the fix, a caller's own wording of a failure, the lines quoted (default 3)
 * @throws opts.refuse's StepError when it gives one; else StepError of `step`: "<container>: <last
 *   `tail` lines of stderr (else stdout), joined by ' / '>" or "exit <code>" when both are empty, with the fix when there is one
 */
export function judged(res: ExecResult, container: string, step: string, opts: Omit<ShOptions, 'env' | 'signal'> = {}): string {
  if (res.exitCode === 0) return res.stdout
  const own = opts.refuse?.(res)
  if (own) throw own
  const said = (res.stderr || res.stdout)
    .trim()
    .split('\n')
    .slice(-(opts.tail ?? 3))
    .join(' / ')
  throw new StepError(step, `${container}: ${said || `exit ${res.exitCode}`}`, typeof opts.fix === 'function' ? opts.fix(res) : opts.fix)
}

/**
 * Runs `bash -c script` in a container (`up`'s steps, and a drill's commands through runCommand).
 * @param opts the fix, a caller's own wording of a failure, the lines quoted (`up`: 3; a drill's command: 1), env and signal
 * @returns the script's stdout
 * @throws as judged does when it exits non-zero; "interrupted" when the signal aborts
 */
export async function sh(rt: Runtime, container: string, script: string, step: string, opts: ShOptions = {}): Promise<string> {
  const res = await rt.exec(container, ['bash', '-c', script], {env: opts.env, signal: opts.signal})
  return judged(res, container, step, opts)
}
