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

/** An entry of the table as verify uses it: the real server's address it went to, and when IPVS forgets it (ms, this machine's clock). */
export interface TrackedEntry {
  realServer: string
  untilMs: number
}

/**
 * The client ends ("ADDRESS:PORT", IPv4: ipvsadm brackets IPv6, curl and Node do not) whose next
 * connection IPVS would not schedule, or why they could not be read.
 */
export type Tracked = {ok: true; clients: ReadonlyMap<string, TrackedEntry>} | {ok: false; why: string}

/** IPVS reschedules a reused port whose entry is in these states (conn_reuse_mode 1). */
const RESCHEDULED = new Set(['TIME_WAIT', 'CLOSE'])

/**
 * Reads `ipvsadm -Lnc` in the director holding the VIP: its entries for the lab's virtual service
 * (VIP:port) in a state IPVS does not reschedule, each with its real server and its expiry.
 * @param holder the director's node name (e.g. "lvs1")
 * @param signal aborts the exec: StepError "interrupted" is then thrown
 * @returns the entries, or ok false with the reason (exit code and ipvsadm's words, the parser's, or
 *   the engine's) when the table could not be read: the caller then judges every request as scheduled
 */
export async function trackedClients(rt: Runtime, lab: Lab, holder: string, signal?: AbortSignal): Promise<Tracked> {
  const readAt = Date.now()
  let res
  try {
    res = await rt.exec(containerName(lab, holder), ['ipvsadm', '-Lnc'], {signal})
  } catch (error) {
    if (signal?.aborted) throw error
    return {ok: false, why: (error as Error).message}
  }
  if (res.exitCode !== 0)
    return {
      ok: false,
      why: `ipvsadm -Lnc on ${holder}: exit ${res.exitCode} ${(res.stderr || res.stdout).trim().split('\n')[0] ?? ''}`.trim(),
    }
  try {
    const service = `${lab.vip}:${lab.virtual_server.port}`
    const clients = new Map<string, TrackedEntry>()
    for (const c of parseIpvsConnections(res.stdout))
      if (c.virtual === service && !RESCHEDULED.has(c.state))
        clients.set(c.client, {realServer: c.realServer.replace(/:\d+$/, ''), untilMs: readAt + c.expiresS * 1000})
    return {ok: true, clients}
  } catch (error) {
    return {ok: false, why: (error as Error).message}
  }
}

/**
 * How long (ms) before its expiry an entry is no longer trusted to be there when its port comes
 * again: ipvsadm shows whole seconds, and IPVS's timer runs on its own.
 */
export const EXPIRY_MARGIN_MS = 2000

/**
 * A sample with each request marked `reused` when IPVS certainly did not schedule it: its client end
 * was in the table read before the sample, in a state that is not rescheduled, still there when the
 * request was sent (EXPIRY_MARGIN_MS before its expiry), and the answer came from that entry's real
 * server (an answer from another one was scheduled, and is judged).
 * @param answers the sample, in order (each with its `client` end when the prober knew it, and `at` in ms)
 * @param tracked the table read before the sample (trackedClients)
 * @param startedMs when the sample's first request was sent (ms, this machine's clock, as Date.now())
 * @returns new answers; the input is not changed
 */
export function markReused(answers: readonly Answer[], tracked: Tracked, startedMs: number): Answer[] {
  if (!tracked.ok || answers.length === 0) return [...answers]
  const first = answers[0]?.at ?? 0
  return answers.map((a) => {
    const e = a.client ? tracked.clients.get(a.client) : undefined
    const sentMs = startedMs + (a.at - first)
    return e && sentMs + EXPIRY_MARGIN_MS < e.untilMs && a.server === e.realServer ? {...a, reused: true} : a
  })
}
