// The lab as its running resources know it: the mode it was made in and the VRRP password it keeps.
import {type Lab, withAuthPass} from '../../lab/model.js'
import {containerName, type Mode, networkName} from '../../plan/plan.js'
import {LABELS} from '../../runtime/labels.js'
import type {Runtime} from '../../runtime/types.js'

/** The mode a running lab was made in (from its first director's mode label); undefined when it is not running. */
export async function runningMode(rt: Runtime, lab: Lab): Promise<Mode | undefined> {
  const first = lab.directors[0]
  if (!first) return undefined
  const c = await rt.findContainer(containerName(lab, first.name))
  if (!c?.running) return undefined
  return c.labels[LABELS.MODE] === 'privileged' ? 'privileged' : 'least-privilege'
}

/**
 * The lab as its running resources know it: when the lab file sets no vrrp.auth_pass, the random
 * password the lab keeps on its network's label (none when there is no network, or the engine fails).
 */
export async function resolveLab(rt: Runtime, labFile: Lab): Promise<Lab> {
  const kept = labFile.vrrp.auth_pass ? undefined : (await rt.findNetwork(networkName(labFile)).catch(() => undefined))?.labels[LABELS.AUTH]
  return withAuthPass(labFile, kept)
}
