// Docker as the runtime: src/runtime/docker/ is the only place that imports dockerode. One module per
// resource (engine, networks, containers, images, exec, files), composed here into the Runtime port.
import type {Readable} from 'node:stream'
import type Docker from 'dockerode'
import type {
  CallOptions,
  ContainerInfo,
  ContainerFilters,
  ContainerSpec,
  EngineInfo,
  ExecOptions,
  ExecResult,
  ImageInfo,
  LogsUntil,
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
import {putFile, readImageFile, runOnce} from './files.js'
import {logsUntil} from './logs.js'
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
 * own words; a timeout says which call and after how many seconds. Every default timeout (in the methods' docs too)
 * is times LVSLAB_TIME_SCALE (src/plan/plan.ts timeScale: 1 unless set, e.g. 8 on a slow emulated engine).
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

  /**
   * Runtime.info (contract: src/runtime/types.ts): GET /version (asked once per DockerRuntime) and GET /info at once, each
   * READ_TIMEOUT_MS (30 s) unless opts.timeoutMs (Engine.info).
   * @throws StepError "engine: ..." (a timeout, "interrupted", the engine's error); an unreachable engine with the fix
   */
  info(opts?: CallOptions): Promise<EngineInfo> {
    return engineStep('engine', () => this.engine.info('engine', opts))
  }

  /**
   * Runtime.listNetworks (contract: src/runtime/types.ts): GET /networks with the label filters; READ_TIMEOUT_MS (30 s)
   * unless opts.timeoutMs (Networks.list).
   * @throws StepError "list networks: ..." (a timeout, "interrupted", the engine's error)
   */
  listNetworks(filters?: {label?: string[]}, opts?: CallOptions): Promise<NetworkInfo[]> {
    return this.networks.list(filters, opts)
  }

  /**
   * Runtime.findNetwork (contract: src/runtime/types.ts): GET /networks/{name}; READ_TIMEOUT_MS (30 s) unless opts.timeoutMs.
   * Undefined on 404, or when the engine answers with another network (it also matches ids; Networks.find).
   * @throws StepError "inspect network NAME: ..." (a timeout, "interrupted", the engine's error)
   */
  findNetwork(name: string, opts?: CallOptions): Promise<NetworkInfo | undefined> {
    return this.networks.find(name, opts)
  }

  /**
   * Runtime.createNetwork (contract: src/runtime/types.ts): POST /networks/create (a bridge, CheckDuplicate, one IPAM subnet
   * and gateway; WRITE_TIMEOUT_MS, 60 s, an abort waits for it to settle), then GET /networks/{name} (READ_TIMEOUT_MS,
   * 30 s); opts.timeoutMs overrides both (Networks.create).
   * @throws StepError "create network NAME: ..." (a timeout, "interrupted", the engine's error), or when the engine
   *   did not keep the network
   */
  createNetwork(spec: NetworkSpec, opts?: CallOptions): Promise<NetworkInfo> {
    return this.networks.create(spec, opts)
  }

  /** Runtime.removeNetwork: DELETE /networks/{id}; WRITE_TIMEOUT_MS; one gone (404) is no failure. @throws StepError "remove network ID: ..." */
  removeNetwork(id: string, opts?: CallOptions): Promise<void> {
    return this.networks.remove(id, opts)
  }

  /**
   * Runtime.listContainers (contract: src/runtime/types.ts): GET /containers/json?all=1 with the label filters;
   * READ_TIMEOUT_MS (30 s) unless opts.timeoutMs (Containers.list).
   * @throws StepError "list containers: ..." (a timeout, "interrupted", the engine's error)
   */
  listContainers(filters?: ContainerFilters, opts?: CallOptions): Promise<ContainerInfo[]> {
    return this.containers.list(filters, opts)
  }

  /**
   * Runtime.findContainer (contract: src/runtime/types.ts): GET /containers/{name}/json; READ_TIMEOUT_MS (30 s) unless
   * opts.timeoutMs. Undefined on 404 (Containers.find).
   * @throws StepError "inspect container NAME: ..." (a timeout, "interrupted", the engine's error)
   */
  findContainer(name: string, opts?: CallOptions): Promise<ContainerInfo | undefined> {
    return this.containers.find(name, opts)
  }

  /**
   * Runtime.createContainer (contract: src/runtime/types.ts): GET /version (cached), POST /containers/create (WRITE_TIMEOUT_MS,
   * 60 s, an abort waits for it to settle), GET /containers/{id}/json (READ_TIMEOUT_MS, 30 s); opts.timeoutMs overrides
   * each. Per-interface sysctls go where the engine's API version wants them (src/runtime/sysctls.ts placeSysctls: on the
   * network endpoint from API 1.46; Containers.create).
   * @throws StepError "create container NAME: ..." (a timeout, "interrupted", the engine's error); with the fix on an
   *   engine known to fail per-interface sysctls (src/runtime/sysctls.ts sysctlDefect)
   */
  createContainer(spec: ContainerSpec, opts?: CallOptions): Promise<ContainerInfo> {
    return this.containers.create(spec, opts)
  }

  /**
   * Runtime.startContainer (contract: src/runtime/types.ts): POST /containers/{id}/start; WRITE_TIMEOUT_MS (60 s, an abort
   * waits for it to settle) unless opts.timeoutMs. A container already started (304) is no failure (Containers.start).
   * @throws StepError "start container ID: ..." (a timeout, "interrupted", the engine's error)
   */
  startContainer(id: string, opts?: CallOptions): Promise<void> {
    return this.containers.start(id, opts)
  }

  /**
   * Runtime.removeContainer (contract: src/runtime/types.ts): DELETE /containers/{id}?force=1&v=1; WRITE_TIMEOUT_MS (60 s,
   * an abort waits for it to settle) unless opts.timeoutMs. One already gone (404) or being removed is no failure
   * (Containers.remove).
   * @throws StepError "remove container ID: ..." (a timeout, "interrupted", the engine's error)
   */
  removeContainer(id: string, opts?: CallOptions): Promise<void> {
    return this.containers.remove(id, opts)
  }

  /** Runtime.setPaused: POST /containers/{id}/pause or /unpause; WRITE_TIMEOUT_MS. @throws StepError "pause container ID: ..." */
  setPaused(id: string, paused: boolean, opts?: CallOptions): Promise<void> {
    return this.containers.setPaused(id, paused, opts)
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

  /** Runtime.logsUntil (contract: src/runtime/types.ts): GET /containers/{id}/logs?follow=1 until the marker (src/runtime/docker/logs.ts). */
  logsUntil(container: string, marker: string, opts?: CallOptions): Promise<LogsUntil> {
    return engineStep(`read the log of ${container}`, () => logsUntil(this.docker, container, marker, opts))
  }

  /** Runtime.readImageFile (contract: src/runtime/types.ts): a created container's archive read (src/runtime/docker/files.ts). */
  readImageFile(image: string, path: string, opts?: CallOptions & {labels?: Record<string, string>}): Promise<string | undefined> {
    return readImageFile(this.docker, image, path, opts)
  }

  /**
   * Runtime.putFile (contract: src/runtime/types.ts): one exec, the content base64 in its environment (Docker 28's archive
   * upload fails on kernels before 6.6; src/runtime/docker/files.ts putFile); its output EXEC_TIMEOUT_MS unless opts.timeoutMs.
   * @throws StepError "install PATH in CONTAINER: ..." (the script's last two lines), or the exec's StepError
   */
  putFile(container: string, path: string, content: string, mode?: number, opts?: CallOptions): Promise<void> {
    return putFile(this.docker, container, path, content, mode, opts)
  }

  /**
   * Runtime.findImage (contract: src/runtime/types.ts): GET /images/{ref}/json; READ_TIMEOUT_MS (30 s) unless opts.timeoutMs,
   * raced (dockerode's image inspect takes no signal). Undefined on 404 (Images.find).
   * @throws StepError "inspect image REF: ..." (a timeout, "interrupted", the engine's error)
   */
  findImage(ref: string, opts?: CallOptions): Promise<ImageInfo | undefined> {
    return this.images.find(ref, opts)
  }

  /** Runtime.listImages: GET /images/json with the label filters; READ_TIMEOUT_MS (Images.list). @throws StepError "list images: ..." */
  listImages(filters?: {label?: string[]}, opts?: CallOptions): Promise<ImageInfo[]> {
    return this.images.list(filters, opts)
  }

  /** Runtime.tagImage (contract: src/runtime/types.ts): POST /images/{id}/tag; WRITE_TIMEOUT_MS. @throws StepError "tag REF: ..." */
  tagImage(id: string, ref: string, opts?: CallOptions): Promise<void> {
    return this.images.tag(id, ref, opts)
  }

  /**
   * Runtime.buildImage (contract: src/runtime/types.ts): POST /build of a tar of `context` as tags[0], then each other tag;
   * progress lines to onProgress; no timeout, `signal` stops it (Images.build).
   * @throws StepError "build image TAG: ..." (the engine's first error event or error, "interrupted", no image left)
   */
  buildImage(context: Record<string, string>, tags: string[], onProgress: Progress, signal?: AbortSignal): Promise<ImageInfo> {
    return this.images.build(context, tags, onProgress, signal)
  }

  /**
   * Runtime.importImage (contract: src/runtime/types.ts): POST /images/create?fromSrc=- of the rootfs tar as `ref`, progress
   * to onProgress; no timeout, `signal` stops it (Images.import).
   * @throws StepError "import image REF: ..." (the engine's first error event or error, "interrupted", no image left)
   */
  importImage(rootfs: Readable, ref: string, onProgress: Progress, signal?: AbortSignal): Promise<ImageInfo> {
    return this.images.import(rootfs, ref, onProgress, signal)
  }

  /**
   * Runtime.runOnce (contract: src/runtime/types.ts): a throwaway container, NetworkMode none, labelled lvslab.throwaway:
   * create, start, wait (opts.timeoutMs, default EXEC_TIMEOUT_MS), logs, remove (src/runtime/docker/files.ts runOnce).
   * @throws StepError "run CMD in IMAGE: ..." (a timeout, "interrupted", the engine's error, a file path it refuses)
   */
  runOnce(image: string, cmd: string[], opts?: RunOnceOptions): Promise<ExecResult> {
    return runOnce(this.docker, image, cmd, opts)
  }
}
