// The drills that disturb the network rather than keepalived (pure): a real server made slow or lossy
// (netem), the MASTER's link made slow or cut (netem on a director), the MASTER's link going down and
// up again and again (flap). Bounds from the lab's timers.
import {InputError} from '../errors.js'
import type {Director, Lab, RealServer} from '../lab/model.js'
import {type Bounds, skew} from '../plan/plan.js'
import {bothMaster} from '../state/holders.js'
import {bringEth0Up, type Drill, flapEth0, impair, reads, unimpair} from './drill.js'
import type {DrillParams} from './more.js'
import {higher, holds, keeperRestored, otherDirector, realServerOut, restoredVrrp, table, TAKEBACK_BOUND, vrrpFailover} from './parts.js'

/**
 * netem: a real server made slow or lossy with tc netem, enough that the MASTER's HTTP_GET check must
 * evict it: a delay of at least connect_timeout, or 100 % loss (keepalived.conf(5): a check that gets no
 * answer within connect_timeout fails). The fault is judged as rs-down's (the others serve; the degraded
 * window within the eviction bound), the restore by the re-adding.
 * @throws InputError for an impairment the check would not act on
 */
export function netemDrill(lab: Lab, master: Director, rs: RealServer, b: Bounds, opts: DrillParams): Drill {
  const delayMs = opts.delayMs ?? 4000
  const lossPercent = opts.lossPercent ?? 0
  const timeout = lab.virtual_server.health_check.connect_timeout
  if (delayMs < timeout * 1000 && lossPercent < 100)
    throw new InputError(
      `--delay ${delayMs}: below connect_timeout ${timeout} s, and --loss ${lossPercent} below 100, so keepalived's check would keep ${rs.name} (fix: give --delay ${timeout * 1000} or more, or --loss 100)`,
    )
  const {readded, ...out} = realServerOut(lab, master, rs, b, `the slow ${rs.name}`)
  return {
    name: 'netem',
    target: rs.name,
    description: `netem on ${rs.name}'s eth0: delay ${delayMs} ms, loss ${lossPercent} %`,
    ...out,
    inject: impair(lab, rs, delayMs, lossPercent),
    restore: unimpair(lab, rs),
    expectRestored: [readded],
  }
}

/** How long (ms) the drills' prober waits for an answer (src/probe/choose.ts continuousProber). */
export const PROBE_TIMEOUT_MS = 1000

/**
 * The largest delay (ms) on a director's link that changes nothing but latency, and why: below the
 * BACKUP's silence limit (an advert delayed by D arrives advert_int + D after the last one, so the
 * BACKUP's Master_Down_Interval, 3 x advert_int + its skew, passes when D > 2 x advert_int + skew;
 * RFC 3768 and RFC 5798 section 6.4.2), below connect_timeout (the director's own HTTP_GET checks
 * would time out and evict every real server, keepalived.conf(5)) and below the prober's timeout.
 */
export function slowLinkLimit(lab: Lab, other: Director): {ms: number; why: string} {
  const limits = [
    {
      ms: Math.round((2 * lab.vrrp.advert_int + skew(lab, other)) * 1000),
      why: `${other.name} would hear no advert for longer than its Master_Down_Interval and take the VIP, then give it back when the late adverts come, leaving clients at a BACKUP`,
    },
    {
      ms: lab.virtual_server.health_check.connect_timeout * 1000,
      why: `the director's own health checks (connect_timeout ${lab.virtual_server.health_check.connect_timeout} s) would evict every real server`,
    },
    {ms: PROBE_TIMEOUT_MS, why: `every request through the VIP would outwait the prober's ${PROBE_TIMEOUT_MS} ms`},
  ]
  return limits.reduce((a, l) => (l.ms < a.ms ? l : a))
}

/**
 * netem on a director, the VIP's holder (`master`): either its link cut outwards (--loss 100: its
 * adverts and traffic lost while it still hears, so the other takes over beside it, split brain as a
 * one-way partition, healed as one), or a slow link (--loss 0, a delay below slowLinkLimit, default
 * half of it and at most 500 ms): the VIP stays and every request waits the delay once, which the
 * fault phase outlasts by the BACKUP's Master_Down_Interval. Lost adverts between 0 and 100 % make a
 * failover chance (three in a row), so they are refused, as is a slow link the drill would not survive.
 * @throws InputError for a director that does not hold the VIP, a loss between 0 and 100, a delay of
 *   0 or not below slowLinkLimit, or a cut link whose holder has the lower priority (nopreempt: no split brain)
 */
export function directorNetemDrill(lab: Lab, master: Director, d: Director, b: Bounds, opts: DrillParams): Drill {
  if (d.name !== master.name)
    throw new InputError(
      `netem ${d.name}: a BACKUP, whose link clients do not use (fix: name ${master.name}, which holds the VIP, or a real server)`,
    )
  const other = otherDirector(lab, master.name)
  const loss = opts.lossPercent ?? 0
  if (loss === 100) return cutLink(lab, master, other, b)
  if (loss > 0)
    throw new InputError(
      `--loss ${loss} on a director: whether three adverts in a row are lost, and so whether ${other.name} takes over, is chance (fix: --loss 100 to cut ${master.name}'s link, or --loss 0 with a --delay)`,
    )
  const limit = slowLinkLimit(lab, other)
  const delayMs = opts.delayMs ?? Math.min(500, Math.floor(limit.ms / 2))
  if (delayMs === 0 || delayMs >= limit.ms)
    throw new InputError(
      `--delay ${delayMs} on ${master.name}: ${delayMs === 0 ? 'no impairment at all' : `at ${limit.ms} ms or more ${limit.why}`} (fix: a --delay from 1 to ${limit.ms - 1}, or --loss 100 to cut the link)`,
    )
  const all = lab.real_servers.map((r) => r.ip)
  return {
    name: 'netem',
    target: master.name,
    description: `netem on ${master.name}'s eth0: delay ${delayMs} ms, loss 0 %: a slow MASTER, not a dead one`,
    faultServers: all,
    restoredServers: all,
    faultHolder: master.name,
    restoredHolder: master.name,
    faultWindow: {measure: 'longest gap', boundSeconds: delayMs / 1000, bound: 'the delay: each request waits it once'},
    // removing the qdisc drops what it still holds: a lost SYN is sent again after 1 s (RFC 6298 section 2)
    restoreWindow: {measure: 'longest gap', boundSeconds: delayMs / 1000 + 1, bound: "the delay + TCP's first SYN retransmission (1 s)"},
    inject: impair(lab, master, delayMs, 0, b.failover + delayMs / 1000),
    expectFault: [
      {
        name: `${master.name} keeps the VIP past ${other.name}'s Master_Down_Interval: a slow link is no failover`,
        event: `VIP stays on ${master.name}`,
        boundSeconds: lab.vrrp.advert_int,
        ...holds(lab, master),
      },
    ],
    restore: unimpair(lab, master),
    expectRestored: [
      {
        name: `${master.name} holds the VIP alone`,
        event: `netem removed, VIP on ${master.name}`,
        boundSeconds: lab.vrrp.advert_int,
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

/** netem --loss 100 on the holder: its link cut outwards; the other takes over beside it; healed, the higher priority keeps the VIP. */
function cutLink(lab: Lab, master: Director, other: Director, b: Bounds): Drill {
  const keeper = higher(master, other)
  if (keeper !== master)
    throw new InputError(
      `--loss 100 on ${master.name}: it holds the VIP now (nopreempt) with a lower priority than ${other.name}, which hears nothing, takes the VIP, and makes ${master.name} step down: no split brain (fix: cut the link of ${other.name} once it holds the VIP, or use chaos director-down)`,
    )
  return {
    name: 'netem',
    target: master.name,
    description: `netem on ${master.name}'s eth0: loss 100 %: its link cut outwards (its adverts and traffic lost; it still hears)`,
    ...vrrpFailover(lab, other, master, b),
    restoredHolder: keeper.name,
    restoreWindow: {measure: 'longest gap', boundSeconds: b.takeback + b.readd, bound: TAKEBACK_BOUND},
    inject: impair(lab, master, 0, 100),
    expectFault: [
      {
        name: `${other.name} hears no advert and becomes MASTER beside ${master.name}, which still believes it is`,
        event: `split brain: ${master.name} and ${other.name} both MASTER with the VIP`,
        boundSeconds: b.failover,
        reads: reads(lab.directors.map((x) => x.name)),
        check: (snap) => bothMaster(snap, master.name, other.name),
      },
    ],
    restore: unimpair(lab, master),
    expectRestored: keeperRestored(
      lab,
      keeper,
      b,
      `${master.name}'s adverts are heard again and ${other.name}, of lower priority, steps down`,
      `split brain healed: VIP on ${keeper.name} alone`,
    ),
  }
}

/** The longest flapping (s): one exec, whose output lvslab waits for 120 s (src/runtime/docker/calls.ts EXEC_TIMEOUT_MS). */
export const FLAP_MAX_SECONDS = 100

/**
 * flap: `master`'s eth0 down and up opts.count times (default 3), opts.periodSeconds s each way (default
 * the failover bound rounded up plus 1 s, so that each down is a failover). Its longest gap is bounded
 * by the failover; once it ends with eth0 up, the lab is expected back as a restore leaves it (master
 * MASTER again, or under nopreempt whoever holds the VIP alone, and that director's complete table).
 * The restore brings eth0 up again (a no-op unless the flapping was cut short).
 * @throws InputError for a period not longer than the failover, or flapping longer than FLAP_MAX_SECONDS
 */
export function flapDrill(lab: Lab, master: Director, b: Bounds, opts: DrillParams): Drill {
  const other = otherDirector(lab, master.name)
  const count = opts.count ?? 3
  const period = opts.periodSeconds ?? Math.ceil(b.failover) + 1
  if (period <= b.failover)
    throw new InputError(
      `--period ${period}: not longer than the failover (${b.failover.toFixed(2)} s), so a down would not fail over (fix: give --period ${Math.ceil(b.failover) + 1} or more)`,
    )
  // the flapping is one exec, whose output lvslab waits for EXEC_TIMEOUT_MS (120 s) at most
  if ((2 * count - 1) * period > FLAP_MAX_SECONDS)
    throw new InputError(
      `--count ${count} --period ${period}: ${(2 * count - 1) * period} s of flapping, more than ${FLAP_MAX_SECONDS} s (fix: fewer flaps, or a shorter period)`,
    )
  const settled = restoredVrrp(
    lab,
    master,
    other,
    b,
    b.readd + b.eviction,
    5,
    `${master.name} is MASTER again with the VIP after the flapping`,
  )
  return {
    name: 'flap',
    target: master.name,
    description: `eth0 of ${master.name} down and up ${count} times, ${period} s each way`,
    ...vrrpFailover(lab, other, master, b),
    faultHolder: lab.vrrp.nopreempt ? other.name : master.name,
    inject: flapEth0(lab, master, count, period),
    expectFault: settled,
    restore: bringEth0Up(lab, master),
    expectRestored: settled,
  }
}
