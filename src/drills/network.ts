// The drills that disturb the network rather than keepalived (pure): a real server made slow or lossy
// (netem), the MASTER's link made slow or cut (netem on a director), the MASTER's link going down and
// up again and again (flap). Bounds from the lab's timers.
import {InputError} from '../errors.js'
import type {Director, Lab, RealServer} from '../lab/model.js'
import {type Bounds, skew} from '../plan/plan.js'
import {bothMaster} from '../state/holders.js'
import {bringEth0Up, type Drill, flapEth0, impair, reads, slowLink, uncutLink, unimpair, unslowLink} from './drill.js'
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

/** What of the prober's timeout a request needs besides the delay (ms): its own round trips and curl's start. */
const REQUEST_MS = 200

/**
 * The largest delay (ms) a slow link on the director holding the VIP may add so that nothing but
 * latency changes, and why a larger one would not do, the least of:
 * - `other`'s silence limit: an advert delayed by D reaches it advert_int + D after the last one, and
 *   its Master_Down_Interval (3 x advert_int + its skew, RFC 3768 and RFC 5798 section 6.1) passes when
 *   D > 2 x advert_int + skew; half an advert_int is kept for the timers' jitter;
 * - half of connect_timeout: each step of the director's own HTTP_GET check (connect, then the
 *   request) waits the delay, and a step longer than connect_timeout fails it (keepalived.conf(5));
 * - the prober's timeout: a request crosses the director twice (its SYN, then its GET; LVS-DR answers
 *   straight from the real server), so it waits 2 x the delay, and REQUEST_MS are left for the rest.
 */
export function slowLinkLimit(lab: Lab, other: Director): {ms: number; why: string} {
  const a = lab.vrrp.advert_int
  const timeout = lab.virtual_server.health_check.connect_timeout
  const limits = [
    {
      ms: Math.floor((1.5 * a + skew(lab, other)) * 1000),
      why: `${other.name} could hear no advert for its Master_Down_Interval and take the VIP over`,
    },
    {
      ms: Math.floor((timeout * 1000) / 2),
      why: `the director's own health checks (connect_timeout ${timeout} s) could evict every real server`,
    },
    {
      ms: Math.floor((PROBE_TIMEOUT_MS - REQUEST_MS) / 2),
      why: `a request, which crosses the director twice, could outwait the prober's ${PROBE_TIMEOUT_MS} ms`,
    },
  ]
  return limits.reduce((x, l) => (l.ms < x.ms ? l : x))
}

/**
 * netem on a director, the VIP's holder (`master`): either its link cut outwards (--loss 100: its
 * adverts and traffic lost while it still hears, so the other takes over beside it, split brain as a
 * one-way partition, healed as one), or a slow link (--loss 0, a delay up to slowLinkLimit, default
 * half of it and at most 500 ms): the VIP stays, every request waits twice the delay, and the fault
 * lasts the BACKUP's Master_Down_Interval plus the delay, counting the adverts `master` hears (none
 * unless another director took over: src/drills/drill.ts slowLink). Lost adverts between 0 and 100 %
 * make a failover chance (three in a row), so they are refused, as is a slow link the drill would not survive.
 * @throws InputError for a director that does not hold the VIP, a loss between 0 and 100, a delay of
 *   0 or above slowLinkLimit, a --delay with --loss 100, a hold past FLAP_MAX_SECONDS, or a cut link
 *   whose holder has the lower priority (nopreempt: no split brain)
 */
export function directorNetemDrill(lab: Lab, master: Director, d: Director, b: Bounds, opts: DrillParams): Drill {
  if (d.name !== master.name)
    throw new InputError(
      `netem ${d.name}: a BACKUP, whose link clients do not use (fix: name ${master.name}, which holds the VIP, or a real server)`,
    )
  const other = otherDirector(lab, master.name)
  const loss = opts.lossPercent ?? 0
  if (loss === 100) {
    if (opts.delayMs)
      throw new InputError(`--delay ${opts.delayMs} with --loss 100 on ${master.name}: a cut link delays nothing (fix: leave out --delay)`)
    return cutLink(lab, master, other, b)
  }
  if (loss > 0)
    throw new InputError(
      `--loss ${loss} on a director: whether three adverts in a row are lost, and so whether ${other.name} takes over, is chance (fix: --loss 100 to cut ${master.name}'s link, or --loss 0 with a --delay)`,
    )
  const limit = slowLinkLimit(lab, other)
  const delayMs = opts.delayMs ?? Math.min(500, Math.floor(limit.ms / 2))
  if (delayMs === 0 || delayMs > limit.ms)
    throw new InputError(
      `--delay ${delayMs} on ${master.name}: ${delayMs === 0 ? 'no impairment at all' : `above ${limit.ms} ms ${limit.why}`} (fix: a --delay from 1 to ${limit.ms}, or --loss 100 to cut the link)`,
    )
  const hold = b.failover + delayMs / 1000
  if (hold > FLAP_MAX_SECONDS)
    throw new InputError(
      `netem ${master.name}: the slow link would be held ${hold.toFixed(1)} s (the failover bound plus the delay) in one command, more than ${FLAP_MAX_SECONDS} s (fix: a lab with a shorter advert_int)`,
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
    faultWindow: {
      measure: 'longest gap',
      boundSeconds: (2 * delayMs) / 1000,
      bound: 'twice the delay: each request crosses the director twice',
    },
    // removing the qdisc drops what it still holds: a lost SYN is sent again after 1 s (RFC 6298 section 2)
    restoreWindow: {
      measure: 'longest gap',
      boundSeconds: (2 * delayMs) / 1000 + 1,
      bound: "twice the delay + TCP's first SYN retransmission (1 s)",
    },
    inject: slowLink(lab, master, delayMs, hold),
    expectFault: [
      {
        name: `${master.name} keeps the VIP, having heard no advert through ${other.name}'s Master_Down_Interval: a slow link is no failover`,
        event: `VIP stays on ${master.name}`,
        boundSeconds: lab.vrrp.advert_int,
        ...holds(lab, master),
      },
    ],
    restore: unslowLink(lab, master),
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

/**
 * netem --loss 100 on the holder: its link cut outwards (its gratuitous ARPs lost too); the other
 * takes over beside it; healed in two steps (uncutLink: its adverts last, so that its answer to the
 * other's advert brings the clients back), the higher priority keeps the VIP. During the cut its own
 * health checks fail, so its table may empty: the restore's bound includes the re-adding.
 */
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
    restore: uncutLink(lab, master, 1.5 * lab.vrrp.advert_int),
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
