// The drills beyond the classic three (pure), each a failure people meet in practice: every keepalived
// process killed at once (hard-kill), a hung director (pause), directors that stop hearing each other
// (partition). Bounds from the lab's timers, as src/drills/drills.ts.
import {InputError} from '../errors.js'
import type {Director, Lab} from '../lab/model.js'
import type {Bounds} from '../plan/plan.js'
import {bothMaster, holdsBesidePaused, staleVipBeside} from '../state/holders.js'
import {cleanStartKeepalived, type Drill, dropVrrp, hardKillKeepalived, passVrrp, pauseDirector, reads, unpauseDirector} from './drill.js'
import {higher, keeperRestored, otherDirector, restoredVrrp, TAKEBACK_BOUND, vrrpFailover} from './parts.js'

/** What a drill may be told beyond its target: partition's direction, netem's impairment. */
export interface DrillParams {
  /** partition: drop only the MASTER's outgoing adverts (its peers stop hearing it; it still hears them). */
  oneWay?: boolean
  /** netem: the delay added to every packet the node sends (ms; a real server's default 4000, a director's src/drills/network.ts). */
  delayMs?: number
  /** netem: the share of its packets lost (%, default 0). */
  lossPercent?: number
  /** flap: how many times eth0 goes down (default 3). */
  count?: number
  /** flap: seconds down, and up between two downs (default the failover bound rounded up, plus 1). */
  periodSeconds?: number
}

/**
 * hard-kill: SIGKILL to every keepalived process of `master` at once, so nothing cleans up: the other
 * takes the VIP while a stale copy stays on master's eth0 (two holders, waited for within the
 * failover); the restore removes it, clears IPVS and starts keepalived.
 * @throws InputError for a lab with one director (otherDirector)
 */
export function hardKillDrill(lab: Lab, master: Director, b: Bounds): Drill {
  const other = otherDirector(lab, master.name)
  return {
    name: 'hard-kill',
    target: master.name,
    description: `kill -9 every keepalived process of ${master.name}, so none cleans up`,
    ...vrrpFailover(lab, other, master, b),
    inject: hardKillKeepalived(lab, master),
    expectFault: [
      {
        name: `${other.name} takes the VIP as MASTER while ${master.name} keeps a stale copy on eth0 (two holders)`,
        event: `VIP on ${other.name}, stale VIP left on ${master.name}: two holders`,
        boundSeconds: b.failover,
        reads: reads(lab.directors.map((d) => d.name)),
        check: (snap) => staleVipBeside(snap, master.name, other.name),
      },
    ],
    restore: cleanStartKeepalived(lab, master),
    expectRestored: restoredVrrp(lab, master, other, b, b.readd, 5, `${master.name} is MASTER again with the VIP, alone`),
  }
}

/**
 * pause: `docker pause` of `master` (a hung director, the VIP's holder): the other takes over within
 * the failover; unpaused, master is MASTER still, so of the two the higher priority keeps the VIP
 * (under nopreempt the holder may be the lower one) within one advert_int.
 * @throws InputError for a lab with one director (otherDirector)
 */
export function pauseDrill(lab: Lab, master: Director, b: Bounds): Drill {
  const other = otherDirector(lab, master.name)
  const keeper = higher(master, other)
  const loser = keeper === master ? other : master
  return {
    name: 'pause',
    target: master.name,
    description: `docker pause ${master.name}: a hung director, its keepalived frozen, its VIP kept`,
    ...vrrpFailover(lab, other, master, b),
    // a resumed MASTER is MASTER still: of the two MASTERs, the lower priority steps down
    restoredHolder: keeper.name,
    restoreWindow: {measure: 'longest gap', boundSeconds: b.takeback + b.readd, bound: TAKEBACK_BOUND},
    inject: pauseDirector(lab, master),
    expectFault: [
      {
        name: `${other.name} takes the VIP as MASTER while ${master.name} is paused`,
        event: `VIP moved to ${other.name}, ${master.name} paused`,
        boundSeconds: b.failover,
        reads: reads(lab.directors.map((d) => d.name)),
        check: (snap) => holdsBesidePaused(snap, master.name, other.name),
      },
    ],
    restore: unpauseDirector(lab, master),
    expectRestored: keeperRestored(
      lab,
      keeper,
      b,
      `${master.name} resumes as MASTER and ${loser.name}, of lower priority, steps down`,
      keeper === master ? `VIP back on ${master.name}` : `VIP stays on ${keeper.name}`,
    ),
  }
}

/**
 * partition: `master`'s VRRP adverts dropped (tc; both ways unless opts.oneWay), so the other hears
 * none and becomes MASTER too: split brain on purpose, waited for within the failover; let through
 * again, of the two the lower priority steps down within one advert_int.
 * @throws InputError for a lab with one director (otherDirector), or --one-way from a holder of lower
 *   priority than the other (under nopreempt): the other would take the VIP, no split brain
 */
export function partitionDrill(lab: Lab, master: Director, b: Bounds, opts: DrillParams): Drill {
  const other = otherDirector(lab, master.name)
  const keeper = higher(master, other)
  if (opts.oneWay && keeper !== master)
    throw new InputError(
      `--one-way: ${master.name}, which holds the VIP now (nopreempt), has a lower priority than ${other.name}, which would still hear nothing and take the VIP while ${master.name} steps down: no split brain (fix: leave out --one-way)`,
    )
  const way = opts.oneWay ? `${master.name}'s adverts dropped` : `adverts dropped both ways at ${master.name}`
  return {
    name: 'partition',
    target: master.name,
    description: `the directors stop hearing each other (${way}): split brain on purpose`,
    ...vrrpFailover(lab, other, master, b),
    // heard again, of the two MASTERs the lower priority steps down (RFC 3768 section 6.4.3)
    restoredHolder: keeper.name,
    restoreWindow: {measure: 'longest gap', boundSeconds: b.takeback + b.readd, bound: TAKEBACK_BOUND},
    inject: dropVrrp(lab, master, !opts.oneWay),
    expectFault: [
      {
        name: `${other.name} hears no advert and becomes MASTER beside ${master.name}: split brain`,
        event: `split brain: ${master.name} and ${other.name} both MASTER with the VIP`,
        boundSeconds: b.failover,
        reads: reads(lab.directors.map((d) => d.name)),
        check: (snap) => bothMaster(snap, master.name, other.name),
      },
    ],
    restore: passVrrp(lab, master),
    expectRestored: keeperRestored(
      lab,
      keeper,
      b,
      `the directors hear each other again and ${keeper === master ? other.name : master.name}, of lower priority, steps down`,
      `split brain healed: VIP on ${keeper.name} alone`,
    ),
  }
}
