// A shell script in a lab container, for the steps of `up`: its failure is one line naming the step.
import {StepError} from '../../errors.js'
import type {Runtime} from '../../runtime/types.js'

/**
 * Runs `bash -c script` in a container.
 * @returns the script's stdout
 * @throws StepError of `step` when it exits non-zero: "<container>: <last 3 lines of stderr (else
 *   stdout), joined by ' / '>" or "exit <code>" when both are empty, with `fix` when given
 */
export async function sh(rt: Runtime, container: string, script: string, step: string, fix?: string): Promise<string> {
  const res = await rt.exec(container, ['bash', '-c', script])
  if (res.exitCode !== 0)
    throw new StepError(
      step,
      `${container}: ${(res.stderr || res.stdout).trim().split('\n').slice(-3).join(' / ') || `exit ${res.exitCode}`}`,
      fix,
    )
  return res.stdout
}
