// `status`: what the lab's nodes report about themselves.
import type {Lab} from '../lab/model.js'
import {type DirectorFacts, labFacts, type RealServerFacts, vipService} from './facts.js'
import type {Runtime} from '../runtime/types.js'

export interface StatusResult {
  lab: string
  vip: string
  exists: boolean
  vipHolders: string[]
  masters: string[]
  splitBrain: boolean
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
 * brain, and notes (what could not be read, the VRRP password's nature). Never throws for a stopped lab.
 */
export async function labStatus(rt: Runtime, lab: Lab): Promise<StatusResult> {
  const facts = await labFacts(rt, lab)
  const holders = facts.directors.filter((d) => d.holdsVip).map((d) => d.name)
  const masters = facts.directors.filter((d) => d.vrrpState === 'MASTER').map((d) => d.name)
  const notes: string[] = []
  if (lab.vrrp.auth_type === 'PASS')
    notes.push(
      `VRRP PASS authentication is sent in cleartext on the lab network: it guards against mistakes, not attackers; the password ${lab.vrrp.auth_pass ? 'is set in the lab file' : 'is random for this lab (kept on its network; set vrrp.auth_pass to choose one)'}`,
    )
  for (const n of [...facts.directors, ...facts.realServers]) for (const u of n.unreadable) notes.push(`COULD NOT READ on ${n.name}: ${u}`)
  if (holders.length > 1 || masters.length > 1)
    notes.push(`SPLIT BRAIN: ${[...new Set([...holders, ...masters])].join(' and ')} all claim the VIP`)
  return {
    lab: lab.name,
    vip: lab.vip,
    exists: facts.directors.some((d) => d.running) || facts.realServers.some((r) => r.running),
    vipHolders: holders,
    masters,
    splitBrain: holders.length > 1 || masters.length > 1,
    directors: facts.directors.map(({ipvs, ...d}) => {
      const conf = lab.directors.find((x) => x.name === d.name)!
      const svc = vipService(lab, ipvs)
      return {
        ...d,
        priority: conf.priority,
        configuredState: conf.state,
        ...(svc ? {ipvs: {scheduler: svc.scheduler, realServers: svc.realServers}} : {}),
      }
    }),
    realServers: facts.realServers,
    notes,
  }
}
