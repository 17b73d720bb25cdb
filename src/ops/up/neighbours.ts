// The neighbour check of `up`: what would make it harm what is not its own (names and subnet).
import ipaddr from 'ipaddr.js'
import type {Lab} from '../../lab/model.js'
import {CLIENT_NODE, type LabPlan, planClient} from '../../plan/plan.js'
import {LABELS, namesFilter} from '../../runtime/labels.js'
import type {Runtime} from '../../runtime/types.js'

/** Whether two IPv4 CIDRs share addresses (one holds the other's network); false when either does not parse. */
export function overlaps(a: string, b: string): boolean {
  try {
    const [na, pa] = ipaddr.IPv4.parseCIDR(a)
    const [nb, pb] = ipaddr.IPv4.parseCIDR(b)
    return na.match(nb, Math.min(pa, pb)) || nb.match(na, Math.min(pa, pb))
  } catch {
    return false
  }
}

/**
 * Everything that would make `up` harm what is not its own; nothing is created when this finds
 * anything: a network or container holding one of the lab's names without the lab's labels (or
 * made from a different lab file or mode, by the spec hash label), and any other network whose
 * subnet overlaps the lab's. Two engine calls, at once: the networks, and the containers of the lab's
 * names (one list by name, namesFilter: not an inspect per name, which on a remote engine opens a
 * connection each; through the test VM's forwarded port, five at once made one of them wait 1 s in
 * about one process start of six).
 * @returns one line per problem, each with its fix; empty when `up` may go on
 * @param signal aborts its engine calls
 * @throws StepError when the engine fails to list the networks or the containers ("interrupted" when the signal aborts)
 */
export async function neighbourProblems(rt: Runtime, lab: Lab, plan: LabPlan, signal?: AbortSignal): Promise<string[]> {
  const problems: string[] = []
  const ours = (labels: Record<string, string>) => labels[LABELS.LAB] === lab.name
  const planned = [
    ...plan.directors,
    ...plan.realServers,
    planClient(lab, plan.directors[0]?.spec.privileged ? 'privileged' : 'least-privilege'),
  ]
  const [networks, containers] = await Promise.all([
    rt.listNetworks(undefined, {signal}),
    rt.listContainers(namesFilter(planned.map((p) => p.spec.name)), {signal}),
  ])
  for (const n of networks) {
    if (n.name === plan.network.name) {
      if (!ours(n.labels))
        problems.push(
          `network ${n.name} exists and is not lab ${lab.name}'s (fix: remove or rename it, or give this lab another name with "name:" in the lab file)`,
        )
      else if (n.labels[LABELS.SPEC] !== plan.network.labels[LABELS.SPEC])
        problems.push(`network ${n.name} of lab ${lab.name} was made from a different subnet (fix: run \`lvslab down\` first)`)
      continue
    }
    const clash = n.subnets.find((s) => overlaps(s, lab.network.subnet))
    if (clash)
      problems.push(
        `network ${n.name} (${clash}) overlaps the lab's subnet ${lab.network.subnet} (fix: change network.subnet in the lab file, or remove that network)`,
      )
  }
  for (const p of planned) {
    const c = containers.find((x) => x.name === p.spec.name)
    if (!c) continue
    if (p.node === CLIENT_NODE) {
      if (!ours(c.labels))
        problems.push(`container ${c.name} exists and is not lab ${lab.name}'s probe container (fix: remove or rename it)`)
      continue
    }
    if (!ours(c.labels) || c.labels[LABELS.NODE] !== p.node)
      problems.push(
        `container ${c.name} exists and is not node ${p.node} of lab ${lab.name} (fix: remove or rename it, or give this lab another name with "name:" in the lab file)`,
      )
    else if (c.labels[LABELS.SPEC] !== p.spec.labels[LABELS.SPEC])
      problems.push(`container ${c.name} was made from a different lab file or mode (fix: run \`lvslab down\` first, then \`lvslab up\`)`)
  }
  return problems
}
