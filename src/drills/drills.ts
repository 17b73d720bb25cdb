// The classic lab's three failure drills, as data (pure): what to inject, what to expect, how to
// restore, what to expect then. The use case (src/ops/drill/run.ts) runs and times them, probing the VIP.
import {InputError} from '../errors.js'
import {type Director, type Lab, masterOf} from '../lab/model.js'
import {type Bounds, bounds} from '../plan/plan.js'
import {eth0Down, holdsVip, keepalivedGone, servesPage, tableIs} from '../state/predicates.js'
import {
  type Drill,
  type DrillName,
  bringEth0Up,
  type Expectation,
  killKeepalived,
  reads,
  startHttpd,
  startKeepalived,
  stopHttpd,
  takeEth0Down,
} from './drill.js'

/** The BACKUP that takes over from this director: the other director of highest priority. */
function otherDirector(lab: Lab, name: string): Director {
  const others = lab.directors.filter((d) => d.name !== name).sort((a, b) => b.priority - a.priority)
  const other = others[0]
  if (!other)
    throw new InputError(
      `directors: lab ${lab.name} has one director, so there is nothing to fail over to (fix: add a BACKUP director to the lab file)`,
    )
  return other
}

/** `who` holds the VIP as eth0:1 and reports MASTER, alone: every director is read. */
function holds(lab: Lab, who: Director): Pick<Expectation, 'reads' | 'check'> {
  return {reads: reads(lab.directors.map((d) => d.name)), check: (snap) => holdsVip(snap, who.name)}
}

/** `who`'s IPVS table lists exactly these real servers (IPs): only that director is read. */
function table(lab: Lab, who: Director, servers: string[]): Pick<Expectation, 'reads' | 'check'> {
  return {reads: reads([who.name]), check: (snap) => tableIs(snap, lab, who.name, servers)}
}

const TAKEBACK_BOUND = "MASTER's takeback (3 x advert_int + its skew) + the health check's re-adding (delay_loop + connect_timeout)"
const FAILOVER_BOUND = '3 x advert_int + skew of the BACKUP'

/**
 * What the two VRRP drills (director-down, kill-master) share: every real server answers throughout;
 * `other` holds the VIP while the fault is in place and the MASTER after the restore; the fault's
 * longest gap is bounded by the failover, the restore's by the MASTER's takeback plus the re-adding (s).
 */
function vrrpFailover(
  all: string[],
  other: Director,
  master: Director,
  b: Bounds,
): Pick<Drill, 'faultServers' | 'restoredServers' | 'faultHolder' | 'restoredHolder' | 'faultWindow' | 'restoreWindow'> {
  return {
    faultServers: all,
    restoredServers: all,
    faultHolder: other.name,
    restoredHolder: master.name,
    faultWindow: {measure: 'longest gap', boundSeconds: b.failover, bound: FAILOVER_BOUND},
    restoreWindow: {measure: 'longest gap', boundSeconds: b.takeback + b.readd, bound: TAKEBACK_BOUND},
  }
}

/**
 * A drill of the lab, as data. Its bounds come from the lab's timers (src/plan/plan.ts bounds):
 * failover 3 x advert_int + skew (Master_Down_Interval, RFC 3768 section 6.1), eviction and re-adding
 * from the HTTP check's delay_loop, connect_timeout, retry and delay_before_retry (keepalived.conf(5)).
 * @param target the real server (rs-down, default the first) or director (director-down, default the MASTER)
 * @param b the lab's timer bounds (seconds)
 * @throws InputError when the target is not in the lab, or the lab has nothing to fail over to
 */
export function makeDrill(lab: Lab, name: DrillName, target?: string, b: Bounds = bounds(lab)): Drill {
  const master = masterOf(lab)
  const all = lab.real_servers.map((r) => r.ip)
  switch (name) {
    case 'rs-down': {
      const rs = lab.real_servers.find((r) => r.name === (target ?? lab.real_servers[0]?.name))
      if (!rs)
        throw new InputError(
          `RS: no real server ${target} in lab ${lab.name} (fix: name one of ${lab.real_servers.map((r) => r.name).join(', ')})`,
        )
      if (lab.real_servers.length < 2)
        throw new InputError(
          `real_servers: lab ${lab.name} has one real server, so stopping it leaves nothing to serve (fix: add a real server to the lab file)`,
        )
      const rest = all.filter((ip) => ip !== rs.ip)
      return {
        name,
        target: rs.name,
        description: `stop httpd on ${rs.name} (as systemctl stop httpd)`,
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
        inject: stopHttpd(lab, rs),
        expectFault: [
          {
            name: `${master.name}'s health check removes ${rs.name} from the IPVS table`,
            event: `${rs.name} evicted`,
            boundSeconds: b.eviction,
            ...table(lab, master, rest),
          },
        ],
        restore: startHttpd(lab, rs),
        expectRestored: [
          {
            name: `${rs.name}'s httpd answers again`,
            event: `${rs.name} httpd up`,
            boundSeconds: 5,
            reads: reads([], [rs.name]),
            check: (snap) => servesPage(snap, lab, rs.name),
          },
          {
            name: `${master.name}'s health check adds ${rs.name} back`,
            event: `${rs.name} re-added`,
            boundSeconds: b.readd,
            ...table(lab, master, all),
          },
        ],
      }
    }
    case 'director-down': {
      const d = lab.directors.find((x) => x.name === (target ?? master.name))
      if (!d)
        throw new InputError(
          `DIRECTOR: no director ${target} in lab ${lab.name} (fix: name one of ${lab.directors.map((x) => x.name).join(', ')})`,
        )
      const other = d.name === master.name ? otherDirector(lab, d.name) : master
      return {
        name,
        target: d.name,
        description: `take eth0 of ${d.name} down (as ifconfig eth0 down)`,
        ...vrrpFailover(all, other, master, b),
        inject: takeEth0Down(lab, d),
        expectFault: [
          ...(d.name === master.name
            ? []
            : [
                {
                  name: `${d.name}'s eth0 is down`,
                  event: `${d.name} eth0 down`,
                  boundSeconds: 5,
                  reads: reads([d.name]),
                  check: (snap) => eth0Down(snap, d.name),
                } satisfies Expectation,
              ]),
          {
            name: `${other.name} holds the VIP as eth0:1 as MASTER`,
            event: d.name === master.name ? `VIP moved to ${other.name}` : `VIP stays on ${other.name}`,
            boundSeconds: b.failover,
            ...holds(lab, other),
          },
        ],
        restore: bringEth0Up(lab, d),
        expectRestored: [
          {
            name: `${master.name} takes the VIP back and ${other.name} releases it`,
            event: `VIP back on ${master.name}`,
            boundSeconds: b.takeback,
            ...holds(lab, master),
          },
          {
            name: `${master.name}'s IPVS table lists every real server`,
            event: 'IPVS table complete',
            boundSeconds: b.readd + b.eviction,
            ...table(lab, master, all),
          },
        ],
      }
    }
    case 'kill-master': {
      const other = otherDirector(lab, master.name)
      return {
        name,
        target: master.name,
        description: `kill -9 the keepalived main process of ${master.name}`,
        ...vrrpFailover(all, other, master, b),
        inject: killKeepalived(lab, master),
        expectFault: [
          {
            name: `${other.name} takes the VIP as eth0:1 and becomes MASTER`,
            event: `VIP moved to ${other.name}`,
            boundSeconds: b.failover,
            ...holds(lab, other),
          },
          {
            name: `${master.name}'s container keeps running without keepalived`,
            event: `${master.name} up, keepalived gone`,
            boundSeconds: 5,
            reads: reads([master.name]),
            check: (snap) => keepalivedGone(snap, master.name),
          },
        ],
        restore: startKeepalived(lab, master),
        expectRestored: [
          {
            name: `${master.name} is MASTER again with the VIP`,
            event: `VIP back on ${master.name}`,
            boundSeconds: b.takeback,
            ...holds(lab, master),
          },
          {
            name: `${master.name}'s IPVS table lists every real server`,
            event: 'IPVS table complete',
            boundSeconds: b.readd,
            ...table(lab, master, all),
          },
        ],
      }
    }
  }
}
