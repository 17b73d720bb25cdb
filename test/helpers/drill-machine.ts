// Synthetic drills for the tests of the drill state machine (src/ops/drill/machine.ts): every time is a
// number of ms on a made-up prober clock.
import type {DrillName} from '../../src/drills/drill.js'
import {makeDrill} from '../../src/drills/drills.js'
import {parseLab} from '../../src/lab/load.js'
import {type DrillConfig, type DrillEvent, type DrillState, step} from '../../src/ops/drill/machine.js'
import type {TimedAnswer} from '../../src/probe/continuous.js'

/** The classic lab. */
export const lab = parseLab('')
/** The classic real servers' addresses. */
export const RS1 = '172.20.1.10'
export const RS2 = '172.20.1.11'

/** A drill's config on the classic lab: restored, a 20 Hz host prober (1000 ms timeout), time scale 1; `over` changes any. */
export function config(name: DrillName, over: Partial<DrillConfig> = {}): DrillConfig {
  return {
    lab,
    drill: makeDrill(lab, name),
    restore: true,
    prober: {via: 'host', rateHz: 20, timeoutMs: 1000, stampSlackMs: 0},
    scale: 1,
    ...over,
  }
}

/** An event without a payload, at `at` ms; a sample's or the stop's answers. */
export const ev = (type: 'baseline' | 'ran' | 'met' | 'interrupt', at: number): DrillEvent => ({type, at})
export const sampled = (at: number, answers: TimedAnswer[]): DrillEvent => ({type: 'sampled', at, answers})
export const stopped = (at: number, answers: TimedAnswer[]): DrillEvent => ({type: 'stopped', at, answers})

/** The state after each event in turn. */
export const run = (s: DrillState, events: DrillEvent[]) => events.reduce(step, s)

/** A request every 50 ms sent in [from, to), answered 5 ms later; `how` says whether it fails, else which server answers. */
export function answers(from: number, to: number, how: (t: number) => string | 'fail' = (t) => (t % 100 === 0 ? RS1 : RS2)): TimedAnswer[] {
  const out: TimedAnswer[] = []
  for (let t = from; t < to; t += 50) {
    const who = how(t)
    out.push(
      who === 'fail'
        ? {at: t, sentAt: t, doneAt: t + 1000, ok: false, status: 0, ms: 1000, error: 'no answer'}
        : {at: t, sentAt: t, doneAt: t + 5, ok: true, status: 200, ms: 5, server: who},
    )
  }
  return out
}

/** The kind of each state the events lead to, in turn. */
export const kinds = (s: DrillState, events: DrillEvent[]) => events.map((e) => (s = step(s, e)).kind)

// kill-master at t0 = 10000: the VIP moves at +1500, the container is seen at +1700, the sample from then
// is clean; the restore at +3000: the VIP back at +4500, the table at +4800, the sample clean.
export const T0 = 10_000
/** Every answer of the kill-master run below: none from T0 + 1000 to T0 + 1500 (ms). */
export const all = [...answers(0, T0 + 1000), ...answers(T0 + 1500, T0 + 9000)]
/** The events of that kill-master run, in order. */
export const KILL_MASTER: DrillEvent[] = [
  ev('baseline', T0),
  ev('ran', T0 + 20),
  ev('met', T0 + 1500),
  ev('met', T0 + 1700),
  sampled(T0 + 3000, all),
  ev('ran', T0 + 3050),
  ev('met', T0 + 4500),
  ev('met', T0 + 4800),
  sampled(T0 + 6000, all),
  stopped(T0 + 9000, all),
]
