// `down`: exactly this lab's containers and network, found by label alone. Idempotent.
import {timeScale, waitMs} from '../plan/plan.js'
import {labFilter} from '../runtime/labels.js'
import type {NetworkInfo, Runtime} from '../runtime/types.js'
import {pause, waitFor} from './wait.js'

/** What `down` returns (and prints with --json): the lab's name and the names removed (containers sorted, then networks). */
export interface DownResult {
  lab: string
  removed: {containers: string[]; networks: string[]}
}

/**
 * `down`: removes every container labelled lvslab.lab=<labName> (in parallel, forced, with their
 * volumes), waits until the engine lists none of them (within waitMs(10): a removal already in
 * progress elsewhere ends first), then removes every such network; nothing without that label is
 * touched. Idempotent: a lab that is gone removes nothing.
 * @param opts.signal aborts its engine calls
 * @throws StepError when the engine fails (a container or network already gone is no failure), or
 *   when a container is still listed after the wait;
 *   "interrupted" when opts.signal aborts
 */
export async function downLab(rt: Runtime, labName: string, opts: {signal?: AbortSignal} = {}): Promise<DownResult> {
  const {signal} = opts
  const containers = await rt.listContainers(labFilter(labName), {signal})
  await Promise.all(containers.map((c) => rt.removeContainer(c.id, {signal})))
  // a removal the engine reported as already in progress may not be over yet: the network would still
  // have that endpoint, so its containers must be gone before it is removed
  await waitFor(
    `containers of lab ${labName} gone`,
    waitMs(10),
    async (s) => {
      const left = await rt.listContainers(labFilter(labName), {signal: s})
      return {done: left.length === 0, seen: `still there: ${left.map((c) => `${c.name} (${c.state})`).join(', ')}`}
    },
    {intervalMs: 250, signal},
  )
  const networks = await rt.listNetworks(labFilter(labName), {signal})
  for (const n of networks) await removeNetwork(rt, n, signal)
  return {lab: labName, removed: {containers: containers.map((c) => c.name).sort(), networks: networks.map((n) => n.name)}}
}

/**
 * How long (ms) `down` tries again to remove a network the engine says still "has active endpoints":
 * 5 s x LVSLAB_TIME_SCALE. An engine may detach a removed container's endpoint a moment after the
 * removal returned (moby's endpoint cleanup is asynchronous); a foreign container on the network keeps
 * it for good, and then the engine's own failure is reported after this.
 */
export const NETWORK_RETRY_MS = 5_000 * timeScale()

/**
 * Removes a network, again every 500 ms while the engine says it "has active endpoints", for at most
 * NETWORK_RETRY_MS; any other failure at once.
 * @throws StepError the engine's own failure (the last one); "interrupted" when the signal aborts
 */
async function removeNetwork(rt: Runtime, n: NetworkInfo, signal?: AbortSignal): Promise<void> {
  const started = Date.now()
  for (;;) {
    try {
      await rt.removeNetwork(n.id, {signal})
      return
    } catch (error) {
      if (!/active endpoints/i.test((error as Error).message) || Date.now() - started >= NETWORK_RETRY_MS) throw error
    }
    await pause(500, signal)
  }
}
