// The engine half of the memory runtime's Runtime: networks, containers and images, each call passed
// through the door (door.ts) under the Docker adapter's step name and bound.
import type {Readable} from 'node:stream'
import {StepError} from '../../../src/errors.js'
import type {
  CallOptions,
  ContainerFilters,
  ContainerInfo,
  ContainerSpec,
  EngineInfo,
  ImageInfo,
  NetworkInfo,
  NetworkSpec,
  Progress,
} from '../../../src/runtime/types.js'
import {bound, Door} from './door.js'
import {matchesLabels, MemoryEngine, type SimRecord} from './engine.js'
import {LabModel, QUICK, type Timings} from './model.js'

/**
 * The engine calls of the Runtime over a MemoryEngine and its lab model, each as the port documents it
 * (src/runtime/types.ts) and under the step name and default bound of the Docker adapter's call.
 */
export abstract class EngineCalls {
  readonly engine = new MemoryEngine()
  readonly door = new Door()
  readonly model: LabModel

  constructor(timings: Partial<Timings> = {}) {
    this.model = new LabModel(() => [...this.engine.containers.values()], {...QUICK, ...timings})
  }

  /** What goes when a container stops or is removed, besides its node's state (its prober loops). */
  protected abstract stopped(c: SimRecord): void

  info(opts?: CallOptions): Promise<EngineInfo> {
    return this.door.pass('info', 'engine', 'engine', bound('read', 'version', opts), () => ({...this.engine.info}))
  }

  listNetworks(filters?: {label?: string[]}, opts?: CallOptions): Promise<NetworkInfo[]> {
    return this.door.pass('listNetworks', JSON.stringify(filters ?? {}), 'list networks', bound('read', 'network list', opts), () =>
      [...this.engine.networks.values()].filter((n) => matchesLabels(n.labels, filters)).map((n) => this.engine.networkInfo(n)),
    )
  }

  findNetwork(name: string, opts?: CallOptions): Promise<NetworkInfo | undefined> {
    return this.door.pass('findNetwork', name, `inspect network ${name}`, bound('read', 'network inspect', opts), () => {
      const n = this.engine.network(name)
      return n?.name === name ? this.engine.networkInfo(n) : undefined
    })
  }

  createNetwork(spec: NetworkSpec, opts?: CallOptions): Promise<NetworkInfo> {
    return this.door.pass('createNetwork', spec.name, `create network ${spec.name}`, bound('write', 'network create', opts), () =>
      this.engine.networkInfo(this.engine.createNetwork(spec)),
    )
  }

  removeNetwork(id: string, opts?: CallOptions): Promise<void> {
    return this.door.pass('removeNetwork', id, `remove network ${id}`, bound('write', 'network remove', opts), () =>
      this.engine.removeNetwork(id),
    )
  }

  listContainers(filters?: ContainerFilters, opts?: CallOptions): Promise<ContainerInfo[]> {
    // the name filter as Docker's: any regular expression matching the name, with or without its slash
    const named = (name: string) => !filters?.name || filters.name.some((r) => new RegExp(r).test(name) || new RegExp(r).test(`/${name}`))
    return this.door.pass('listContainers', JSON.stringify(filters ?? {}), 'list containers', bound('read', 'container list', opts), () =>
      [...this.engine.containers.values()]
        .filter((c) => matchesLabels(c.labels, filters) && named(c.name))
        .map((c) => this.engine.containerInfo(c)),
    )
  }

  findContainer(name: string, opts?: CallOptions): Promise<ContainerInfo | undefined> {
    return this.door.pass('findContainer', name, `inspect container ${name}`, bound('read', 'container inspect', opts), () => {
      const c = this.engine.container(name)
      return c ? this.engine.containerInfo(c) : undefined
    })
  }

  createContainer(spec: ContainerSpec, opts?: CallOptions): Promise<ContainerInfo> {
    return this.door.pass('createContainer', spec.name, `create container ${spec.name}`, bound('write', 'container create', opts), () =>
      this.engine.containerInfo(this.engine.createContainer(spec)),
    )
  }

  /** Starts a container (Docker's 304 for a running one is no error): its node boots afresh. */
  startContainer(id: string, opts?: CallOptions): Promise<void> {
    const step = `start container ${id}`
    return this.door.pass('startContainer', id, step, bound('write', 'container start', opts), () => {
      const c = this.engine.mustContainer(id, step)
      if (c.running) return
      c.node.reboot()
      c.running = true
      c.state = 'running'
      this.model.changed()
    })
  }

  /** Pauses or unpauses a running container (docker pause): its processes freeze, its addresses and kernel state stay. */
  setPaused(id: string, paused: boolean, opts?: CallOptions): Promise<void> {
    const step = `${paused ? 'pause' : 'unpause'} container ${id}`
    return this.door.pass('setPaused', id, step, bound('write', `container ${paused ? 'pause' : 'unpause'}`, opts), () => {
      const c = this.engine.mustContainer(id, step)
      if (!c.running) throw new StepError(step, `Container ${c.id} is not running`)
      c.state = paused ? 'paused' : 'running'
      this.model.changed()
    })
  }

  /** Removes a container with force (a missing one is no error), stopping what ran in it. */
  removeContainer(id: string, opts?: CallOptions): Promise<void> {
    return this.door.pass('removeContainer', id, `remove container ${id}`, bound('write', 'container remove', opts), () => {
      const c = this.engine.container(id)
      if (!c) return
      this.engine.containers.delete(c.id)
      c.running = false
      this.stopped(c)
      this.model.changed()
    })
  }

  findImage(ref: string, opts?: CallOptions): Promise<ImageInfo | undefined> {
    return this.door.pass('findImage', ref, `inspect image ${ref}`, bound('read', 'image inspect', opts), () => this.engine.image(ref))
  }

  listImages(filters?: {label?: string[]}, opts?: CallOptions): Promise<ImageInfo[]> {
    return this.door.pass('listImages', JSON.stringify(filters ?? {}), 'list images', bound('read', 'image list', opts), () =>
      [...this.engine.images.values()].filter((i) => matchesLabels(i.labels, filters)),
    )
  }

  tagImage(id: string, ref: string, opts?: CallOptions): Promise<void> {
    return this.door.pass('tagImage', ref, `tag ${ref}`, bound('write', 'image tag', opts), () => {
      const image = this.engine.image(id)
      if (!image) throw new StepError(`tag ${ref}`, `No such image: ${id}`)
      const full = /:[^/]+$/.test(ref) ? ref : `${ref}:latest`
      for (const i of this.engine.images.values()) i.tags = i.tags.filter((t) => t !== full)
      image.tags.push(full)
    })
  }

  /** A build: its FROM said as progress, the image made with the recipe's lvslab.image label. No timeout. */
  buildImage(context: Record<string, string>, tags: string[], onProgress: Progress, signal?: AbortSignal): Promise<ImageInfo> {
    return this.door.pass('buildImage', tags[0] ?? '', `build image ${tags[0]}`, {name: 'image build', signal}, () => {
      const dockerfile = context.Dockerfile ?? ''
      onProgress(`Step 1/1 : FROM ${/^FROM (\S+)/m.exec(dockerfile)?.[1] ?? 'scratch'}`)
      const image = this.engine.addImage(tags[0] ?? 'lvslab/lab:latest', {
        'lvslab.image': /^LABEL lvslab\.image="([^"]+)"/m.exec(dockerfile)?.[1] ?? '',
      })
      for (const t of tags.slice(1)) image.tags.push(/:[^/]+$/.test(t) ? t : `${t}:latest`)
      return image
    })
  }

  /** An import: the root filesystem read to its end, the image made. No timeout. */
  importImage(rootfs: Readable, ref: string, onProgress: Progress, signal?: AbortSignal): Promise<ImageInfo> {
    return this.door.pass('importImage', ref, `import image ${ref}`, {name: 'image import', signal}, async () => {
      for await (const chunk of rootfs) void chunk
      onProgress(`sha256:imported ${ref}`)
      return this.engine.addImage(ref, {'lvslab.image': 'import'})
    })
  }
}
