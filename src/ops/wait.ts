import {StepError} from '../errors.js'
import {timeScale} from '../time-scale.js'

/** One look at a condition: whether it holds, what was seen (for the timeout's message), and a value to return once it holds. */
export interface Poll<T> {
  done: boolean
  /** What was seen, for the message when time runs out. */
  seen: string
  value?: T
}

/**
 * How long (ms) a check whose signal aborted at the wait's cut may still take to end with its own error
 * before waitFor stops waiting for it (the Runtime's calls end at once on an abort; this bounds a check
 * that ignores its signal). Like ABORT_GRACE_MS of src/runtime/docker/calls.ts.
 */
export const CHECK_ABORT_GRACE_MS = 100

/**
 * How long (ms) a poll started before the bound may still run past the bound plus one interval before
 * it is cut: 2 s x LVSLAB_TIME_SCALE, one snapshot read on a slow engine (seconds in the emulated test
 * VM), so that a last poll started in time is judged as it was before the cut existed.
 */
export const CHECK_OVERRUN_MS = 2_000 * timeScale()

/**
 * Polls a condition until it holds or the deadline passes; never a fixed sleep. A check that throws
 * counts as not holding, its message as what was seen.
 *
 * Each check gets an AbortSignal (pass it to every Runtime call it makes) that aborts when the caller's
 * signal does, and at the wait's cut: the bound plus one poll interval (the latest time the poll
 * schedule starts a last poll) plus CHECK_OVERRUN_MS (time for that last poll to read). A failing wait
 * thus ends at most one interval plus CHECK_OVERRUN_MS (plus CHECK_ABORT_GRACE_MS for a check that
 * ignores its signal) after its bound, however long a check hangs; an interrupt ends it at once,
 * during a check or a pause.
 * @param timeoutMs the bound (ms), from the first poll's start
 * @param check one look at the condition; its signal aborts at the wait's cut or on the caller's interrupt
 * @param opts intervalMs: the pause between polls (ms, default 250); signal: the caller's interrupt
 * @returns the holding poll's value and how long it took (ms)
 * @throws StepError(what, "not reached within N s; last seen: ...") when the bound passes (a check cut
 *   at the wait's cut is seen as "<its step>: no answer by the deadline", after what the poll before it
 *   saw); StepError(what, "interrupted") when the signal aborted
 */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: (signal: AbortSignal) => Promise<Poll<T>>,
  opts: {intervalMs?: number; signal?: AbortSignal} = {},
): Promise<{value?: T; ms: number}> {
  const started = Date.now()
  const interval = opts.intervalMs ?? 250
  const caller = opts.signal
  const interrupted = () => new StepError(what, 'interrupted')
  if (caller?.aborted) throw interrupted()
  const cut = new AbortController()
  // setTimeout takes at most 2^31-1 ms; a bound past that (or none, Infinity) is never cut
  const cutMs = timeoutMs + interval + CHECK_OVERRUN_MS
  const cutTimer = cutMs < 2 ** 31 ? setTimeout(() => cut.abort(), cutMs) : undefined
  const signal = caller ? AbortSignal.any([caller, cut.signal]) : cut.signal
  let seen = 'nothing yet'
  try {
    for (;;) {
      if (caller?.aborted) throw interrupted()
      let poll: Poll<T>
      try {
        poll = await bounded(check(signal), signal, caller)
      } catch (error) {
        if (caller?.aborted) throw interrupted()
        poll = {done: false, seen: cut.signal.aborted ? unanswered(error, seen) : (error as Error).message}
      }
      if (poll.done) return {value: poll.value, ms: Date.now() - started}
      seen = poll.seen
      if (Date.now() - started >= timeoutMs) {
        throw new StepError(what, `not reached within ${(timeoutMs / 1000).toFixed(1)} s; last seen: ${seen}`)
      }
      await pause(interval, caller)
    }
  } finally {
    clearTimeout(cutTimer)
  }
}

/** What a check cut at the wait's cut saw: what the poll before it saw, then which call had no answer. */
function unanswered(error: unknown, before: string): string {
  const which = `${error instanceof StepError ? error.step : 'the check'}: no answer by the deadline`
  return before === 'nothing yet' ? which : `${before}; then ${which}`
}

/**
 * A check's promise, given up CHECK_ABORT_GRACE_MS after its signal aborts (at once when the caller's
 * signal did) if it has not ended by then with its own error.
 */
function bounded<T>(work: Promise<T>, signal: AbortSignal, caller?: AbortSignal): Promise<T> {
  work.catch(() => undefined)
  let grace: NodeJS.Timeout | undefined
  let onAbort = () => {}
  const stop = new Promise<never>((_, reject) => {
    const give = () => reject(new Error('no answer'))
    onAbort = () => {
      if (caller?.aborted) give()
      else grace = setTimeout(give, CHECK_ABORT_GRACE_MS)
    }
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, {once: true})
  })
  return Promise.race([work, stop]).finally(() => {
    clearTimeout(grace)
    signal.removeEventListener('abort', onAbort)
  })
}

/** Waits `ms` (ms; the pause between polls), or less when the caller's signal aborts; never throws. */
export function pause(ms: number, caller?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      caller?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    caller?.addEventListener('abort', done, {once: true})
  })
}
