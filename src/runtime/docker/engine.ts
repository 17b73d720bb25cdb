// The Docker engine itself: the client lvslab talks to it with, where it is, what it says of itself.
import Docker from 'dockerode'
import type {CallOptions, EngineInfo} from '../types.js'
import {READ_TIMEOUT_MS, timedOutText, withDeadline} from './calls.js'

/** Where the engine is, as lvslab decided from DOCKER_HOST (never read back from docker-modem's fields). */
export interface Endpoint {
  /** True for a local socket: DOCKER_HOST unset, unix:// or npipe:// (it may still front a VM, e.g. Docker Desktop). */
  local: boolean
}

/**
 * The endpoint of a DOCKER_HOST value, decided as docker-modem decides between a socket and a host
 * (docker-modem lib/modem.js defaultOpts): unset, unix://PATH or npipe://PATH is a local socket;
 * anything else (tcp://, ssh://, host:port) is a remote host.
 */
export function endpointOf(dockerHost: string | undefined = process.env.DOCKER_HOST): Endpoint {
  return {local: !dockerHost || dockerHost.startsWith('unix://') || dockerHost.startsWith('npipe://')}
}

/**
 * A dockerode client for DOCKER_HOST (with DOCKER_TLS_VERIFY, DOCKER_CERT_PATH and DOCKER_CLIENT_TIMEOUT,
 * which docker-modem reads from process.env itself), or the local socket when DOCKER_HOST is unset;
 * and its endpoint, decided from the same DOCKER_HOST.
 * @throws Error from docker-modem when DOCKER_HOST cannot be parsed.
 */
export function connect(): {docker: Docker; endpoint: Endpoint} {
  return {docker: new Docker(), endpoint: endpointOf(process.env.DOCKER_HOST)}
}

/**
 * The part of dockerode the engine calls use. dockerode 5 takes an abortSignal in these options
 * (lib/docker.js, Docker.prototype.version and .info), though @types/dockerode 4 declares no options:
 * a Docker is passed as this type by engineClient.
 */
export interface EngineClient {
  version(opts: {abortSignal?: AbortSignal}): Promise<Docker.DockerVersion>
  info(opts: {abortSignal?: AbortSignal}): Promise<{OperatingSystem?: string}>
}

/** A dockerode client seen as an EngineClient (see there: the options its typings do not declare). */
export function engineClient(docker: Docker): EngineClient {
  return docker as unknown as EngineClient
}

/**
 * The engine's version and facts. The version is asked once per Engine (an engine does not change its
 * API under us) and asked again only if that failed.
 */
export class Engine {
  private cached?: Promise<Docker.DockerVersion>

  /**
   * @param docker the client GET /version and GET /info go through (engineClient of a dockerode)
   * @param endpoint where that engine is (endpointOf), reported as EngineInfo.local
   */
  constructor(
    private readonly docker: EngineClient,
    private readonly endpoint: Endpoint,
  ) {}

  /**
   * GET /version, asked once (that request itself aborts after READ_TIMEOUT_MS); each caller waits for
   * it under its own deadline: opts.timeoutMs (default READ_TIMEOUT_MS) and opts.signal.
   * @throws StepError(step, ...) on a timeout or an abort; dockerode's error otherwise.
   */
  version(step: string, opts: CallOptions = {}): Promise<Docker.DockerVersion> {
    if (!this.cached) {
      const backstop = AbortSignal.timeout(READ_TIMEOUT_MS)
      const asked = this.docker.version({abortSignal: backstop}).catch((error: unknown) => {
        if (this.cached === asked) this.cached = undefined
        throw backstop.aborted ? new Error(timedOutText('version', READ_TIMEOUT_MS, error)) : error
      })
      this.cached = asked
    }
    const cached = this.cached
    return withDeadline({step, call: 'version', timeoutMs: opts.timeoutMs ?? READ_TIMEOUT_MS, signal: opts.signal}, () => cached)
  }

  /**
   * GET /version (cached) and GET /info, at once: versions, kernel, OS, Docker Desktop or not, and
   * whether the endpoint is a local socket.
   * @throws StepError(step, ...) on a timeout or an abort; dockerode's error otherwise.
   */
  async info(step: string, opts: CallOptions = {}): Promise<EngineInfo> {
    const [v, i] = await Promise.all([
      this.version(step, opts),
      withDeadline({step, call: 'info', timeoutMs: opts.timeoutMs ?? READ_TIMEOUT_MS, signal: opts.signal}, (abortSignal) =>
        this.docker.info({abortSignal}),
      ),
    ])
    return {
      version: v.Version,
      apiVersion: v.ApiVersion,
      kernel: v.KernelVersion,
      os: i.OperatingSystem ?? '',
      desktop: /Docker Desktop/i.test(i.OperatingSystem ?? ''),
      local: this.endpoint.local,
    }
  }
}
