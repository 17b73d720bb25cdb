// The lab's containers brought up as a pipeline: each node's container is created and started, and
// each node is set to work as soon as its own container runs, while the other containers still start;
// verify's client container comes up beside them. `up`'s steps then wait for each part in turn. A
// container `up` creates configures itself as it starts (src/ops/up/boot.ts: a real server's script,
// a director's keepalived.conf tested and keepalived started), and `up` reads the outcome from its log;
// one it finds is configured by exec (a real server's script; a director asked its IPVS and keepalived
// version, then started).
import type {Director, Lab, RealServer} from '../../lab/model.js'
import {parseKeepalivedVersion} from '../../parse/keepalived.js'
import type {LabPlan, Mode} from '../../plan/plan.js'
import {probeSite, type ProbeFrom, type ProbeSite} from '../../probe/choose.js'
import type {KeepalivedVersion} from '../../render/index.js'
import {LABELS} from '../../runtime/labels.js'
import type {ContainerInfo, Runtime} from '../../runtime/types.js'
import {type Boot, bootOutcome} from './boot.js'
import {ensureContainer, type Made} from './create.js'
import {bootedDirector, directorBoot, KEEPALIVED_VERSION_FILE, type PreparedDirector, prepareDirector} from './director.js'
import {bootedRealServer, configureRealServer, realServerBoot} from './real-server.js'

/** The parts of a lab under way: each a promise that `up`'s steps wait for, in this order. */
export interface NodesUnderWay {
  /** Every node's container created (when missing) and running. */
  containers: Promise<void>
  /** Each director's IPVS and keepalived version, asked as soon as its container runs. */
  prepared: Promise<PreparedDirector[]>
  /** Each real server configured (realServerScript) as soon as its container runs. */
  realServers: Promise<void>
  /** Where verify's probes run (the client container made and started, once every lab container runs, when they run from one); undefined with noVerify. */
  client?: Promise<ProbeSite>
  /** Resolves once every part has ended, each either way (so that nothing is left in flight). */
  settled(): Promise<void>
}

/**
 * Like Promise.all, but it settles only once every promise has: a failure is thrown (the first in the
 * list's order) when none of them is still under way, so that a caller that stops on it leaves no
 * call in flight.
 * @returns every value, in order
 * @throws the first rejection's reason
 */
export async function allSettledOrThrow<T>(list: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(list)
  const failed = settled.find((r) => r.status === 'rejected')
  if (failed) throw failed.reason
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value)
}

/**
 * The keepalived version the lab image recorded when it was made (KEEPALIVED_VERSION_FILE), read
 * without starting a container (Runtime.readImageFile), when some director's container is missing
 * (only a director `up` creates needs it); undefined when none is missing, or when it cannot be read
 * or parsed (the directors are then asked by exec, as a director `up` finds). Never rejects.
 * `up` starts it beside the network's creation, so that the directors are not held back by it.
 */
export async function imageVersion(rt: Runtime, lab: Lab, plan: LabPlan, signal?: AbortSignal): Promise<KeepalivedVersion | undefined> {
  try {
    const found = await Promise.all(plan.directors.map((p) => rt.findContainer(p.spec.name, {signal})))
    if (found.every(Boolean)) return undefined
    const text = await rt.readImageFile(lab.image, KEEPALIVED_VERSION_FILE, {
      signal,
      labels: {[LABELS.LAB]: plan.network.labels[LABELS.LAB] ?? ''},
    })
    return text === undefined ? undefined : parseKeepalivedVersion(text)
  } catch {
    return undefined
  }
}

/**
 * A found container that boots itself: its boot may still run (an `up` interrupted during it) or run
 * now (one stopped between its create and its start), so it is let end (the marker in its log, old or
 * new: BOOT_WRAPPER says one at every start) before the container is configured by exec; a boot that
 * does not end is left to the exec's own errors.
 */
async function bootEnded(rt: Runtime, found: {container: ContainerInfo; boot?: Boot}, signal?: AbortSignal): Promise<void> {
  if (found.boot || found.container.labels[LABELS.BOOT] !== 'true') return
  await bootOutcome(rt, found.container.name, signal).catch(() => undefined)
}

/**
 * Starts every part of bringing the lab's nodes up, at once; none of the promises it returns rejects
 * unhandled (each is also caught here), so a caller may wait for them one by one and, on the first
 * failure, call settled() before it throws.
 * The real servers' containers are created and started first, the directors' once those run, and
 * verify's client once every lab container runs: on an engine short of CPU, container starts made at
 * once all end late, and what the lab waits for is ordered: the real servers serve, then keepalived
 * starts (directorBoot), then its election (3 x advert_int + skew, RFC 3768 6.1), then verify.
 * @param made the names created and found, filled as containers are met (Made, ensureContainer)
 * @param opts from: where verify's probes run (no client with noVerify); signal: aborts every engine
 *   call; version: the image's keepalived version (imageVersion), for the directors it creates
 * @returns the parts under way
 */
export function bringUp(
  rt: Runtime,
  lab: Lab,
  plan: LabPlan,
  mode: Mode,
  made: Made,
  opts: {from?: ProbeFrom; noVerify?: boolean; signal?: AbortSignal; version?: Promise<KeepalivedVersion | undefined>},
): NodesUnderWay {
  const version = opts.version ?? imageVersion(rt, lab, plan, opts.signal)
  const directorBootOf = (d: Director) => async () => {
    const v = await version
    return v ? {...directorBoot(lab, d, v), version: v} : undefined
  }
  const running = new Map<string, Promise<{container: ContainerInfo; boot?: Boot & {conf?: string; version?: KeepalivedVersion}}>>()
  for (const p of plan.realServers) {
    const r = lab.real_servers.find((x) => x.name === p.node)
    running.set(p.node, ensureContainer(rt, p, made, opts.signal, r && (async () => realServerBoot(lab, r, mode))))
  }
  // a real server that does not run stops `up`: no director is created to wait for it
  const realServersRun = allSettledOrThrow([...running.values()])
  for (const p of plan.directors) {
    const d = lab.directors.find((x) => x.name === p.node)
    running.set(
      p.node,
      realServersRun.then(() => ensureContainer(rt, p, made, opts.signal, d && directorBootOf(d))),
    )
  }
  const after = (node: string) => running.get(node) ?? Promise.reject(new Error(`no container planned for ${node}`))
  const containers = allSettledOrThrow([...running.values()]).then(() => undefined)
  const prepareOne = async (d: Director): Promise<PreparedDirector> => {
    const found = await after(d.name)
    const b = found.boot
    if (b?.version && b.conf !== undefined) return bootedDirector(rt, lab, d, b.version, b.conf, opts.signal)
    await bootEnded(rt, found, opts.signal)
    return prepareDirector(rt, lab, d, opts.signal)
  }
  const configureOne = async (r: RealServer): Promise<void> => {
    const found = await after(r.name)
    if (found.boot) return bootedRealServer(rt, lab, r, mode, opts.signal)
    await bootEnded(rt, found, opts.signal)
    return configureRealServer(rt, lab, r, mode, opts.signal)
  }
  const prepared = allSettledOrThrow(lab.directors.map(prepareOne))
  const realServers = allSettledOrThrow(lab.real_servers.map(configureOne)).then(() => undefined)
  // decided once the lab's containers run: until then the lab's bridge has no carrier, and this machine
  // does not list its address (libuv's interface list skips an interface that is not running), so a
  // local engine's lab would look unreachable from here (src/probe/host.ts hostReaches)
  const client = opts.noVerify ? undefined : containers.then(() => probeSite(rt, lab, opts.from ?? 'auto', mode, opts.signal))
  const parts: Promise<unknown>[] = [containers, prepared, realServers, ...(client ? [client] : [])]
  for (const p of parts) p.catch(() => undefined)
  return {
    containers,
    prepared,
    realServers,
    client,
    settled: async () => {
      await Promise.allSettled(parts)
    },
  }
}
