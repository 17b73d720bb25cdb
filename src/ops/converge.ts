// Waiting for a lab's state: snapshots read through the Runtime until a check over them holds.
import type {Director, Lab} from '../lab/model.js'
import type {Runtime} from '../runtime/types.js'
import {converged, type SnapshotCheck} from '../state/predicates.js'
import type {SnapshotScope} from '../state/snapshot.js'
import {labSnapshot} from './facts.js'
import {type Poll, waitFor} from './wait.js'

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
): (signal: AbortSignal) => Promise<Poll<unknown>> {
  return async (signal) => {
    const v = check(await labSnapshot(rt, lab, scope, signal))
    return {done: v.ok, seen: v.seen}
  }
}

/**
 * Waits until the lab is converged (src/state/predicates.ts `converged`: the VIP on `holder` alone, as
 * eth0:1, holder MASTER, its IPVS table listing every healthy real server, every fact read), polling
 * every node's facts every 500 ms.
 * @param timeoutMs the bound (ms)
 * @param signal the interrupt: ends the wait at once, its reads with it
 * @returns how long it took (ms)
 * @throws StepError "VIP on <holder> and IPVS table complete: not reached within ..." with the last state seen, or "interrupted"
 */
export async function waitConverged(rt: Runtime, lab: Lab, holder: Director, timeoutMs: number, signal?: AbortSignal): Promise<number> {
  const {ms} = await waitFor(
    `VIP on ${holder.name} and IPVS table complete`,
    timeoutMs,
    snapshotPoll(rt, lab, (snap) => converged(snap, lab, holder.name)),
    {intervalMs: 500, signal},
  )
  return ms
}
