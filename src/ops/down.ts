// `down`: exactly this lab's containers and network, found by label alone. Idempotent.
import {waitMs} from '../plan/plan.js'
import {labFilter} from '../runtime/labels.js'
import type {Runtime} from '../runtime/types.js'
import {waitFor} from './wait.js'

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
  for (const n of networks) await rt.removeNetwork(n.id, {signal})
  return {lab: labName, removed: {containers: containers.map((c) => c.name).sort(), networks: networks.map((n) => n.name)}}
}
