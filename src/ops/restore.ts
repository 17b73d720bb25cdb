// `chaos restore`: undo whatever drill is in place and wait for the lab's original state; and the
// running of a drill's commands (data of src/drills) through the Runtime.
import {StepError} from '../errors.js'
import {type Lab, masterOf} from '../lab/model.js'
import {ContainerContinuousProber} from '../probe/continuous.js'
import {bringEth0Up, type Command, startHttpd, startKeepalived} from '../drills/drill.js'
import {bounds, CLIENT_NODE, containerName, type Mode, waitMs} from '../plan/plan.js'
import {LABELS} from '../runtime/labels.js'
import type {Runtime} from '../runtime/types.js'
import {waitConverged} from './converge.js'
import {directorFacts, realServerFacts} from './facts.js'
import {runningMode} from './up.js'

/**
 * Runs a command of a drill (`bash -c`) in its container.
 * @throws StepError named by the command's step, with the container and its last line of output, when it exits non-zero
 */
export async function runCommand(rt: Runtime, c: Command): Promise<void> {
  const res = await rt.exec(c.container, ['bash', '-c', c.cmd])
  if (res.exitCode !== 0)
    throw new StepError(c.step, `${c.container}: ${(res.stderr || res.stdout).trim().split('\n').pop() || `exit ${res.exitCode}`}`)
}

/**
 * The mode the running lab was made in.
 * @throws StepError ("chaos: lab X is not running") when its first director is not running
 */
export async function labMode(rt: Runtime, lab: Lab): Promise<Mode> {
  const mode = await runningMode(rt, lab)
  if (!mode) throw new StepError('chaos', `lab ${lab.name} is not running`, '`lvslab up` first')
  return mode
}

/**
 * Undoes whatever drill is in place: every httpd started, every eth0 up, every keepalived running
 * (each node read, then fixed, in parallel).
 * @returns what was done, e.g. "started httpd on rs1"
 */
export async function restoreAll(rt: Runtime, lab: Lab): Promise<string[]> {
  const done: string[] = []
  await Promise.all([
    ...lab.real_servers.map(async (r) => {
      const f = await realServerFacts(rt, lab, r)
      if (f.running && !f.httpd) {
        await runCommand(rt, startHttpd(lab, r))
        done.push(`started httpd on ${r.name}`)
      }
    }),
    ...lab.directors.map(async (d) => {
      const f = await directorFacts(rt, lab, d)
      if (!f.running) return
      if (!f.eth0Up) {
        await runCommand(rt, bringEth0Up(lab, d))
        done.push(`eth0 up on ${d.name}`)
      }
      if (!f.keepalivedPid) {
        await runCommand(rt, startKeepalived(lab, d))
        done.push(`started keepalived on ${d.name}`)
      }
    }),
  ])
  return done
}

/** What `chaos restore` returns: what it did, and how long the lab took to converge after. */
export interface RestoreResult {
  lab: string
  actions: string[]
  /** How long the lab took to converge after the actions (ms). */
  converged_ms: number
}

/**
 * `chaos restore`: undoes any fault (restoreAll), stops a prober left running in the client container,
 * and waits until the lab is converged on its MASTER (bound: takeback + re-adding + eviction, s, scaled).
 * @throws StepError when the lab is not running or does not converge in time
 */
export async function restoreLab(rt: Runtime, lab: Lab): Promise<RestoreResult> {
  await labMode(rt, lab)
  const actions = await restoreAll(rt, lab)
  const client = await rt.findContainer(containerName(lab, CLIENT_NODE))
  if (client?.running && client.labels[LABELS.LAB] === lab.name) await rt.exec(client.id, ['bash', '-c', ContainerContinuousProber.KILL])
  const b = bounds(lab)
  const ms = await waitConverged(rt, lab, masterOf(lab), waitMs(b.takeback + b.readd + b.eviction))
  return {lab: lab.name, actions, converged_ms: ms}
}
