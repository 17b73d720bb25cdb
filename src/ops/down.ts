// `down`: exactly this lab's containers and network, found by label alone. Idempotent.
import {timeScale} from '../time-scale.js'
import {labFilter} from '../runtime/labels.js'
import type {NetworkInfo, Runtime} from '../runtime/types.js'
import {pause} from './wait.js'

/** What `down` returns (and prints with --json): the lab's name and the names removed (containers sorted, then networks). */
export interface DownResult {
  lab: string
  removed: {containers: string[]; networks: string[]}
}

/**
 * `down`: removes every container labelled lvslab.lab=<labName> (in parallel, forced, with their
 * volumes), then every such network (tried again while the engine still sees an endpoint of a
 * removed container: removeNetwork); nothing without that label is touched. Idempotent: a lab that is
 * gone removes nothing.
 * @param opts.signal aborts its engine calls
 * @throws StepError when the engine fails (a container or network already gone is no failure);
 *   "interrupted" when opts.signal aborts
 */
export async function downLab(rt: Runtime, labName: string, opts: {signal?: AbortSignal} = {}): Promise<DownResult> {
  const {signal} = opts
  const containers = await rt.listContainers(labFilter(labName), {signal})
  await Promise.all(containers.map((c) => rt.removeContainer(c.id, {signal})))
  const networks = await rt.listNetworks(labFilter(labName), {signal})
  for (const n of networks) await removeNetwork(rt, n, signal)
  return {lab: labName, removed: {containers: containers.map((c) => c.name).sort(), networks: networks.map((n) => n.name)}}
}

/**
 * How long (ms) `down` tries again to remove a network the engine says still "has active endpoints":
 * 5 s x LVSLAB_TIME_SCALE. An engine may detach a removed container's endpoint a moment after the
 * removal returned (moby's endpoint cleanup is asynchronous); a foreign container on the network keeps
 * it for good, and then the engine's own failure is reported after this. A container whose removal the
 * engine said was already in progress keeps its endpoint until it is gone: the same retry covers it.
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
