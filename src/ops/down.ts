// `down`: exactly this lab's containers and network, found by label alone. Idempotent.
import {labFilter} from '../runtime/labels.js'
import type {Runtime} from '../runtime/types.js'

export interface DownResult {
  lab: string
  removed: {containers: string[]; networks: string[]}
}

export async function downLab(rt: Runtime, labName: string): Promise<DownResult> {
  const containers = await rt.listContainers(labFilter(labName))
  await Promise.all(containers.map((c) => rt.removeContainer(c.id)))
  const networks = await rt.listNetworks(labFilter(labName))
  for (const n of networks) await rt.removeNetwork(n.id)
  return {lab: labName, removed: {containers: containers.map((c) => c.name).sort(), networks: networks.map((n) => n.name)}}
}
