// Waiting for a lab's state: snapshots read through the Runtime until a check over them holds.
import {type Lab, masterOf} from '../lab/model.js'
import type {Runtime} from '../runtime/types.js'
import {converged, holdsVip, type SnapshotCheck} from '../state/predicates.js'
import {expectedHolder} from '../state/holders.js'
import {type LabSnapshot, type SnapshotScope, wholeLab} from '../state/snapshot.js'
import {labSnapshot} from './facts.js'
import {pause, type Poll, waitFor} from './wait.js'

/**
 * A poll for waitFor: reads a snapshot of the nodes in `scope` (every node by default; one exec of
 * lvslab-facts each) and applies the check; done when it holds, with what it saw.
 * A read that throws (StepError from readNode or the engine) rejects the poll: waitFor counts it as
 * not holding, its message as what was seen. Every read gets the poll's signal (waitFor's: aborted at
 * the wait's cut or on an interrupt).
 */
export function snapshotPoll(
  rt: Runtime,
  lab: Lab,
  check: SnapshotCheck,
  scope?: SnapshotScope,
): (signal: AbortSignal) => Promise<Poll<LabSnapshot>> {
  return async (signal) => {
    const snap = await labSnapshot(rt, lab, scope, signal)
    const v = check(snap)
    return {done: v.ok, seen: v.seen, value: snap}
  }
}

/**
 * Waits until the lab is converged (src/state/predicates.ts `converged`: the VIP alone on the holder
 * expectedHolder names (the lab's MASTER; with nopreempt, whichever director is MASTER), as eth0:1, holder MASTER, its IPVS table listing every healthy real server, every fact read), polling
 * every node's facts every 500 ms.
 * @param timeoutMs the bound (ms)
 * @param signal the interrupt: ends the wait at once, its reads with it
 * @returns how long it took (ms)
 * @throws StepError "VIP on <holder> and IPVS table complete: not reached within ..." with the last state seen, or "interrupted"
 */
export async function waitConverged(rt: Runtime, lab: Lab, timeoutMs: number, signal?: AbortSignal): Promise<number> {
  return (await convergedSnapshot(rt, lab, timeoutMs, {signal})).ms
}

/**
 * waitConverged, returning also the snapshot that showed the lab converged, so that a caller judging
 * the same state next (`up`'s verify) need not read it again. For `up`, whose real servers were just
 * configured and stay as they are while keepalived comes up, `realServersOnce` reads the real servers'
 * facts once, beside the first poll (again after a read that failed, or when the holder holds the VIP
 * and the lab is still not converged), and polls the directors alone: each poll then costs two reads,
 * not every node's. With it, `directorsNotBefore` (epoch ms) holds the first directors' read back
 * until then (the real servers are read at once): a read before the MASTER can be MASTER
 * (masterAfterStart) only loads an engine that may still be starting other containers.
 * @param timeoutMs the bound (ms)
 * @returns how long it took (ms), the snapshot that held (its real servers as read once, with
 *   realServersOnce) and the director holding the VIP in it
 * @throws as waitConverged
 */
export async function convergedSnapshot(
  rt: Runtime,
  lab: Lab,
  timeoutMs: number,
  opts: {signal?: AbortSignal; realServersOnce?: boolean; directorsNotBefore?: number} = {},
): Promise<{ms: number; snapshot: LabSnapshot; holder: string}> {
  const check = (snap: LabSnapshot) => converged(snap, lab, expectedHolder(snap, lab))
  const all = wholeLab(lab)
  let realServers: Promise<LabSnapshot['realServers']> | undefined
  const poll: (signal: AbortSignal) => Promise<Poll<LabSnapshot>> = opts.realServersOnce
    ? async (signal) => {
        realServers ??= labSnapshot(rt, lab, {directors: [], realServers: all.realServers}, signal).then((s) => s.realServers)
        const rs = realServers
        rs.catch(() => (realServers = undefined))
        const [directors, read] = await Promise.all([
          // an aborted signal ends the pause at once, and the read with it
          pause(Math.max(0, (opts.directorsNotBefore ?? 0) - Date.now()), signal)
            .then(() => labSnapshot(rt, lab, {directors: all.directors, realServers: []}, signal))
            .then((s) => s.directors),
          rs,
        ])
        const snap = {directors, realServers: read}
        const v = check(snap)
        // the directors are there and yet it does not hold: the real servers are read again next time
        if (!v.ok && holdsVip(snap, expectedHolder(snap, lab)).ok) realServers = undefined
        return {done: v.ok, seen: v.seen, value: snap}
      }
    : snapshotPoll(rt, lab, check)
  const on = lab.vrrp.nopreempt ? 'one director' : masterOf(lab).name
  const {ms, value} = await waitFor(`VIP on ${on} and IPVS table complete`, timeoutMs, poll, {
    intervalMs: 500,
    signal: opts.signal,
  })
  // a poll that holds always carries its snapshot
  const snapshot = value as LabSnapshot
  return {ms, snapshot, holder: expectedHolder(snapshot, lab)}
}
