// The validated lab: the lab file with every default filled in and every derived value resolved.
import {randomBytes} from 'node:crypto'
import type {LabFile} from './schema.js'

export type VrrpRole = 'MASTER' | 'BACKUP'

export interface Director {
  name: string
  ip: string
  state: VrrpRole
  priority: number
}

export interface RealServer {
  name: string
  ip: string
  weight: number
}

export interface Lab extends Omit<LabFile, 'directors' | 'real_servers' | 'vrrp'> {
  directors: Director[]
  real_servers: RealServer[]
  vrrp: LabFile['vrrp'] & {unicast: boolean; auth_pass_source?: 'lab file' | 'random'}
  /** The bridge's own address in the subnet (the engine takes the first host address). */
  gateway: string
  /** Where the lab came from: a file's path, or "defaults". */
  source: string
}

/** A random VRRP PASS password: 8 characters keepalived accepts. */
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

export type NodeRole = 'director' | 'realserver'

export function masterOf(lab: Lab): Director {
  const master = lab.directors.find((d) => d.state === 'MASTER')
  if (!master) throw new Error(`lab ${lab.name} has no MASTER director`)
  return master
}

export function nodes(lab: Lab): {name: string; ip: string; role: NodeRole}[] {
  return [
    ...lab.directors.map((d) => ({name: d.name, ip: d.ip, role: 'director' as const})),
    ...lab.real_servers.map((r) => ({name: r.name, ip: r.ip, role: 'realserver' as const})),
  ]
}
