// The classic lab's three failure drills, as data (pure): what to inject, what to expect, how to
// restore, what to expect then. The use case (src/ops/drill/run.ts) runs and times them, probing the VIP.
import {InputError} from '../errors.js'
import {type Lab, masterOf, type RealServer} from '../lab/model.js'
import {type Bounds, bounds} from '../plan/plan.js'
import {eth0Down, keepalivedGone, servesPage} from '../state/predicates.js'
import {holds, otherDirector, realServerOut, restoredVrrp, vrrpFailover} from './parts.js'
import {type DrillParams, hardKillDrill, partitionDrill, pauseDrill} from './more.js'
import {directorNetemDrill, flapDrill, netemDrill} from './network.js'

export type {DrillParams} from './more.js'
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

/**
 * The real server a drill takes out: `target`, default the first; there must be another to serve.
 * @throws InputError when there is no such real server, or it is the only one
 */
function realServer(lab: Lab, target?: string): RealServer {
  const rs = lab.real_servers.find((r) => r.name === (target ?? lab.real_servers[0]?.name))
  if (!rs)
    throw new InputError(
      `RS: no real server ${target} in lab ${lab.name} (fix: name one of ${lab.real_servers.map((r) => r.name).join(', ')})`,
    )
  if (lab.real_servers.length < 2)
    throw new InputError(
      `real_servers: lab ${lab.name} has one real server, so taking it out leaves nothing to serve (fix: add a real server to the lab file)`,
    )
  return rs
}

/**
 * A drill of the lab, as data. Its bounds come from the lab's timers (src/plan/plan.ts bounds):
 * failover 3 x advert_int + skew (Master_Down_Interval, RFC 3768 section 6.1), eviction and re-adding
 * from the HTTP check's delay_loop, connect_timeout, retry and delay_before_retry (keepalived.conf(5)).
 * @param target the real server (rs-down, default the first) or director (director-down, default the MASTER)
 * @param b the lab's timer bounds (seconds)
 * @param holder the director holding the VIP now (default the lab's MASTER): with nopreempt it may be
 *   another (src/state/holders.ts expectedHolder), and the drills fail over from it
 * @param opts partition: `oneWay` drops only the MASTER's own adverts (default both ways)
 * @throws InputError when the target is not in the lab, or the lab has nothing to fail over to
 */
export function makeDrill(
  lab: Lab,
  name: DrillName,
  target?: string,
  b: Bounds = bounds(lab),
  holder?: string,
  opts: DrillParams = {},
): Drill {
  const master = lab.directors.find((d) => d.name === holder) ?? masterOf(lab)
  switch (name) {
    case 'rs-down': {
      const rs = realServer(lab, target)
      const {readded, ...out} = realServerOut(lab, master, rs, b)
      return {
        name,
        target: rs.name,
        description: `stop httpd on ${rs.name} (as systemctl stop httpd)`,
        ...out,
        inject: stopHttpd(lab, rs),
        restore: startHttpd(lab, rs),
        expectRestored: [
          {
            name: `${rs.name}'s httpd answers again`,
            event: `${rs.name} httpd up`,
            boundSeconds: 5,
            reads: reads([], [rs.name]),
            check: (snap) => servesPage(snap, lab, rs.name),
          },
          readded,
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
        ...vrrpFailover(lab, other, master, b),
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
        // under nopreempt a BACKUP taken down comes back as BACKUP beside the holder
        expectRestored: restoredVrrp(
          lab,
          lab.vrrp.nopreempt && d.name !== master.name ? d : master,
          lab.vrrp.nopreempt && d.name !== master.name ? master : other,
          b,
          b.readd + b.eviction,
          5,
          `${master.name} takes the VIP back and ${other.name} releases it`,
        ),
      }
    }
    case 'kill-master': {
      const other = otherDirector(lab, master.name)
      return {
        name,
        target: master.name,
        description: `kill -9 the keepalived main process of ${master.name}`,
        ...vrrpFailover(lab, other, master, b),
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
        expectRestored: restoredVrrp(lab, master, other, b, b.readd, 5, `${master.name} is MASTER again with the VIP`),
      }
    }
    case 'hard-kill':
      return hardKillDrill(lab, master, b)
    case 'pause':
      return pauseDrill(lab, master, b)
    case 'partition':
      return partitionDrill(lab, master, b, opts)
    case 'netem': {
      const d = lab.directors.find((x) => x.name === target)
      if (target !== undefined && !d && !lab.real_servers.some((r) => r.name === target))
        throw new InputError(
          `NODE: no real server or director ${target} in lab ${lab.name} (fix: name one of ${[...lab.real_servers, ...lab.directors].map((x) => x.name).join(', ')})`,
        )
      return d ? directorNetemDrill(lab, master, d, b, opts) : netemDrill(lab, master, realServer(lab, target), b, opts)
    }
    case 'flap':
      return flapDrill(lab, master, b, opts)
  }
}
