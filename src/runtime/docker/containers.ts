// Containers on the Docker engine: list, inspect, create (with the sysctls placed by API version),
// start, remove; and the one mapping of the engine's container data to ContainerInfo.
import type Docker from 'dockerode'
import {StepError} from '../../errors.js'
import {ENDPOINT_SYSCTLS, placeSysctls, sysctlDefect} from '../sysctls.js'
import type {CallOptions, ContainerFilters, ContainerInfo, ContainerSpec} from '../types.js'
import {type DockerError, engineMessage, engineStep, isNotFound, READ_TIMEOUT_MS, withDeadline, WRITE_TIMEOUT_MS} from './calls.js'
import type {Engine} from './engine.js'

/** A container as GET /containers/json lists it, or as GET /containers/{id}/json inspects it. */
export type EngineContainer = Docker.ContainerInfo | Docker.ContainerInspectInfo

/** One endpoint's IPv4 address: the live one, else the one configured at creation (IPAMConfig), else "". */
function endpointAddress(ep: {IPAddress?: string; IPAMConfig?: {IPv4Address?: string} | null}): string {
  return ep.IPAddress || ep.IPAMConfig?.IPv4Address || ''
}

/**
 * ContainerInfo from either shape the engine gives a container in: a list entry (Names, State as a
 * string, Labels, NetworkSettings.Networks) or an inspect result (Name, State.Status and
 * State.Running, Config.Image and Config.Labels). The leading "/" of the name is dropped; an address is
 * the endpoint's live IPAddress, else its IPAMConfig.IPv4Address (a stopped container has only that).
 */
export function toContainerInfo(c: EngineContainer): ContainerInfo {
  const addresses: Record<string, string> = {}
  for (const [net, ep] of Object.entries(c.NetworkSettings?.Networks ?? {})) addresses[net] = endpointAddress(ep)
  if ('Names' in c) {
    return {
      id: c.Id,
      name: (c.Names[0] ?? '').replace(/^\//, ''),
      image: c.Image,
      state: c.State,
      running: c.State === 'running',
      labels: c.Labels ?? {},
      addresses,
    }
  }
  return {
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    image: c.Config.Image,
    state: c.State.Status,
    running: c.State.Running,
    labels: c.Config.Labels ?? {},
    addresses,
  }
}

/** The part of dockerode containers use. */
export type ContainerClient = Pick<Docker, 'listContainers' | 'getContainer' | 'createContainer'>

/**
 * The engine's containers. Calls that read have READ_TIMEOUT_MS, calls that change WRITE_TIMEOUT_MS,
 * unless opts.timeoutMs; opts.signal aborts any. Every failure is a StepError naming the step.
 */
export class Containers {
  /**
   * @param docker the dockerode calls containers use (listContainers, getContainer, createContainer)
   * @param engine the engine whose API version (GET /version, cached) decides where create() places sysctls
   */
  constructor(
    private readonly docker: ContainerClient,
    private readonly engine: Engine,
  ) {}

  /** GET /containers/json?all=1, with label filters if given. */
  list(filters?: ContainerFilters, opts: CallOptions = {}): Promise<ContainerInfo[]> {
    const step = 'list containers'
    return engineStep(step, async () => {
      const list = await withDeadline(
        {step, call: 'container list', timeoutMs: opts.timeoutMs ?? READ_TIMEOUT_MS, signal: opts.signal},
        (abortSignal) =>
          this.docker.listContainers({
            all: true,
            ...(filters
              ? {filters: Object.fromEntries(Object.entries(filters).filter((e): e is [string, string[]] => e[1] !== undefined))}
              : {}),
            abortSignal,
          }),
      )
      return list.map(toContainerInfo)
    })
  }

  /** GET /containers/{name}/json; undefined when there is none (404). */
  find(name: string, opts: CallOptions = {}): Promise<ContainerInfo | undefined> {
    const step = `inspect container ${name}`
    return engineStep(step, async () => {
      try {
        return toContainerInfo(await this.inspect(step, name, opts))
      } catch (error) {
        if (isNotFound(error)) return undefined
        throw error
      }
    })
  }

  private inspect(step: string, id: string, opts: CallOptions): Promise<Docker.ContainerInspectInfo> {
    return withDeadline(
      {step, call: 'container inspect', timeoutMs: opts.timeoutMs ?? READ_TIMEOUT_MS, signal: opts.signal},
      (abortSignal) => this.docker.getContainer(id).inspect({abortSignal}),
    )
  }

  /**
   * GET /version (cached), POST /containers/create, GET /containers/{id}/json. Per-interface sysctls go
   * where the engine's API version wants them (placeSysctls: from API 1.46 on the network endpoint).
   * @throws StepError when the engine is one known to fail per-interface sysctls (sysctlDefect), with the fix.
   */
  create(spec: ContainerSpec, opts: CallOptions = {}): Promise<ContainerInfo> {
    const step = `create container ${spec.name}`
    return engineStep(step, async () => {
      const v = await this.engine.version(step, opts)
      const hasIfaceSysctls = Object.keys(spec.sysctls).some((k) => /^net\.ipv[46]\.conf\.eth0\./.test(k))
      const defect = hasIfaceSysctls ? sysctlDefect(v.Version) : undefined
      if (defect) throw new StepError(step, defect, 'upgrade the engine (Docker 26.0.1 or later), or use `lvslab up --privileged`')
      // From API 1.46 per-interface sysctls go on the network endpoint (Docker 28 refuses them elsewhere).
      const sysctls = placeSysctls(spec.sysctls, v.ApiVersion)
      const c = await withDeadline(
        {step, call: 'container create', timeoutMs: opts.timeoutMs ?? WRITE_TIMEOUT_MS, signal: opts.signal, settle: true},
        (abortSignal) =>
          this.docker.createContainer({
            name: spec.name,
            Hostname: spec.hostname,
            Image: spec.image,
            Labels: spec.labels,
            ...(spec.entrypoint ? {Entrypoint: spec.entrypoint} : {}),
            ...(spec.cmd ? {Cmd: spec.cmd} : {}),
            ...(spec.env ? {Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`)} : {}),
            HostConfig: {
              NetworkMode: spec.network,
              CapAdd: spec.capAdd,
              Privileged: spec.privileged,
              Sysctls: sysctls.container,
              RestartPolicy: {Name: 'no'},
              // readable by GET /containers/{id}/logs whatever the engine's default log driver (a container
              // that configures itself says how it went there, Runtime.logsUntil); kept small
              LogConfig: {Type: 'json-file', Config: {'max-size': '1m', 'max-file': '1'}},
            },
            NetworkingConfig: {
              EndpointsConfig: {
                [spec.network]: {
                  IPAMConfig: {IPv4Address: spec.ip},
                  ...(sysctls.endpoint ? {DriverOpts: {[ENDPOINT_SYSCTLS]: sysctls.endpoint}} : {}),
                },
              },
            },
            abortSignal,
          }),
      )
      return toContainerInfo(await this.inspect(step, c.id, opts))
    })
  }

  /** POST /containers/{id}/start; one already started (304) is no failure. */
  start(id: string, opts: CallOptions = {}): Promise<void> {
    const step = `start container ${id}`
    return engineStep(step, async () => {
      try {
        await withDeadline(
          {step, call: 'container start', timeoutMs: opts.timeoutMs ?? WRITE_TIMEOUT_MS, signal: opts.signal, settle: true},
          (abortSignal) => this.docker.getContainer(id).start({abortSignal}),
        )
      } catch (error) {
        if ((error as DockerError).statusCode !== 304) throw error
      }
    })
  }

  /** POST /containers/{id}/pause or /unpause; one already paused, or not paused (409 saying so), is no failure. */
  setPaused(id: string, paused: boolean, opts: CallOptions = {}): Promise<void> {
    const step = `${paused ? 'pause' : 'unpause'} container ${id}`
    return engineStep(step, async () => {
      try {
        await withDeadline(
          {
            step,
            call: `container ${paused ? 'pause' : 'unpause'}`,
            timeoutMs: opts.timeoutMs ?? WRITE_TIMEOUT_MS,
            signal: opts.signal,
            settle: true,
          },
          (abortSignal) =>
            paused ? this.docker.getContainer(id).pause({abortSignal}) : this.docker.getContainer(id).unpause({abortSignal}),
        )
      } catch (error) {
        if (!/is already paused|is not paused/.test(engineMessage(error))) throw error
      }
    })
  }

  /** DELETE /containers/{id}?force=1&v=1; one already gone (404) or being removed is no failure. */
  remove(id: string, opts: CallOptions = {}): Promise<void> {
    const step = `remove container ${id}`
    return engineStep(step, async () => {
      try {
        await withDeadline(
          {step, call: 'container remove', timeoutMs: opts.timeoutMs ?? WRITE_TIMEOUT_MS, signal: opts.signal, settle: true},
          (abortSignal) => this.docker.getContainer(id).remove({force: true, v: true, abortSignal}),
        )
      } catch (error) {
        if (!isNotFound(error) && !/already in progress/.test(engineMessage(error))) throw error
      }
    })
  }
}
