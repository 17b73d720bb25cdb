// The lab as its running resources know it: the mode it was made in and the VRRP password it keeps.
import {StepError} from '../../errors.js'
import {type Lab, withAuthPass} from '../../lab/model.js'
import {containerName, type Mode, networkName} from '../../plan/plan.js'
import {LABELS} from '../../runtime/labels.js'
import type {Runtime} from '../../runtime/types.js'

/**
 * The mode a running lab was made in (from its first director's lvslab.mode label); undefined when it is not running.
 * @param signal aborts the inspect
 * @throws StepError when the engine fails to inspect the container ("interrupted" when the signal aborts)
 */
export async function runningMode(rt: Runtime, lab: Lab, signal?: AbortSignal): Promise<Mode | undefined> {
  const first = lab.directors[0]
  if (!first) return undefined
  const c = await rt.findContainer(containerName(lab, first.name), {signal})
  if (!c?.running) return undefined
  return c.labels[LABELS.MODE] === 'privileged' ? 'privileged' : 'least-privilege'
}

/**
 * The lab as its running resources know it: when the lab file sets no vrrp.auth_pass, the random
 * password the lab keeps on its network's lvslab.vrrp-auth label (none when there is no network, or the
 * engine fails: never throws for that).
 * @param signal aborts the network's inspect (then the lab file is taken as it is: the caller's next step says "interrupted")
 */
export async function resolveLab(rt: Runtime, labFile: Lab, signal?: AbortSignal): Promise<Lab> {
  const kept = labFile.vrrp.auth_pass
    ? undefined
    : (await rt.findNetwork(networkName(labFile), {signal}).catch(() => undefined))?.labels[LABELS.AUTH]
  return withAuthPass(labFile, kept)
}

/**
 * The mode the running lab was made in.
 * @param signal aborts the inspect
 * @throws StepError ("chaos: lab X is not running") when its first director is not running; "interrupted" when the signal aborts
 */
export async function labMode(rt: Runtime, lab: Lab, signal?: AbortSignal): Promise<Mode> {
  const mode = await runningMode(rt, lab, signal)
  if (!mode) throw new StepError('chaos', `lab ${lab.name} is not running`, '`lvslab up` first')
  return mode
}
