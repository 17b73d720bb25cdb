// The validated lab: the lab file with every default filled in and every derived value resolved.
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
  vrrp: LabFile['vrrp'] & {unicast: boolean}
  /** The bridge's own address in the subnet (the engine takes the first host address). */
  gateway: string
  /** Where the lab came from: a file's path, or "defaults". */
  source: string
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
