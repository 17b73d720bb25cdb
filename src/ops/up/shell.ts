// A shell script in a lab container, for the steps of `up`: its failure is one line naming the step.
import {StepError} from '../../errors.js'
import type {Runtime} from '../../runtime/types.js'

/**
 * Runs `bash -c script` in a container (`up`'s steps, and a drill's commands through runCommand).
 * @param tail how many last lines of output the failure quotes (`up`: 3; a drill's command: 1)
 * @param signal aborts the exec (it then throws StepError "interrupted")
 * @returns the script's stdout
 * @throws StepError of `step` when it exits non-zero: "<container>: <last `tail` lines of stderr (else
 *   stdout), joined by ' / '>" or "exit <code>" when both are empty, with `fix` when given
 */
export async function sh(
  rt: Runtime,
  container: string,
  script: string,
  step: string,
  fix?: string,
  tail = 3,
  signal?: AbortSignal,
): Promise<string> {
  const res = await rt.exec(container, ['bash', '-c', script], {signal})
  if (res.exitCode !== 0)
    throw new StepError(
      step,
      `${container}: ${(res.stderr || res.stdout).trim().split('\n').slice(-tail).join(' / ') || `exit ${res.exitCode}`}`,
      fix,
    )
  return res.stdout
}
