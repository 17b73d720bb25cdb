// Docker as the runtime: src/runtime/docker/ is the only place that imports dockerode. One module per
// resource (engine, networks, containers, images, exec, files), composed here into the Runtime port.
import type {Readable} from 'node:stream'
import type Docker from 'dockerode'
import type {
  CallOptions,
  ContainerInfo,
  ContainerSpec,
  EngineInfo,
  ExecOptions,
  ExecResult,
  ImageInfo,
  NetworkInfo,
  NetworkSpec,
  Progress,
  Runtime,
  RunOnceOptions,
} from '../types.js'
import {EXEC_TIMEOUT_MS, engineStep} from './calls.js'
import {Containers} from './containers.js'
import {connect, Engine, engineClient, type Endpoint, endpointOf} from './engine.js'
import {collector, execIn, execStep, lineSinks} from './exec.js'
import {putFile, runOnce} from './files.js'
import {Images} from './images.js'
import {Networks} from './networks.js'

export {engineMessage} from './calls.js'
export {splitRef, tarOf} from './images.js'

/**
 * The Runtime over dockerode: the only code that talks to the Docker engine (DOCKER_HOST, or the local
 * socket). Every engine call has a timeout (src/runtime/docker/calls.ts: READ_TIMEOUT_MS 30 s for
 * version, info, inspect, list, logs and an exec's create, start and inspect; WRITE_TIMEOUT_MS 60 s for
 * create, start, remove and tag; EXEC_TIMEOUT_MS 120 s for an exec's output and a runOnce container's
 * run; none for builds, imports and execStream's output) unless the caller's opts.timeoutMs, and stops
 * when the caller's signal aborts. Every failure becomes a StepError naming the step, with the engine's
 * own words; a timeout says which call and after how many seconds.
 */
export class DockerRuntime implements Runtime {
  readonly docker: Docker
  private readonly engine: Engine
  private readonly networks: Networks
  private readonly containers: Containers
  private readonly images: Images

  /**
   * @param docker a dockerode client (default: one for DOCKER_HOST or the local socket, see connect)
   * @param endpoint where that client's engine is (default: decided from DOCKER_HOST, see endpointOf)
   */
  constructor(docker?: Docker, endpoint: Endpoint = endpointOf()) {
    this.docker = docker ?? connect().docker
    this.engine = new Engine(engineClient(this.docker), endpoint)
    this.networks = new Networks(this.docker)
    this.containers = new Containers(this.docker, this.engine)
    this.images = new Images(this.docker)
  }

  info(opts?: CallOptions): Promise<EngineInfo> {
    return engineStep('engine', () => this.engine.info('engine', opts))
  }

  listNetworks(filters?: {label?: string[]}, opts?: CallOptions): Promise<NetworkInfo[]> {
    return this.networks.list(filters, opts)
  }

  findNetwork(name: string, opts?: CallOptions): Promise<NetworkInfo | undefined> {
    return this.networks.find(name, opts)
  }

  createNetwork(spec: NetworkSpec, opts?: CallOptions): Promise<NetworkInfo> {
    return this.networks.create(spec, opts)
  }

  removeNetwork(id: string, opts?: CallOptions): Promise<void> {
    return this.networks.remove(id, opts)
  }

  listContainers(filters?: {label?: string[]}, opts?: CallOptions): Promise<ContainerInfo[]> {
    return this.containers.list(filters, opts)
  }

  findContainer(name: string, opts?: CallOptions): Promise<ContainerInfo | undefined> {
    return this.containers.find(name, opts)
  }

  createContainer(spec: ContainerSpec, opts?: CallOptions): Promise<ContainerInfo> {
    return this.containers.create(spec, opts)
  }

  startContainer(id: string, opts?: CallOptions): Promise<void> {
    return this.containers.start(id, opts)
  }

  removeContainer(id: string, opts?: CallOptions): Promise<void> {
    return this.containers.remove(id, opts)
  }

  /** The exec primitive collecting all output; the output may take opts.timeoutMs (default EXEC_TIMEOUT_MS). */
  exec(container: string, cmd: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const step = execStep(container, cmd)
    return engineStep(step, async () => {
      const out = collector()
      const req = {container, cmd, env: opts.env, step, timeoutMs: opts.timeoutMs ?? EXEC_TIMEOUT_MS, signal: opts.signal}
      const exitCode = await execIn(this.docker, req, out.sinks)
      return {exitCode, ...out.text()}
    })
  }

  /** The exec primitive with stdout handed over line by line; no timeout on the output unless opts.timeoutMs. */
  execStream(
    container: string,
    cmd: string[],
    onLine: (line: string) => void,
    signal: AbortSignal,
    opts: Omit<CallOptions, 'signal'> = {},
  ): Promise<number> {
    const step = execStep(container, cmd)
    return engineStep(step, () => execIn(this.docker, {container, cmd, step, timeoutMs: opts.timeoutMs, signal}, lineSinks(onLine)))
  }

  putFile(container: string, path: string, content: string, mode?: number, opts?: CallOptions): Promise<void> {
    return putFile(this.docker, container, path, content, mode, opts)
  }

  findImage(ref: string, opts?: CallOptions): Promise<ImageInfo | undefined> {
    return this.images.find(ref, opts)
  }

  listImages(filters?: {label?: string[]}, opts?: CallOptions): Promise<ImageInfo[]> {
    return this.images.list(filters, opts)
  }

  tagImage(id: string, ref: string, opts?: CallOptions): Promise<void> {
    return this.images.tag(id, ref, opts)
  }

  buildImage(context: Record<string, string>, tags: string[], onProgress: Progress, signal?: AbortSignal): Promise<ImageInfo> {
    return this.images.build(context, tags, onProgress, signal)
  }

  importImage(rootfs: Readable, ref: string, onProgress: Progress, signal?: AbortSignal): Promise<ImageInfo> {
    return this.images.import(rootfs, ref, onProgress, signal)
  }

  runOnce(image: string, cmd: string[], opts?: RunOnceOptions): Promise<ExecResult> {
    return runOnce(this.docker, image, cmd, opts)
  }
}
