// Networks on the Docker engine: list, inspect, create (a bridge with one IPv4 subnet), remove.
import type Docker from 'dockerode'
import {StepError} from '../../errors.js'
import type {CallOptions, NetworkInfo, NetworkSpec} from '../types.js'
import {engineStep, isNotFound, READ_TIMEOUT_MS, withDeadline, WRITE_TIMEOUT_MS} from './calls.js'

/** NetworkInfo from a network as the engine lists or inspects it: its IPAM subnets, labels ({} if none). */
export function toNetworkInfo(n: Docker.NetworkInspectInfo): NetworkInfo {
  return {
    id: n.Id,
    name: n.Name,
    subnets: (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter((s): s is string => Boolean(s)),
    labels: n.Labels ?? {},
  }
}

/** The part of dockerode networks use. */
export type NetworkClient = Pick<Docker, 'listNetworks' | 'getNetwork' | 'createNetwork'>

/**
 * The engine's networks. Calls that read have READ_TIMEOUT_MS, calls that change WRITE_TIMEOUT_MS,
 * unless opts.timeoutMs; opts.signal aborts any. Every failure is a StepError naming the step.
 */
export class Networks {
  /** @param docker the dockerode calls networks use (listNetworks, getNetwork, createNetwork) */
  constructor(private readonly docker: NetworkClient) {}

  /** GET /networks, with label filters if given. */
  list(filters?: {label?: string[]}, opts: CallOptions = {}): Promise<NetworkInfo[]> {
    const step = 'list networks'
    return engineStep(step, async () => {
      const list = await withDeadline(
        {step, call: 'network list', timeoutMs: opts.timeoutMs ?? READ_TIMEOUT_MS, signal: opts.signal},
        (abortSignal) => this.docker.listNetworks({...(filters ? {filters} : {}), abortSignal}),
      )
      return list.map(toNetworkInfo)
    })
  }

  /**
   * GET /networks/{name}; undefined when there is none (404) or the engine answered with another
   * network (it also matches ids and id prefixes). dockerode's network inspect takes no abort signal:
   * the deadline races it.
   */
  find(name: string, opts: CallOptions = {}): Promise<NetworkInfo | undefined> {
    const step = `inspect network ${name}`
    return engineStep(step, async () => {
      try {
        const n = (await withDeadline(
          {step, call: 'network inspect', timeoutMs: opts.timeoutMs ?? READ_TIMEOUT_MS, signal: opts.signal},
          () => this.docker.getNetwork(name).inspect(),
        )) as Docker.NetworkInspectInfo
        return n.Name === name ? toNetworkInfo(n) : undefined
      } catch (error) {
        if (isNotFound(error)) return undefined
        throw error
      }
    })
  }

  /**
   * POST /networks/create (bridge, CheckDuplicate, one IPAM subnet and gateway), then GET /networks/{name}.
   * @throws StepError when the engine answered but does not have the network afterwards.
   */
  create(spec: NetworkSpec, opts: CallOptions = {}): Promise<NetworkInfo> {
    const step = `create network ${spec.name}`
    return engineStep(step, async () => {
      await withDeadline(
        {step, call: 'network create', timeoutMs: opts.timeoutMs ?? WRITE_TIMEOUT_MS, signal: opts.signal, settle: true},
        (abortSignal) =>
          this.docker.createNetwork({
            Name: spec.name,
            Driver: 'bridge',
            CheckDuplicate: true,
            Internal: spec.internal,
            Labels: spec.labels,
            IPAM: {Driver: 'default', Config: [{Subnet: spec.subnet, Gateway: spec.gateway}]},
            abortSignal,
          }),
      )
      const n = await this.find(spec.name, opts)
      if (!n) throw new StepError(step, 'the engine did not keep the network')
      return n
    })
  }

  /** DELETE /networks/{id}; one already gone (404) is no failure. */
  remove(id: string, opts: CallOptions = {}): Promise<void> {
    const step = `remove network ${id}`
    return engineStep(step, async () => {
      try {
        await withDeadline(
          {step, call: 'network remove', timeoutMs: opts.timeoutMs ?? WRITE_TIMEOUT_MS, signal: opts.signal, settle: true},
          (abortSignal) => this.docker.getNetwork(id).remove({abortSignal}),
        )
      } catch (error) {
        if (!isNotFound(error)) throw error
      }
    })
  }
}
