// The drills that disturb the network rather than keepalived (pure): a real server made slow or lossy
// (netem), the MASTER's link going down and up again and again (flap). Bounds from the lab's timers.
import {InputError} from '../errors.js'
import type {Director, Lab, RealServer} from '../lab/model.js'
import type {Bounds} from '../plan/plan.js'
import {bringEth0Up, type Drill, flapEth0, impair, unimpair} from './drill.js'
import type {DrillParams} from './more.js'
import {otherDirector, realServerOut, restoredVrrp, vrrpFailover} from './parts.js'

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
