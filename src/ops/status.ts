// `status`: what the lab's nodes report about themselves.
import type {Lab} from '../lab/model.js'
import type {Runtime} from '../runtime/types.js'
import {converged, foreignMaster, splitBrain, type Verdict} from '../state/predicates.js'
import {arpSuppressed, expectedHolder, staleVipHolders} from '../state/holders.js'
import {type DirectorFacts, masters, type RealServerFacts, unreadList, vipHolders, vipService} from '../state/snapshot.js'
import {labSnapshot} from './facts.js'

/** What `status` returns (and prints with --json). */
export interface StatusResult {
  lab: string
  vip: string
  exists: boolean
  vipHolders: string[]
  masters: string[]
  splitBrain: boolean
  /** Whether the lab is in its original, healthy state (src/state/predicates.ts `converged` on the lab file's MASTER). */
  converged: Verdict
  directors: (Omit<DirectorFacts, 'ipvs'> & {
    priority: number
    configuredState: string
    ipvs?: {
      scheduler: string
      realServers: {address: string; port: number; forward: string; weight: number; activeConn: number; inactConn: number}[]
    }
  })[]
  realServers: RealServerFacts[]
  notes: string[]
}

/**
 * `status`: every node's facts as it reports them (one exec each), the VIP holders, the MASTERs, split
 * brain, whether the lab is converged, and notes (what could not be read, the VRRP password's nature).
 * Never throws for a stopped lab.
 * @param opts.signal aborts its reads
 * @throws StepError when the engine fails, or a running node's lvslab-facts is missing or prints no report;
 *   "interrupted" when opts.signal aborts
 */
export async function labStatus(rt: Runtime, lab: Lab, opts: {signal?: AbortSignal} = {}): Promise<StatusResult> {
  const snap = await labSnapshot(rt, lab, undefined, opts.signal)
  const split = splitBrain(snap)
  const notes: string[] = []
  if (lab.vrrp.auth_type === 'PASS')
    notes.push(
      `VRRP PASS authentication is sent in cleartext on the lab network: it guards against mistakes, not attackers; the password ${lab.vrrp.auth_pass ? 'is set in the lab file' : 'is random for this lab (kept on its network; set vrrp.auth_pass to choose one)'}`,
    )
  for (const u of unreadList([...snap.directors, ...snap.realServers])) notes.push(`COULD NOT READ on ${u}`)
  const arp = arpSuppressed(snap)
  if (!arp.ok) notes.push(`ARP: ${arp.seen}`)
  for (const name of staleVipHolders(snap))
    notes.push(
      `STALE VIP on ${name}: keepalived is not running there and the VIP was left on its eth0, so it answers ARP for the VIP beside the MASTER (fix: \`lvslab chaos restore\`)`,
    )
  if (split.ok) notes.push(split.seen)
  const foreign = foreignMaster(snap, lab)
  if (foreign.ok)
    notes.push(
      `${foreign.seen}: another VRRP router on the lab network uses this lab's virtual_router_id and is its MASTER (fix: stop that router, or give this lab a virtual_router_id of its own: vrrp.virtual_router_id in the lab file)`,
    )
  return {
    lab: lab.name,
    vip: lab.vip,
    exists: snap.directors.some((d) => d.running) || snap.realServers.some((r) => r.running),
    vipHolders: vipHolders(snap).map((d) => d.name),
    masters: masters(snap).map((d) => d.name),
    splitBrain: split.ok,
    converged: converged(snap, lab, expectedHolder(snap, lab)),
    directors: snap.directors.map(({ipvs, ...d}) => {
      const conf = lab.directors.find((x) => x.name === d.name)
      const svc = vipService(lab, ipvs)
      return {
        ...d,
        priority: conf?.priority ?? 0,
        configuredState: conf?.state ?? 'unknown',
        ...(svc ? {ipvs: {scheduler: svc.scheduler, realServers: svc.realServers}} : {}),
      }
    }),
    realServers: snap.realServers,
    notes,
  }
}
