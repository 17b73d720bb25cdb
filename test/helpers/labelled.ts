import {labFilter} from '../../src/runtime/labels.js'
import type {Runtime} from '../../src/runtime/types.js'

/**
 * How many containers and networks carry the lab's label (lvslab.lab=NAME). By label only: a foreign
 * container named like a lab node (the refusal tests make them) is not the lab's and is not counted;
 * test/helpers/owned.ts labResources also counts those, by name.
 */
export async function labelledCount(rt: Runtime, name: string): Promise<number> {
  return (await rt.listContainers(labFilter(name))).length + (await rt.listNetworks(labFilter(name))).length
}
