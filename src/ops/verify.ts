// `verify`: HTTP over the VIP and the directors' own view, each check with what was seen.
import type {Lab} from '../lab/model.js'
import {type Answer, answersPerServer} from '../probe/http.js'
import {makeProber, type ProbeFrom} from '../probe/choose.js'
import type {Mode} from '../plan/plan.js'
import type {Runtime} from '../runtime/types.js'
import {StepError} from '../errors.js'
import {arpSuppressed, expectedHolder} from '../state/holders.js'
import {allRead, converged, foreignMaster, oneHolder, oneMaster, serviceIs, type Verdict, vipOn} from '../state/predicates.js'
import {healthyServers, type LabSnapshot, vipHolders} from '../state/snapshot.js'
import {labSnapshot} from './facts.js'
import {markReused, trackedClients} from './tracked.js'

/** One of verify's checks, as reported (text, JSON, JUnit): its name is user-visible, detail is what was seen. */
export interface Check {
  name: string
  ok: boolean
  detail: string
}

/**
 * What `verify` returns (and prints with --json): ok when every check holds and the lab is converged;
 * where the probes ran; the checks; the first sample's requests (sent, failed, good answers per real
 * server IP, and the answering servers in order, "error" for a failure); the healthy real servers (IPs)
 * and the directors holding the VIP (names).
 */
export interface VerifyResult {
  ok: boolean
  lab: string
  via: 'host' | 'container'
  checks: Check[]
  /** The first sample's requests; reused: those from a client port the holder's IPVS still tracked (sent without scheduling, not judged for order). */
  requests: {sent: number; failed: number; reused: number; perServer: Record<string, number>; sequence: string[]}
  healthy: string[]
  vipHolders: string[]
  /** The lab's state by the one definition of a healthy lab (src/state/predicates.ts `converged`) on the expected holder. */
  converged: Verdict
}

// The probe site's choice lives in src/probe/choose.ts; re-exported for verify's callers (up, the e2e tests).
export {makeProber, type ProbeFrom} from '../probe/choose.js'

/** The order is round robin when it repeats with a period of the number of servers, each once per period. */
export function isRoundRobin(sequence: string[], servers: number): boolean {
  if (servers === 0 || sequence.length < servers) return false
  if (new Set(sequence.slice(0, servers)).size !== servers) return false
  return sequence.every((s, i) => i < servers || s === sequence[i - servers])
}

/** An answer as a sequence entry: the server's address, "?" for a 200 without one, else "error:<why>". */
const entry = (a: Answer) => a.server ?? (a.ok ? '?' : `error:${a.error ?? a.status}`)

/**
 * Whether a sample is in round robin order over `servers` real servers, judged on the requests IPVS
 * scheduled (those not marked `reused`, src/ops/tracked.ts).
 */
export function inRoundRobin(answers: readonly Answer[], servers: number): boolean {
  return isRoundRobin(answers.filter((a) => !a.reused).map(entry), servers)
}

/** "n/m answered 200", with the first three failures. */
function failures(list: Answer[]): string {
  const f = list.filter((a) => !a.ok)
  return `${list.length - f.length}/${list.length} answered 200${
    f.length
      ? `; failures: ${f
          .slice(0, 3)
          .map((a) => a.error ?? a.status)
          .join(', ')}`
      : ''
  }`
}

/** A check named for the report from a predicate's verdict. */
const check = (name: string, v: Verdict): Check => ({name, ok: v.ok, detail: v.seen})

/**
 * verify's checks: the answers through the VIP (all 200, from every healthy real server, in round
 * robin order for rr), then the directors' state, judged by the predicates of src/state/predicates.ts.
 * @param expectedHolder the director that should hold the VIP (the MASTER of the lab file by default)
 * @param second a second sample, taken when the first was not in round robin order: right after a
 *   VRRP transition one request may still meet the other director's scheduler, whose turn differs.
 */
export function checksFrom(lab: Lab, answers: Answer[], snap: LabSnapshot, expectedHolder: string, second?: Answer[]): Check[] {
  const healthy = healthyServers(lab, snap.realServers).sort()
  const sequence = answers.map(entry)
  const failed = answers.filter((a) => !a.ok)
  const seen = [...new Set(answers.flatMap((a) => (a.ok && a.server ? [a.server] : [])))].sort()
  const checks: Check[] = []
  // a failure in the first sample (right after a transition, a neighbour's ARP cache may still point at
  // the old director) is forgiven only when the second sample is clean; both are reported
  const firstOk = failed.length === 0 && answers.length > 0
  checks.push(
    firstOk || !second
      ? {name: 'every answer is 200', ok: firstOk, detail: failures(answers)}
      : {
          name: 'every answer is 200',
          ok: second.length > 0 && second.every((a) => a.ok),
          detail: `first sample ${failures(answers)}; second sample ${failures(second)}`,
        },
  )
  checks.push({
    name: 'every healthy real server answers',
    ok: healthy.length > 0 && JSON.stringify(seen) === JSON.stringify(healthy),
    detail: `healthy: ${healthy.join(', ') || 'none'}; answered: ${seen.join(', ') || 'none'}`,
  })
  if (lab.virtual_server.scheduler === 'rr') {
    const show = (seq: string[]) => `${seq.slice(0, 8).join(' ')}${seq.length > 8 ? ' ...' : ''}`
    // judged on the requests IPVS scheduled: a reused client port goes where its old connection went
    const scheduled = (list: Answer[]) => list.filter((a) => !a.reused)
    const unjudged = (list: Answer[]) => {
      const n = list.length - scheduled(list).length
      return n ? `; ${n} not judged (a client port IPVS still tracked, sent without scheduling)` : ''
    }
    const first = inRoundRobin(answers, healthy.length)
    const again = second && scheduled(second)
    checks.push(
      first || !second || !again
        ? {name: 'round robin order', ok: first, detail: `sequence: ${show(sequence)}${unjudged(answers)}`}
        : {
            name: 'round robin order',
            ok: isRoundRobin(again.map(entry), healthy.length) && again.every((a) => a.ok),
            detail: `first sample out of order (${show(sequence)}${unjudged(answers)}); second sample: ${show(second.map(entry))}${unjudged(second)}`,
          },
    )
  }
  const holders = vipHolders(snap)
  checks.push(check('exactly one director holds the VIP', oneHolder(snap, lab)))
  checks.push(check(`the VIP is on ${expectedHolder} as eth0:1`, vipOn(snap, expectedHolder)))
  const foreign = foreignMaster(snap, lab)
  const one = oneMaster(snap, expectedHolder)
  checks.push(check('exactly one director reports MASTER', foreign.ok ? {ok: false, seen: `${one.seen}; ${foreign.seen}`} : one))
  // the table of the single holder, else of the expected one
  const master = holders.length === 1 ? holders[0]?.name : expectedHolder
  checks.push(check("the MASTER's IPVS table equals the healthy real servers", serviceIs(snap, lab, master, healthy)))
  checks.push(check('every real server ignores ARP for the VIP (arp_ignore 1, arp_announce 2)', arpSuppressed(snap)))
  checks.push(check("every node's facts could be read", allRead(snap)))
  return checks
}

/**
 * `verify`: HTTP against the VIP (a new connection per request, from this machine or the lab's client
 * container) and the nodes' own facts, judged by checksFrom. Sends opts.requests (default 20, or 4
 * per healthy real server), and a second sample of as many right after, when the first had a failure
 * or was out of round robin order; each request
 * times out after 3000 ms (src/probe/choose.ts target). Before each sample it reads the holder's IPVS
 * connection table (src/ops/tracked.ts): a request from a client port still in it is not scheduled, so
 * it is left out of the order's judgement. opts.facts: every node's facts just read (a whole snapshot,
 * e.g. the one `up`'s convergence wait ended on), judged instead of reading them again.
 * @throws StepError when the lab is not running, when a container of the client's name is not the
 *   lab's (probeSite), or when the engine fails; "interrupted" at once when opts.signal aborts (its
 *   engine calls, the probe container's exec, or "probe the VIP" for this machine's requests)
 */
export async function verifyLab(
  rt: Runtime,
  lab: Lab,
  opts: {from?: ProbeFrom; requests?: number; expectedHolder?: string; mode?: Mode; signal?: AbortSignal; facts?: LabSnapshot} = {},
): Promise<VerifyResult> {
  const facts = opts.facts ?? (await labSnapshot(rt, lab, undefined, opts.signal))
  if (![...facts.directors, ...facts.realServers].some((n) => n.running))
    throw new StepError('verify', `lab ${lab.name} is not running`, '`lvslab up`')
  const healthy = healthyServers(lab, facts.realServers)
  const prober = await makeProber(rt, lab, opts.from ?? 'auto', opts.mode ?? 'least-privilege', opts.signal)
  const count = opts.requests ?? Math.max(20, 4 * Math.max(1, healthy.length))
  const holder = opts.expectedHolder ?? expectedHolder(facts, lab)
  // the table of the director the requests meet: the expected holder when it holds the VIP
  const holders = vipHolders(facts)
  const meets = holders.find((d) => d.name === holder) ?? holders[0]
  const rr = lab.virtual_server.scheduler === 'rr'
  const unread: string[] = []
  const sample = async () => {
    const before = meets && rr ? await trackedClients(rt, lab, meets.name, opts.signal) : undefined
    if (before && !before.ok) unread.push(before.why)
    const startedMs = Date.now()
    const list = await prober.many(count)
    return before ? markReused(list, before, startedMs) : list
  }
  const answers = await sample()
  // a second sample, right after: just after a VRRP transition a neighbour's ARP cache may still point
  // at the other director for a request or two
  const second = (!rr || inRoundRobin(answers, healthy.length)) && answers.every((a) => a.ok) ? undefined : await sample()
  await prober.close()
  const checks = checksFrom(lab, answers, facts, holder, second)
  // said where it matters: the order was judged on every request
  const order = checks.find((c) => c.name === 'round robin order')
  if (order && unread.length > 0) order.detail += `; IPVS connection table not read (${unread[0]}): every request judged`
  // the checks above imply it (they are finer); it is kept in the result as the one definition of a healthy lab
  const state = converged(facts, lab, holder)
  return {
    ok: checks.every((c) => c.ok) && state.ok,
    lab: lab.name,
    via: prober.via,
    checks,
    requests: {
      sent: answers.length,
      failed: answers.filter((a) => !a.ok).length,
      reused: answers.filter((a) => a.reused).length,
      perServer: answersPerServer(answers),
      sequence: answers.map((a) => a.server ?? 'error'),
    },
    healthy,
    vipHolders: vipHolders(facts).map((d) => d.name),
    converged: state,
  }
}
