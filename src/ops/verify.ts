// `verify`: HTTP over the VIP and the directors' own view, each check with what was seen.
import {type Lab, masterOf} from '../lab/model.js'
import {type Answer, ContainerProber, HostProber, hostReaches, type Prober, type Target} from '../probe/http.js'
import {CLIENT_NODE, containerName, type Mode, planClient} from '../plan/plan.js'
import type {Runtime} from '../runtime/types.js'
import {LABELS} from '../runtime/labels.js'
import {StepError} from '../lab/errors.js'
import {type DirectorFacts, healthyServers, labFacts, type RealServerFacts, vipService} from './facts.js'

export interface Check {
  name: string
  ok: boolean
  detail: string
}

export interface VerifyResult {
  ok: boolean
  lab: string
  via: 'host' | 'container'
  checks: Check[]
  requests: {sent: number; failed: number; perServer: Record<string, number>; sequence: string[]}
  healthy: string[]
  vipHolders: string[]
}

export type ProbeFrom = 'auto' | 'host' | 'container'

/** Where verify sends its requests: the VIP, the virtual server's port and the health check's path, 3000 ms timeout. */
export function target(lab: Lab): Target {
  return {vip: lab.vip, port: lab.virtual_server.port, path: lab.virtual_server.health_check.path, timeoutMs: 3000}
}

/** The prober to use: the host when it is on the lab's bridge, else a client container inside the lab network. */
export async function makeProber(rt: Runtime, lab: Lab, from: ProbeFrom, mode: Mode): Promise<Prober> {
  const t = target(lab)
  if (from === 'host' || (from === 'auto' && hostReaches(lab.network.subnet))) return new HostProber(t)
  const client = planClient(lab, mode)
  const existing = await rt.findContainer(client.spec.name)
  if (existing && existing.labels[LABELS.LAB] !== lab.name)
    throw new StepError(
      'probe container',
      `container ${existing.name} exists and is not lab ${lab.name}'s`,
      'remove or rename it, or use --from host',
    )
  if (!existing) await rt.createContainer(client.spec)
  if (!existing?.running) await rt.startContainer(client.spec.name)
  return new ContainerProber(rt, containerName(lab, CLIENT_NODE), t)
}

/** The order is round robin when it repeats with a period of the number of servers, each once per period. */
export function isRoundRobin(sequence: string[], servers: number): boolean {
  if (servers === 0 || sequence.length < servers) return false
  if (new Set(sequence.slice(0, servers)).size !== servers) return false
  return sequence.every((s, i) => i < servers || s === sequence[i - servers])
}

/**
 * @param second a second sample, taken when the first was not in round robin order: right after a
 *   VRRP transition one request may still meet the other director's scheduler, whose turn differs.
 */
export function checksFrom(
  lab: Lab,
  answers: Answer[],
  directors: DirectorFacts[],
  realServers: RealServerFacts[],
  expectedHolder: string,
  second?: Answer[],
): Check[] {
  const healthy = healthyServers(lab, realServers).sort()
  const sequence = answers.map((a) => a.server ?? (a.ok ? '?' : `error:${a.error ?? a.status}`))
  const failed = answers.filter((a) => !a.ok)
  const seen = [...new Set(answers.filter((a) => a.ok && a.server).map((a) => a.server!))].sort()
  const holders = directors.filter((d) => d.holdsVip)
  const masters = directors.filter((d) => d.vrrpState === 'MASTER')
  const checks: Check[] = []
  const failures = (list: Answer[]) => {
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
    const first = isRoundRobin(sequence, healthy.length)
    const again = second?.map((a) => a.server ?? (a.ok ? '?' : `error:${a.error ?? a.status}`))
    checks.push(
      first || !again
        ? {name: 'round robin order', ok: first, detail: `sequence: ${show(sequence)}`}
        : {
            name: 'round robin order',
            ok: isRoundRobin(again, healthy.length) && again.every((s, i) => second![i]!.ok && Boolean(s)),
            detail: `first sample out of order (${show(sequence)}); second sample: ${show(again)}`,
          },
    )
  }
  checks.push({
    name: 'exactly one director holds the VIP',
    ok: holders.length === 1,
    detail:
      holders.length > 1
        ? `SPLIT BRAIN: ${holders.map((h) => h.name).join(' and ')} all hold ${lab.vip}`
        : `holders: ${holders.map((h) => h.name).join(', ') || 'none'}`,
  })
  const holder = holders.length === 1 ? holders[0]! : undefined
  checks.push({
    name: `the VIP is on ${expectedHolder} as eth0:1`,
    ok: holder?.name === expectedHolder && holder.vipLabel === 'eth0:1',
    detail: holder ? `${holder.name} holds it with label ${holder.vipLabel ?? 'none'}` : 'no single holder',
  })
  checks.push({
    name: 'exactly one director reports MASTER',
    ok: masters.length === 1 && masters[0]!.name === expectedHolder,
    detail: directors.map((d) => `${d.name}: ${d.vrrpState}`).join(', '),
  })
  const master = holder ?? directors.find((d) => d.name === expectedHolder)
  const svc = master ? vipService(lab, master.ipvs) : undefined
  const table = (svc?.realServers ?? []).map((r) => r.address).sort()
  const routes = (svc?.realServers ?? []).every((r) => r.forward === 'Route')
  checks.push({
    name: "the MASTER's IPVS table equals the healthy real servers",
    ok: Boolean(svc) && JSON.stringify(table) === JSON.stringify(healthy) && routes && svc!.scheduler === lab.virtual_server.scheduler,
    detail: svc
      ? `${master!.name}: ${svc.scheduler} ${svc.realServers.map((r) => `${r.address} ${r.forward} w${r.weight}`).join(', ') || 'no real server'}`
      : `${master?.name ?? 'no director'}: no service ${lab.vip}:${lab.virtual_server.port}${master?.ipvsError ? ` (${master.ipvsError})` : ''}`,
  })
  const unreadable = [...directors, ...realServers].filter((n) => n.running).flatMap((n) => n.unreadable.map((u) => `${n.name}: ${u}`))
  checks.push({
    name: "every node's facts could be read",
    ok: unreadable.length === 0,
    detail: unreadable.length === 0 ? `${directors.length + realServers.length} nodes read` : `could not read: ${unreadable.join('; ')}`,
  })
  return checks
}

/**
 * `verify`: HTTP against the VIP (a new connection per request, from this machine or the lab's client
 * container) and the nodes' own facts, judged by checksFrom.
 * @throws StepError when the lab is not running
 */
export async function verifyLab(
  rt: Runtime,
  lab: Lab,
  opts: {from?: ProbeFrom; requests?: number; expectedHolder?: string; mode?: Mode} = {},
): Promise<VerifyResult> {
  const facts = await labFacts(rt, lab)
  if (![...facts.directors, ...facts.realServers].some((n) => n.running))
    throw new StepError('verify', `lab ${lab.name} is not running`, '`lvslab up`')
  const healthy = healthyServers(lab, facts.realServers)
  const prober = await makeProber(rt, lab, opts.from ?? 'auto', opts.mode ?? 'least-privilege')
  const count = opts.requests ?? Math.max(20, 4 * Math.max(1, healthy.length))
  const answers = await prober.many(count)
  const inOrder =
    lab.virtual_server.scheduler !== 'rr' ||
    isRoundRobin(
      answers.map((a) => a.server ?? ''),
      healthy.length,
    )
  const second = inOrder && answers.every((a) => a.ok) ? undefined : await prober.many(count)
  await prober.close()
  const checks = checksFrom(lab, answers, facts.directors, facts.realServers, opts.expectedHolder ?? masterOf(lab).name, second)
  const perServer: Record<string, number> = {}
  for (const a of answers) if (a.ok && a.server) perServer[a.server] = (perServer[a.server] ?? 0) + 1
  return {
    ok: checks.every((c) => c.ok),
    lab: lab.name,
    via: prober.via,
    checks,
    requests: {
      sent: answers.length,
      failed: answers.filter((a) => !a.ok).length,
      perServer,
      sequence: answers.map((a) => a.server ?? 'error'),
    },
    healthy,
    vipHolders: facts.directors.filter((d) => d.holdsVip).map((d) => d.name),
  }
}
