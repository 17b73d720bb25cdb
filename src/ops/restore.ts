// `chaos restore`: undo whatever drill is in place and wait for the lab's original state.
import type {Lab} from '../lab/model.js'
import {ContainerContinuousProber} from '../probe/continuous.js'
import {bringEth0Up, cleanStartKeepalived, CLEAR_DIRECTOR_TC, CLEAR_NETEM, startHttpd, startKeepalived} from '../drills/drill.js'
import {sh} from './up/shell.js'
import {bounds, CLIENT_NODE, containerName, waitMs} from '../plan/plan.js'
import {LABELS} from '../runtime/labels.js'
import type {Runtime} from '../runtime/types.js'
import {waitConverged} from './converge.js'
import {directorFacts, realServerFacts} from './facts.js'
import {runCommand} from './drill/command.js'
import {labMode} from './up/lab.js'

/**
 * Undoes whatever drill is in place: every paused container unpaused, every httpd started, a real server's netem removed,
 * every eth0 up, VRRP let through (a partition's tc qdiscs removed), every keepalived running
 * (a director that holds the VIP without keepalived, as a hard kill leaves it, is cleaned first:
 * cleanStartKeepalived), each node read, then fixed, in parallel; a stopped container is left alone.
 * @returns what was done, e.g. "started httpd on rs1"
 * @param signal aborts its reads and commands
 * @throws StepError when a node cannot be read (directorFacts, realServerFacts) or a command fails (runCommand);
 *   "interrupted" when the signal aborts
 */
export async function restoreAll(rt: Runtime, lab: Lab, signal?: AbortSignal): Promise<string[]> {
  const done: string[] = []
  // a paused node (the pause drill) answers nothing until it is unpaused
  const unpause = async (node: string) => {
    const c = await rt.findContainer(containerName(lab, node), {signal})
    if (c?.state !== 'paused') return
    await rt.setPaused(c.id, false, {signal})
    done.push(`unpaused ${node}`)
  }
  await Promise.all([
    ...lab.real_servers.map(async (r) => {
      await unpause(r.name)
      const f = await realServerFacts(rt, lab, r, signal)
      // a netem qdisc is not among the facts: removing none is harmless
      if (
        f.running &&
        (await sh(rt, containerName(lab, r.name), CLEAR_NETEM, `remove netem on ${r.name}`, {tail: 1, signal})).includes('removed')
      )
        done.push(`removed netem on ${r.name}`)
      if (f.running && !f.httpd) {
        await runCommand(rt, startHttpd(lab, r), signal)
        done.push(`started httpd on ${r.name}`)
      }
    }),
    ...lab.directors.map(async (d) => {
      await unpause(d.name)
      const f = await directorFacts(rt, lab, d, signal)
      if (!f.running) return
      // a partition's tc filters and a netem qdisc are not among the facts: removing none is harmless
      const removed = (await sh(rt, containerName(lab, d.name), CLEAR_DIRECTOR_TC, `clear tc on ${d.name}`, {tail: 1, signal})).trim()
      if (removed === 'vrrp') done.push(`let VRRP through on ${d.name} again`)
      if (removed === 'netem') done.push(`removed netem on ${d.name}`)
      if (!f.eth0Up) {
        await runCommand(rt, bringEth0Up(lab, d), signal)
        done.push(`eth0 up on ${d.name}`)
      }
      // a keepalived whose pid could not be read is left alone (the convergence wait reports it)
      if (f.unreadable.some((u) => u.startsWith('keepalived'))) return
      if (!f.keepalivedPid && f.holdsVip) {
        // left by a hard kill: the VIP and the IPVS service stayed behind keepalived
        await runCommand(rt, cleanStartKeepalived(lab, d), signal)
        done.push(`removed the stale VIP, cleared IPVS and started keepalived on ${d.name}`)
      } else if (!f.keepalivedPid) {
        await runCommand(rt, startKeepalived(lab, d), signal)
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
  convergedMs: number
}

/**
 * `chaos restore`: undoes any fault (restoreAll), stops a prober left running in the client container,
 * and waits until the lab is converged on its MASTER (bound: waitMs(takeback + readd + eviction), ms:
 * the lab's timers in s plus 5 s, scaled by LVSLAB_TIME_SCALE).
 * @param opts.signal aborts it at once: every engine call and the convergence wait
 * @throws StepError when the lab is not running or does not converge in time; "interrupted" when opts.signal aborts
 */
export async function restoreLab(rt: Runtime, lab: Lab, opts: {signal?: AbortSignal} = {}): Promise<RestoreResult> {
  const {signal} = opts
  await labMode(rt, lab, signal)
  const actions = await restoreAll(rt, lab, signal)
  const client = await rt.findContainer(containerName(lab, CLIENT_NODE), {signal})
  if (client?.running && client.labels[LABELS.LAB] === lab.name)
    await rt.exec(client.id, ['bash', '-c', ContainerContinuousProber.KILL], {signal})
  const b = bounds(lab)
  const ms = await waitConverged(rt, lab, waitMs(b.takeback + b.readd + b.eviction), signal)
  return {lab: lab.name, actions, convergedMs: ms}
}
