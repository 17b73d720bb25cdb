// What the drills share (pure): the director that takes over, the expectations over the VIP's holder
// and a director's IPVS table, and the VRRP drills' windows and restored states.
import {InputError} from '../errors.js'
import type {Director, Lab, RealServer} from '../lab/model.js'
import type {Bounds} from '../plan/plan.js'
import {holdsVip, tableIs} from '../state/predicates.js'
import {backupBeside} from '../state/holders.js'
import {type Drill, type Expectation, reads} from './drill.js'

/** The BACKUP that takes over from this director: the other director of highest priority. */
export function otherDirector(lab: Lab, name: string): Director {
  const others = lab.directors.filter((d) => d.name !== name).sort((a, b) => b.priority - a.priority)
  const other = others[0]
  if (!other)
    throw new InputError(
      `directors: lab ${lab.name} has one director, so there is nothing to fail over to (fix: add a BACKUP director to the lab file)`,
    )
  return other
}

/**
 * Which of two MASTERs keeps the VIP once they hear each other again: the higher priority; the other
 * steps down (RFC 3768 section 6.4.3), nopreempt or not (it governs only a BACKUP).
 */
export function higher(a: Director, b: Director): Director {
  return a.priority > b.priority ? a : b
}

/** `who` holds the VIP as eth0:1 and reports MASTER, alone: every director is read. */
export function holds(lab: Lab, who: Director): Pick<Expectation, 'reads' | 'check'> {
  return {reads: reads(lab.directors.map((d) => d.name)), check: (snap) => holdsVip(snap, who.name)}
}

/** `who`'s IPVS table lists exactly these real servers (IPs): only that director is read. */
export function table(lab: Lab, who: Director, servers: string[]): Pick<Expectation, 'reads' | 'check'> {
  return {reads: reads([who.name]), check: (snap) => tableIs(snap, lab, who.name, servers)}
}

/** The restore window's bound of the VRRP drills where the MASTER takes the VIP back, as the report words it. */
export const TAKEBACK_BOUND =
  "MASTER's takeback (preempt_delay + 3 x advert_int + its skew) + the health check's re-adding (delay_loop + connect_timeout)"
const STAY_BOUND = 'advert_int: with nopreempt the VIP stays where it is, nothing moves'
/**
 * The return's bound without vrrp.track_table: the MASTER takes the VIP back on its own timers
 * (3 x advert_int + its skew, or at once on hearing a lower priority), which may be before its HTTP
 * checks re-add the real servers they evicted while it was away (measured in the kernel VM: lvs1 held
 * the VIP 4.5-7 s with an empty table after director-down); requests then fail until the first one is
 * re-added, within delay_loop + connect_timeout.
 */
const RETURN_BOUND = "the health check's re-adding (delay_loop + connect_timeout): the MASTER may take the VIP back before it"
/** The fault window's bound of the VRRP drills, as the report words it. */
export const FAILOVER_BOUND = '3 x advert_int + skew of the BACKUP'

/**
 * What the two VRRP drills (director-down, kill-master) share: every real server answers throughout;
 * `other` holds the VIP while the fault is in place; after the restore the MASTER holds it again, its
 * longest gap bounded by the re-adding (s, RETURN_BOUND; vrrp.track_table makes the takeback wait for
 * the table, but the kernel VM did not show the gap shrink, so the bound stays); with nopreempt `other`
 * keeps it and nothing moves: one advert_int.
 */
export function vrrpFailover(
  lab: Lab,
  other: Director,
  master: Director,
  b: Bounds,
): Pick<Drill, 'faultServers' | 'restoredServers' | 'faultHolder' | 'restoredHolder' | 'faultWindow' | 'restoreWindow'> {
  const all = lab.real_servers.map((r) => r.ip)
  const stays = lab.vrrp.nopreempt
  return {
    faultServers: all,
    restoredServers: all,
    faultHolder: other.name,
    restoredHolder: stays ? other.name : master.name,
    faultWindow: {measure: 'longest gap', boundSeconds: b.failover, bound: FAILOVER_BOUND},
    restoreWindow: stays
      ? {measure: 'longest gap', boundSeconds: lab.vrrp.advert_int, bound: STAY_BOUND}
      : {measure: 'longest gap', boundSeconds: b.readd, bound: RETURN_BOUND},
  }
}

/**
 * What is expected after a VRRP drill's restore: `master` MASTER again with the VIP (named
 * `takeback`, within the takeback) and a complete table (within `readd` s); with nopreempt, `master` back as BACKUP (within
 * `backSeconds`) while `other` keeps the VIP and its complete table.
 */
export function restoredVrrp(
  lab: Lab,
  master: Director,
  other: Director,
  b: Bounds,
  readd: number,
  backSeconds: number,
  takeback: string,
): Expectation[] {
  const all = lab.real_servers.map((r) => r.ip)
  if (lab.vrrp.nopreempt)
    return [
      {
        name: `${master.name} is back as BACKUP and ${other.name} keeps the VIP (nopreempt)`,
        event: `${master.name} BACKUP, VIP stays on ${other.name}`,
        boundSeconds: backSeconds,
        reads: reads(lab.directors.map((d) => d.name)),
        check: (snap) => backupBeside(snap, master.name, other.name),
      },
      {
        name: `${other.name}'s IPVS table lists every real server`,
        event: 'IPVS table complete',
        boundSeconds: readd,
        ...table(lab, other, all),
      },
    ]
  return [
    {
      name: takeback,
      event: `VIP back on ${master.name}`,
      // with track_table the takeback waits for the table's first real server
      boundSeconds: b.takeback + (lab.vrrp.track_table ? b.readd : 0),
      ...holds(lab, master),
    },
    {
      name: `${master.name}'s IPVS table lists every real server`,
      event: 'IPVS table complete',
      boundSeconds: readd,
      ...table(lab, master, all),
    },
  ]
}

/**
 * What the drills that take a real server out of service share (rs-down, netem): the others serve
 * while it is out and all of them after; `master` holds the VIP throughout; the fault's degraded window
 * is bounded by the health check's eviction, the restore's longest gap by its re-adding (s); the
 * eviction (`what` names the real server, e.g. "the slow rs1") is the fault's expectation, and
 * `readded` the restore's last.
 */
export function realServerOut(
  lab: Lab,
  master: Director,
  rs: RealServer,
  b: Bounds,
  what = rs.name,
): Pick<Drill, 'faultServers' | 'restoredServers' | 'faultHolder' | 'restoredHolder' | 'faultWindow' | 'restoreWindow' | 'expectFault'> & {
  readded: Expectation
} {
  const all = lab.real_servers.map((r) => r.ip)
  const rest = all.filter((ip) => ip !== rs.ip)
  return {
    faultServers: rest,
    restoredServers: all,
    faultHolder: master.name,
    restoredHolder: master.name,
    faultWindow: {
      measure: 'degraded',
      boundSeconds: b.eviction,
      bound: 'delay_loop + (retry + 1) x connect_timeout + retry x delay_before_retry',
    },
    restoreWindow: {measure: 'longest gap', boundSeconds: b.readd, bound: 'delay_loop + connect_timeout'},
    expectFault: [
      {
        name: `${master.name}'s health check removes ${what} from the IPVS table`,
        event: `${rs.name} evicted`,
        boundSeconds: b.eviction,
        ...table(lab, master, rest),
      },
    ],
    readded: {
      name: `${master.name}'s health check adds ${rs.name} back`,
      event: `${rs.name} re-added`,
      boundSeconds: b.readd,
      ...table(lab, master, all),
    },
  }
}

/**
 * After two MASTERs heard each other again (pause, partition): `keeper`, the higher priority, holds the
 * VIP alone within one advert_int (the expectation named `name`, its timeline event `event`), then its
 * table lists every real server within the re-adding (s).
 */
export function keeperRestored(lab: Lab, keeper: Director, b: Bounds, name: string, event: string): Expectation[] {
  return [
    {name, event, boundSeconds: lab.vrrp.advert_int, ...holds(lab, keeper)},
    {
      name: `${keeper.name}'s IPVS table lists every real server`,
      event: 'IPVS table complete',
      boundSeconds: b.readd,
      ...table(
        lab,
        keeper,
        lab.real_servers.map((r) => r.ip),
      ),
    },
  ]
}
