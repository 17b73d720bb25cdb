// The running of a drill's commands (data of src/drills: container, command, step) through the Runtime.
import type {Command} from '../../drills/drill.js'
import type {Runtime} from '../../runtime/types.js'
import {sh} from '../up/shell.js'

/**
 * Runs a command of a drill: `bash -c` in its container, through sh (its last line of output
 * quoted), or the engine's pause or unpause of the container (Runtime.setPaused).
 * @param signal aborts the exec or the engine call
 * @throws StepError named by the command's step, with the container and its last line of output, when it exits non-zero;
 *   the engine's StepError for a pause; "interrupted" when the signal aborts
 */
export async function runCommand(rt: Runtime, c: Command, signal?: AbortSignal): Promise<void> {
  if ('pause' in c) await rt.setPaused(c.container, c.pause, {signal})
  else await sh(rt, c.container, c.cmd, c.step, {tail: 1, signal})
}
