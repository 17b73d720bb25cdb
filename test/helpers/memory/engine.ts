// The engine part of the memory runtime: networks, containers and images in maps, found by name, id
// or label, refused with the Docker engine's own words (name conflicts, missing images, overlapping
// pools, networks with endpoints). Each container holds a simulated node (node.ts).
import {createHash} from 'node:crypto'
import ipaddr from 'ipaddr.js'
import {StepError} from '../../../src/errors.js'
import type {ContainerInfo, ContainerSpec, EngineInfo, ImageInfo, NetworkInfo, NetworkSpec} from '../../../src/runtime/types.js'
import {NodeState} from './node.js'
import type {SimContainer} from './model.js'

/** A network of the engine. */
export interface SimNetwork {
  id: string
  name: string
  subnet: string
  gateway: string
  internal: boolean
  labels: Record<string, string>
}

/** A container of the engine, with its simulated inside. */
export interface SimRecord extends SimContainer {
  id: string
  image: string
  labels: Record<string, string>
  /** "created", "running" or "exited", as the engine reports State.Status. */
  state: string
  /** What it was created from (its own entrypoint, command and environment among it). */
  spec: ContainerSpec
  /** What its own processes printed (a booting container's script and marker), line by line, as its log has it. */
  log: {stream: 'stdout' | 'stderr'; line: string}[]
}

/** The engine a fresh memory runtime reports: Docker 28 on a Debian 12 host, local socket. */
export const DEFAULT_ENGINE: EngineInfo = {
  version: '28.5.2',
  apiVersion: '1.51',
  os: 'Debian GNU/Linux 12 (bookworm)',
  kernel: '6.1.0-28-amd64',
  local: true,
  desktop: false,
}

let serial = 0

/** A new 64-hex id, as the engine gives its objects. */
export function newId(seed: string): string {
  return createHash('sha256').update(`${seed}#${++serial}`).digest('hex')
}

/** Whether labels match Docker's label filters ("key" or "key=value", every one). */
export function matchesLabels(labels: Record<string, string>, filters?: {label?: string[]}): boolean {
  return (filters?.label ?? []).every((f) => {
    const i = f.indexOf('=')
    return i < 0 ? f in labels : labels[f.slice(0, i)] === f.slice(i + 1)
  })
}

/** Networks, containers and images, kept as the Docker engine keeps them. */
export class MemoryEngine {
  readonly networks = new Map<string, SimNetwork>()
  readonly containers = new Map<string, SimRecord>()
  readonly images = new Map<string, ImageInfo>()
  info: EngineInfo = {...DEFAULT_ENGINE}

  /** A network as the Runtime reports it. */
  networkInfo(n: SimNetwork): NetworkInfo {
    return {id: n.id, name: n.name, subnets: [n.subnet], labels: {...n.labels}}
  }

  /** A container as the Runtime reports it. */
  containerInfo(c: SimRecord): ContainerInfo {
    return {
      id: c.id,
      name: c.name,
      image: c.image,
      state: c.state,
      running: c.running,
      labels: {...c.labels},
      addresses: c.network ? {[c.network]: c.ip} : {},
    }
  }

  /** A network by its name (or id). */
  network(nameOrId: string): SimNetwork | undefined {
    return [...this.networks.values()].find((n) => n.name === nameOrId || n.id === nameOrId)
  }

  /** A container by its name, its id or a 12+ character prefix of its id, as `docker inspect` finds it. */
  container(ref: string): SimRecord | undefined {
    return [...this.containers.values()].find((c) => c.name === ref || c.id === ref || (ref.length >= 12 && c.id.startsWith(ref)))
  }

  /** A container that must exist, else the engine's 404 in the adapter's words. */
  mustContainer(ref: string, step: string): SimRecord {
    const c = this.container(ref)
    if (!c) throw new StepError(step, `No such container: ${ref}`)
    return c
  }

  /** An image by a reference (a tag, "latest" when none given) or its id. */
  image(ref: string): ImageInfo | undefined {
    const full = /:[^/]+$/.test(ref) || ref.startsWith('sha256:') ? ref : `${ref}:latest`
    return [...this.images.values()].find((i) => i.id === ref || i.tags.includes(full))
  }

  /** Adds an image (e.g. the lab image a test starts with). */
  addImage(ref: string, labels: Record<string, string> = {'lvslab.image': 'debian12'}): ImageInfo {
    const full = /:[^/]+$/.test(ref) ? ref : `${ref}:latest`
    for (const i of this.images.values()) i.tags = i.tags.filter((t) => t !== full)
    const image: ImageInfo = {id: `sha256:${newId(ref)}`, tags: [full], labels, created: new Date().toISOString()}
    this.images.set(image.id, image)
    return image
  }

  /** Creates a network, refusing a taken name or a subnet that overlaps another network's. */
  createNetwork(spec: NetworkSpec): SimNetwork {
    const step = `create network ${spec.name}`
    if (this.network(spec.name)) throw new StepError(step, `network with name ${spec.name} already exists`)
    const [net, bits] = ipaddr.IPv4.parseCIDR(spec.subnet)
    for (const n of this.networks.values()) {
      const [other, otherBits] = ipaddr.IPv4.parseCIDR(n.subnet)
      const p = Math.min(bits, otherBits)
      if (net.match(other, p)) throw new StepError(step, 'invalid pool request: Pool overlaps with other one on this address space')
    }
    const n: SimNetwork = {
      id: newId(spec.name),
      name: spec.name,
      subnet: spec.subnet,
      gateway: spec.gateway,
      internal: spec.internal,
      labels: {...spec.labels},
    }
    this.networks.set(n.id, n)
    return n
  }

  /** Removes a network; refused while a container is attached ("has active endpoints"). */
  removeNetwork(id: string): void {
    const n = this.network(id)
    if (!n) return
    if ([...this.containers.values()].some((c) => c.network === n.name))
      throw new StepError(`remove network ${id}`, `error while removing network: network ${n.name} id ${n.id} has active endpoints`)
    this.networks.delete(n.id)
  }

  /** Creates a container (not started), refusing a taken name, a missing image or network, a taken or foreign address. */
  createContainer(spec: ContainerSpec): SimRecord {
    const step = `create container ${spec.name}`
    const taken = this.container(spec.name)
    if (taken)
      throw new StepError(
        step,
        `Conflict. The container name "/${spec.name}" is already in use by container "${taken.id}". You have to remove (or rename) that container to be able to reuse that name.`,
      )
    if (!this.image(spec.image)) throw new StepError(step, `No such image: ${spec.image}`)
    const net = this.network(spec.network)
    if (!net) throw new StepError(step, `network ${spec.network} not found`)
    const [base, bits] = ipaddr.IPv4.parseCIDR(net.subnet)
    if (!ipaddr.IPv4.parse(spec.ip).match(base, bits))
      throw new StepError(step, `Invalid address ${spec.ip}: It does not belong to any of this network's subnets`)
    if ([...this.containers.values()].some((c) => c.network === net.name && c.ip === spec.ip) || spec.ip === net.gateway)
      throw new StepError(step, 'Address already in use')
    const c: SimRecord = {
      id: newId(spec.name),
      name: spec.name,
      image: spec.image,
      labels: {...spec.labels},
      state: 'created',
      running: false,
      network: net.name,
      ip: spec.ip,
      node: new NodeState(spec),
      spec,
      log: [],
    }
    this.containers.set(c.id, c)
    return c
  }

  /** Adds a container that is not lvslab's (or is, by its labels), running by default: a neighbour for tests. */
  addContainer(opts: {name: string; labels?: Record<string, string>; network?: string; ip?: string; running?: boolean}): SimRecord {
    const spec: ContainerSpec = {
      name: opts.name,
      hostname: opts.name,
      image: 'busybox:latest',
      network: opts.network ?? '',
      ip: opts.ip ?? '',
      labels: opts.labels ?? {},
      capAdd: [],
      privileged: false,
      sysctls: {},
    }
    const running = opts.running ?? true
    const c: SimRecord = {
      id: newId(opts.name),
      name: opts.name,
      image: spec.image,
      labels: {...spec.labels},
      state: running ? 'running' : 'exited',
      running,
      network: spec.network,
      ip: spec.ip,
      node: new NodeState(spec),
      spec,
      log: [],
    }
    this.containers.set(c.id, c)
    return c
  }

  /** Adds a network that is not lvslab's (or is, by its labels): a neighbour for tests. */
  addNetwork(opts: {name: string; subnet: string; labels?: Record<string, string>}): SimNetwork {
    const gateway = ipaddr.IPv4.networkAddressFromCIDR(opts.subnet).toByteArray()
    gateway[3]! += 1
    return this.createNetwork({
      name: opts.name,
      subnet: opts.subnet,
      gateway: gateway.join('.'),
      internal: false,
      labels: opts.labels ?? {},
    })
  }

  /** The prefix length of a network's subnet (16 for 172.20.0.0/16). */
  prefixOf(network: string): number {
    const n = this.network(network)
    return n ? Number(n.subnet.split('/')[1]) : 32
  }
}
