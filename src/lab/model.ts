// The validated lab: the lab file with every default filled in and every derived value resolved.
import {randomBytes} from 'node:crypto'
import type {LabFile} from './schema.js'

/** A director's VRRP state as configured (keepalived.conf(5) vrrp_instance `state`). */
export type VrrpRole = 'MASTER' | 'BACKUP'

/** A director: runs keepalived (VRRP for the VIP, IPVS for the virtual server); priority 1-254, the highest is MASTER. */
export interface Director {
  name: string
  ip: string
  state: VrrpRole
  priority: number
}

/** A real server: Apache httpd behind the VIP, with its IPVS weight (1-65535). */
export interface RealServer {
  name: string
  ip: string
  weight: number
}

/**
 * The validated lab (load.ts validateLab makes it): the lab file with every default filled in, the
 * directors' priorities and states and VRRP's unicast resolved, and the derived values below.
 */
export interface Lab extends Omit<LabFile, 'directors' | 'real_servers' | 'vrrp'> {
  directors: Director[]
  real_servers: RealServer[]
  vrrp: Omit<LabFile['vrrp'], 'version' | 'auth_type'> & {
    unicast: boolean
    version: 2 | 3
    auth_type: 'PASS' | 'NONE'
    auth_pass_source?: 'lab file' | 'random'
  }
  /** The bridge's own address in the subnet (the engine takes the first host address). */
  gateway: string
  /** Where the lab came from: a file's path, or "defaults". */
  source: string
}

/**
 * A random VRRP PASS password: 8 characters (the most keepalived uses) of letters and digits,
 * without look-alikes (0/O, 1/l/I), from crypto's randomBytes.
 */
export function randomAuthPass(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789'
  return [...randomBytes(8)].map((b) => alphabet[b % alphabet.length]).join('')
}

/**
 * The lab with its VRRP password resolved: the lab file's, else the one the running lab keeps,
 * else a new random one.
 */
export function withAuthPass(lab: Lab, kept?: string): Lab {
  if (lab.vrrp.auth_pass) return {...lab, vrrp: {...lab.vrrp, auth_pass_source: 'lab file'}}
  return {...lab, vrrp: {...lab.vrrp, auth_pass: kept || randomAuthPass(), auth_pass_source: 'random'}}
}

/**
 * What the lab does for the user beyond what the file says, one line each (printed as notes):
 * keepalived honours nopreempt and preempt_delay only on an instance whose initial state is BACKUP
 * ("nopreempt will not work with initial state MASTER - clearing", vrrp_data.c), so every director
 * is rendered BACKUP and the election makes the highest priority MASTER. Throws nothing.
 */
export function labNotes(lab: Lab): string[] {
  const why = lab.vrrp.nopreempt ? 'nopreempt' : lab.vrrp.preempt_delay > 0 ? `preempt_delay ${lab.vrrp.preempt_delay}` : undefined
  const master = lab.directors.find((d) => d.state === 'MASTER')
  if (!why || !master) return []
  return [
    `vrrp.${why.split(' ')[0]}: keepalived honours it only on a BACKUP instance, so every director's keepalived.conf says state BACKUP; ${master.name} still becomes MASTER by its priority ${master.priority}${lab.vrrp.nopreempt ? ', unless another director is MASTER already' : ''}`,
  ]
}

/** What a node of the lab is. */
export type NodeRole = 'director' | 'realserver'

/** The director configured MASTER. Throws an Error when there is none (validateLab refuses such a lab). */
export function masterOf(lab: Lab): Director {
  const master = lab.directors.find((d) => d.state === 'MASTER')
  if (!master) throw new Error(`lab ${lab.name} has no MASTER director`)
  return master
}

/** Every node of the lab, directors first, each with its address and role. */
export function nodes(lab: Lab): {name: string; ip: string; role: NodeRole}[] {
  return [
    ...lab.directors.map((d) => ({name: d.name, ip: d.ip, role: 'director' as const})),
    ...lab.real_servers.map((r) => ({name: r.name, ip: r.ip, role: 'realserver' as const})),
  ]
}

/**
 * vrrp.track_table's weight: how far a director's priority drops while its IPVS table for the VIP holds
 * no real server. Enough to put it below every other director (highest - lowest priority + 1), at most
 * 253 (keepalived.conf(5): vrrp_script weight -253 to 253; the result is clamped to 1-254), so at the
 * widest spread, 254 and 1, the two tie.
 */
export function trackWeight(lab: Lab): number {
  const priorities = lab.directors.map((d) => d.priority)
  return Math.min(253, Math.max(...priorities) - Math.min(...priorities) + 1)
}
