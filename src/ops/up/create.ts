// What `up` creates, idempotently: each resource is looked up by name first, created only when
// missing, and refused when something that is not this lab's holds its name.
import {StepError} from '../../errors.js'
import type {NodePlan} from '../../plan/plan.js'
import {LABELS} from '../../runtime/labels.js'
import type {ContainerInfo, NetworkInfo, NetworkSpec, Runtime} from '../../runtime/types.js'
import {type Boot, bootSpec} from './boot.js'

/** The names `up` created, and those it found already there, in the order it met them. */
export interface Made {
  created: string[]
  existing: string[]
}

function foreign(what: string, name: string, lab: string | undefined): StepError {
  return new StepError(
    `create ${what} ${name}`,
    `${what} ${name} exists and is not lab ${lab ?? '?'}'s`,
    'remove or rename it, or give this lab another name with "name:" in the lab file',
  )
}

/**
 * The lab's network: inspected by name, created from its spec when missing.
 * @returns the network, and whether this call created it
 * @throws StepError when a network of that name carries another lab label (the neighbour check
 *   refuses that first; this guards against one made in between); the engine's errors as they come
 *   ("interrupted" when `signal` aborts one of its calls)
 */
export async function ensureNetwork(
  rt: Runtime,
  spec: NetworkSpec,
  made: Made,
  signal?: AbortSignal,
): Promise<{network: NetworkInfo; created: boolean}> {
  const n = await rt.findNetwork(spec.name, {signal})
  if (n) {
    if (n.labels[LABELS.LAB] !== spec.labels[LABELS.LAB]) throw foreign('network', spec.name, spec.labels[LABELS.LAB])
    made.existing.push(spec.name)
    return {network: n, created: false}
  }
  const network = await rt.createNetwork(spec, {signal})
  made.created.push(spec.name)
  return {network, created: true}
}

/**
 * A node's container: inspected by name, created from its plan when missing, started when not running.
 * A container it creates boots with what `boot` gives (bootSpec), when it gives something.
 * @param boot asked only when the container must be created: what it should run at its start, or
 *   undefined for the image's own entrypoint (the node is then configured by exec)
 * @returns the container as found or created (its `running` as it was before the start), and the boot it was created with (none for one found)
 * @throws StepError when a container of that name is not this node of this lab (by its lab and node
 *   labels); the engine's errors as they come ("interrupted" when `signal` aborts one of its calls)
 */
export async function ensureContainer<B extends Boot = Boot>(
  rt: Runtime,
  p: NodePlan,
  made: Made,
  signal?: AbortSignal,
  boot?: () => Promise<B | undefined>,
): Promise<{container: ContainerInfo; boot?: B}> {
  let c = await rt.findContainer(p.spec.name, {signal})
  let b: B | undefined
  if (c) {
    if (c.labels[LABELS.LAB] !== p.spec.labels[LABELS.LAB] || c.labels[LABELS.NODE] !== p.node)
      throw foreign('container', p.spec.name, p.spec.labels[LABELS.LAB])
    made.existing.push(p.spec.name)
  } else {
    b = await boot?.()
    c = await rt.createContainer(b ? bootSpec(p.spec, b) : p.spec, {signal})
    made.created.push(p.spec.name)
  }
  if (!c.running) await rt.startContainer(c.id, {signal})
  return {container: c, boot: b}
}
