// What a test started, and only that: a test judges its own CLI processes (each in a process group
// of its own, so a process it left behind is found by the group's id) and its lab's resources (by
// the lab's label and the lab's name prefix, and the processes and volumes of the containers it saw).
// Nothing here scans the machine's processes or judges another lab's resources: other labs, other
// lvslab runs and other keepalived or Apache servers may run on the same machine and engine.
import {readFileSync} from 'node:fs'
import {execa} from 'execa'
import {LABELS} from '../../src/runtime/labels.js'

/** A process, known by its pid and its start time (a pid alone may be reused). */
interface Proc {
  pid: number
  start: string
  args: string
  container: string
}

/** What was seen of a lab while it ran. */
export interface LabSnapshot {
  containers: {id: string; name: string}[]
  volumes: string[]
  /** The containers' processes as this machine sees them (none when the engine runs elsewhere). */
  processes: Proc[]
  /** How many processes `docker top` listed in all. */
  listed: number
}

/** Field 22 of /proc/PID/stat (start time) and field 3 (state), or undefined when there is no such process. */
function procStat(pid: number): {start: string; state: string} | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return {state: f[0]!, start: f[19]!}
  } catch {
    return undefined
  }
}

function procArgs(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ')
  } catch {
    return undefined
  }
}

/** Alive: the same process (pid and start time), and not a zombie. */
const alive = (p: Proc): boolean => {
  const s = procStat(p.pid)
  return s !== undefined && s.start === p.start && s.state !== 'Z'
}

const lines = (s: string) =>
  s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)

/** The lab's containers and networks on the engine, by its label and by its name prefix (`LAB-`). */
export async function labResources(lab: string): Promise<string[]> {
  const label = `label=${LABELS.LAB}=${lab}`
  const name = `name=${lab}-`
  const [cl, cn, nl, nn, vl] = await Promise.all([
    execa('docker', ['ps', '-a', '--no-trunc', '--filter', label, '--format', '{{.Names}}']),
    execa('docker', ['ps', '-a', '--no-trunc', '--filter', name, '--format', '{{.Names}}']),
    execa('docker', ['network', 'ls', '--no-trunc', '--filter', label, '--format', '{{.Name}}']),
    execa('docker', ['network', 'ls', '--no-trunc', '--filter', name, '--format', '{{.Name}}']),
    execa('docker', ['volume', 'ls', '--filter', label, '--format', '{{.Name}}']),
  ])
  // the engine's name filter matches anywhere in the name: keep those that start with the prefix
  const prefixed = (s: string) => lines(s).filter((n) => n.replace(/^\//, '').startsWith(`${lab}-`))
  return [
    ...new Set([...lines(cl.stdout), ...prefixed(cn.stdout)].map((n) => `container ${n}`)),
    ...new Set([...lines(nl.stdout), ...prefixed(nn.stdout)].map((n) => `network ${n}`)),
    ...lines(vl.stdout).map((n) => `volume ${n}`),
  ].sort()
}

/** The lab's containers as they are now: their ids, their volumes, their processes (`docker top`). */
export async function labSnapshot(lab: string): Promise<LabSnapshot> {
  const ids = lines((await execa('docker', ['ps', '-a', '-q', '--no-trunc', '--filter', `label=${LABELS.LAB}=${lab}`])).stdout)
  const snap: LabSnapshot = {containers: [], volumes: [], processes: [], listed: 0}
  for (const id of ids) {
    const info = JSON.parse((await execa('docker', ['inspect', id])).stdout)[0] as {
      Id: string
      Name: string
      State: {Running: boolean}
      Mounts?: {Type: string; Name?: string}[]
    }
    const name = info.Name.replace(/^\//, '')
    snap.containers.push({id: info.Id, name})
    for (const m of info.Mounts ?? []) if (m.Type === 'volume' && m.Name) snap.volumes.push(m.Name)
    if (!info.State.Running) continue
    const top = await execa('docker', ['top', id, '-eo', 'pid,args'], {reject: false})
    if (top.exitCode !== 0) continue // it stopped meanwhile
    for (const row of lines(top.stdout).slice(1)) {
      const [pidText, ...args] = row.split(/\s+/)
      const pid = Number(pidText)
      snap.listed++
      // only where this machine sees the engine's processes as the engine does: same pid, same command
      const stat = procStat(pid)
      if (stat && procArgs(pid) === args.join(' ')) snap.processes.push({pid, start: stat.start, args: args.join(' '), container: name})
    }
  }
  return snap
}

/**
 * What of the lab is left: its containers and networks (by label and name), and of what `snap`
 * saw, any container, volume or process still there. Processes get up to `graceMs` to be reaped
 * (the engine kills a removed container's processes as it removes it).
 */
export async function labLeftovers(lab: string, snap?: LabSnapshot, graceMs = 5_000): Promise<string[]> {
  const left = await labResources(lab)
  if (!snap) return left
  // inspect only what the snapshot saw: the engine names those that still exist
  const existing = async (kind: 'container' | 'volume', names: string[]) =>
    names.length === 0
      ? new Set<string>()
      : new Set(
          lines(
            (
              await execa('docker', [kind, 'inspect', '--format', kind === 'container' ? '{{.Id}}' : '{{.Name}}', ...names], {
                reject: false,
              })
            ).stdout,
          ),
        )
  const [cs, vs] = await Promise.all([
    existing(
      'container',
      snap.containers.map((c) => c.id),
    ),
    existing('volume', snap.volumes),
  ])
  for (const c of snap.containers) if (cs.has(c.id)) left.push(`container ${c.name} (${c.id.slice(0, 12)})`)
  for (const v of snap.volumes) if (vs.has(v)) left.push(`volume ${v}`)
  const until = Date.now() + graceMs
  let procs = snap.processes.filter(alive)
  while (procs.length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100))
    procs = procs.filter(alive)
  }
  for (const p of procs) left.push(`process ${p.pid} (${p.args}) of container ${p.container}`)
  return [...new Set(left)].sort()
}

/** Whether any process is left in the process group `pgid`. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false
    if ((error as NodeJS.ErrnoException).code === 'EPERM') return true
    throw error
  }
}

export interface OwnResult {
  exitCode: number
  stdout: string
  stderr: string
  pid: number
  /** Whether something the command started outlived it (still in its process group when it exited). */
  leftBehind: boolean
}

/**
 * Runs a command in a process group of its own and, once it has exited, tells whether anything
 * it started is still in that group; what is, is killed (it is ours).
 */
export async function runOwn(
  file: string,
  args: string[],
  options: {cwd?: string; env?: Record<string, string>; timeout?: number} = {},
): Promise<OwnResult> {
  const child = execa(file, args, {...options, reject: false, detached: true, stdin: 'ignore'})
  const pid = child.pid
  if (pid === undefined) throw new Error(`could not start ${file}`)
  try {
    const r = await child
    return {exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr, pid, leftBehind: groupAlive(pid)}
  } finally {
    if (groupAlive(pid)) process.kill(-pid, 'SIGKILL')
  }
}
