// Where HTTP probes of the VIP run from: this machine when it is on the lab's bridge, else the lab's
// client container (made and started when missing), e.g. with a remote engine. One choice, used by
// verify's prober (a sample of requests) and the drills' continuous prober.
import {StepError} from '../errors.js'
import type {Lab} from '../lab/model.js'
import {CLIENT_NODE, containerName, type Mode, planClient} from '../plan/plan.js'
import {LABELS} from '../runtime/labels.js'
import type {Runtime} from '../runtime/types.js'
import {type ContinuousProber, ContainerContinuousProber, HostContinuousProber} from './continuous.js'
import {ContainerProber, type Prober, type Target} from './http.js'
import {HostProber, hostReaches} from './host.js'

/** Where HTTP probes run from: auto (the host when it reaches the lab's subnet, else a container), host, container. */
export type ProbeFrom = 'auto' | 'host' | 'container'

/** Where the probes of a lab run: this machine, or the named client container (running; created: made by this call). */
export type ProbeSite = {via: 'host'} | {via: 'container'; container: string; created: boolean}

/** Where the probes go: the VIP, the virtual server's port and the health check's path, 3000 ms timeout. */
export function target(lab: Lab): Target {
  return {vip: lab.vip, port: lab.virtual_server.port, path: lab.virtual_server.health_check.path, timeoutMs: 3000}
}

/**
 * Chooses where probes run: the host for `from: host`, or for `auto` when this machine has an address
 * in the lab's subnet (hostReaches); else the lab's client container, created (planClient, in `mode`)
 * and started when it is not.
 * @param signal aborts its engine calls (they then throw StepError "interrupted")
 * @throws StepError ("probe container: ...") when a container of the client's name exists and is not the lab's
 */
export async function probeSite(rt: Runtime, lab: Lab, from: ProbeFrom, mode: Mode, signal?: AbortSignal): Promise<ProbeSite> {
  if (from === 'host' || (from === 'auto' && hostReaches(lab.network.subnet))) return {via: 'host'}
  const client = planClient(lab, mode)
  const existing = await rt.findContainer(client.spec.name, {signal})
  if (existing && existing.labels[LABELS.LAB] !== lab.name)
    throw new StepError(
      'probe container',
      `container ${existing.name} exists and is not lab ${lab.name}'s`,
      'remove or rename it, or use --from host',
    )
  if (!existing) await rt.createContainer(client.spec, {signal})
  if (!existing?.running) await rt.startContainer(client.spec.name, {signal})
  return {via: 'container', container: containerName(lab, CLIENT_NODE), created: !existing}
}

/**
 * verify's prober, where probeSite chooses (target: 3000 ms per request).
 * @param signal aborts probeSite's engine calls and the prober's requests (HostProber, ContainerProber)
 * @throws StepError as probeSite
 */
export async function makeProber(rt: Runtime, lab: Lab, from: ProbeFrom, mode: Mode, signal?: AbortSignal): Promise<Prober> {
  const t = target(lab)
  const site = await probeSite(rt, lab, from, mode, signal)
  return site.via === 'host' ? new HostProber(t, signal) : new ContainerProber(rt, site.container, t, signal)
}

/**
 * The drills' continuous prober, where probeSite chooses.
 * @param opts.signal aborts probeSite's engine calls only: the prober itself runs until its stop(), which
 *   a drill calls in every case (an interrupted drill too, so that no request loop is left behind)
 * @param rate requests per second (Hz); each request times out after 1000 ms
 * @throws StepError as probeSite
 */
export async function continuousProber(
  rt: Runtime,
  lab: Lab,
  opts: {from: ProbeFrom; mode: Mode; signal?: AbortSignal},
  rate: number,
): Promise<ContinuousProber> {
  const t = {...target(lab), timeoutMs: 1000}
  const site = await probeSite(rt, lab, opts.from, opts.mode, opts.signal)
  if (site.via === 'host') {
    const p = new HostProber(t)
    return new HostContinuousProber(() => p.once(), rate, t.timeoutMs)
  }
  return new ContainerContinuousProber(rt, site.container, t, rate, t.timeoutMs)
}
