// The lab's containers brought up as a pipeline: each node's container is created and started, and
// each node is set to work as soon as its own container runs (a real server configured, a director
// asked its IPVS and keepalived version), while the other containers still start; verify's client
// container comes up beside them. `up`'s steps then wait for each part in turn.
import type {Lab} from '../../lab/model.js'
import type {LabPlan, Mode} from '../../plan/plan.js'
import {probeSite, type ProbeFrom, type ProbeSite} from '../../probe/choose.js'
import type {Runtime} from '../../runtime/types.js'
import {ensureContainer, type Made} from './create.js'
import {type PreparedDirector, prepareDirector} from './director.js'
import {configureRealServer} from './real-server.js'

/** The parts of a lab under way: each a promise that `up`'s steps wait for, in this order. */
export interface NodesUnderWay {
  /** Every node's container created (when missing) and running. */
  containers: Promise<void>
  /** Each director's IPVS and keepalived version, asked as soon as its container runs. */
  prepared: Promise<PreparedDirector[]>
  /** Each real server configured (realServerScript) as soon as its container runs. */
  realServers: Promise<void>
  /** Where verify's probes run (the client container made and started, once a lab container runs, when they run from one); undefined with noVerify. */
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
 * Starts every part of bringing the lab's nodes up, at once; none of the promises it returns rejects
 * unhandled (each is also caught here), so a caller may wait for them one by one and, on the first
 * failure, call settled() before it throws.
 * @param made the names created and found, filled as containers are met (Made, ensureContainer)
 * @param opts from: where verify's probes run (no client with noVerify); signal: aborts every engine call
 * @returns the parts under way
 */
export function bringUp(
  rt: Runtime,
  lab: Lab,
  plan: LabPlan,
  mode: Mode,
  made: Made,
  opts: {from?: ProbeFrom; noVerify?: boolean; signal?: AbortSignal},
): NodesUnderWay {
  const running = new Map<string, Promise<unknown>>()
  for (const p of [...plan.directors, ...plan.realServers]) running.set(p.node, ensureContainer(rt, p, made, opts.signal))
  const after = (node: string) => running.get(node) ?? Promise.reject(new Error(`no container planned for ${node}`))
  const containers = allSettledOrThrow([...running.values()]).then(() => undefined)
  const prepared = allSettledOrThrow(lab.directors.map((d) => after(d.name).then(() => prepareDirector(rt, lab, d, opts.signal))))
  const realServers = allSettledOrThrow(
    lab.real_servers.map((r) => after(r.name).then(() => configureRealServer(rt, lab, r, mode, opts.signal))),
  ).then(() => undefined)
  // decided once a lab container runs: until then the lab's bridge has no carrier, and this machine
  // does not list its address (libuv's interface list skips an interface that is not running), so a
  // local engine's lab would look unreachable from here (src/probe/host.ts hostReaches)
  const client = opts.noVerify
    ? undefined
    : Promise.any(running.values()).then(() => probeSite(rt, lab, opts.from ?? 'auto', mode, opts.signal))
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
