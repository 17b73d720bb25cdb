// A virtual clock for the memory runtime's slow paths: vitest's fake timers (setTimeout, setInterval
// and Date only, so that promises and setImmediate stay real), moved forward in small steps until the
// work settles. A wait bounded at 30 s of the lab's timers then takes a fraction of a second, while
// every timer still fires in its order: polls, prober ticks, the lab's transitions.
import {vi} from 'vitest'

/** What the virtual clock fakes: timers and Date, never the microtask queue nor setImmediate. */
const FAKED = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] as const

/**
 * Runs `work` on a virtual clock: every timer it (and the memory runtime) sets is virtual, and the
 * clock moves `stepMs` at a time, each step letting promises settle, until `work` settles.
 * @param opts.stepMs virtual ms per step (default 10)
 * @param opts.limitMs virtual ms after which the run is given up (default 15 minutes)
 * @returns work's value; the virtual ms it took in `virtualMs`
 * @throws work's own error; an Error when it is still running at opts.limitMs
 */
export async function onVirtualClock<T>(work: () => Promise<T>, opts: {stepMs?: number; limitMs?: number} = {}): Promise<T> {
  const step = opts.stepMs ?? 10
  const limit = opts.limitMs ?? 15 * 60_000
  vi.useFakeTimers({toFake: [...FAKED]})
  try {
    let settled = false
    const p = work()
    p.then(
      () => (settled = true),
      () => (settled = true),
    )
    for (let t = 0; !settled; t += step) {
      if (t > limit) throw new Error(`virtual clock: the work still runs after ${limit} ms of virtual time`)
      await vi.advanceTimersByTimeAsync(step)
    }
    return await p
  } finally {
    vi.useRealTimers()
  }
}

/** Waits `ms` on whatever clock is in use (real, or the virtual one inside onVirtualClock). */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}
