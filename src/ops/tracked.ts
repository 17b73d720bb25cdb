// Which of a sample's requests IPVS did not schedule. In direct routing a closed connection stays in
// the director's table as FIN_WAIT for 120 s, while the client's kernel may hand out the same source
// port again after its own TIME_WAIT (60 s). A new connection from an address and port still in the
// table goes where the old one went, without asking the scheduler (conn_reuse_mode 1, the default,
// reschedules only TIME_WAIT and CLOSE: Documentation/networking/ipvs-sysctl.rst). Measured in the test
// VM: 35 breaks of round robin order in 1998 requests from one client, each next to such a reuse.
import type {Lab} from '../lab/model.js'
import {parseIpvsConnections} from '../parse/ipvs-connections.js'
import type {Answer} from '../probe/http.js'
import {containerName} from '../plan/plan.js'
import type {Runtime} from '../runtime/types.js'

/** The client ends ("ADDRESS:PORT") a director's IPVS tracks for the lab's virtual service, or why they could not be read. */
export type Tracked = {ok: true; clients: ReadonlySet<string>} | {ok: false; why: string}

/**
 * Reads `ipvsadm -Lnc` in the director holding the VIP: the client ends of its entries for the lab's
 * virtual service (VIP:port), whatever their state (only TIME_WAIT and CLOSE entries are rescheduled).
 * @param holder the director's node name (e.g. "lvs1")
 * @param signal aborts the exec ("interrupted", as Runtime.exec)
 * @returns the set, or ok false with the reason (exit code and ipvsadm's words, or the parser's) when
 *   the table could not be read: the caller then judges every request as scheduled
 * @throws StepError from the engine (the container is gone, the engine fails, "interrupted")
 */
export async function trackedClients(rt: Runtime, lab: Lab, holder: string, signal?: AbortSignal): Promise<Tracked> {
  const res = await rt.exec(containerName(lab, holder), ['ipvsadm', '-Lnc'], {signal})
  if (res.exitCode !== 0)
    return {
      ok: false,
      why: `ipvsadm -Lnc on ${holder}: exit ${res.exitCode} ${(res.stderr || res.stdout).trim().split('\n')[0] ?? ''}`.trim(),
    }
  try {
    const service = `${lab.vip}:${lab.virtual_server.port}`
    return {
      ok: true,
      clients: new Set(
        parseIpvsConnections(res.stdout)
          .filter((c) => c.virtual === service)
          .map((c) => c.client),
      ),
    }
  } catch (error) {
    return {ok: false, why: (error as Error).message}
  }
}

/**
 * A sample with each request marked `reused` when its client end was in the table read before it.
 * @param answers the sample, in order (each with its `client` end when the prober knew it)
 * @returns new answers; the input is not changed
 */
export function markReused(answers: readonly Answer[], tracked: Tracked): Answer[] {
  if (!tracked.ok) return [...answers]
  return answers.map((a) => (a.client && tracked.clients.has(a.client) ? {...a, reused: true} : a))
}
