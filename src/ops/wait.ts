import {StepError} from '../errors.js'

export interface Poll<T> {
  done: boolean
  /** What was seen, for the message when time runs out. */
  seen: string
  value?: T
}

/** Polls a condition until it holds or the deadline passes; never a fixed sleep. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<Poll<T>>,
  opts: {intervalMs?: number; signal?: AbortSignal} = {},
): Promise<{value?: T; ms: number}> {
  const started = Date.now()
  const interval = opts.intervalMs ?? 250
  let last: Poll<T> = {done: false, seen: 'nothing yet'}
  for (;;) {
    if (opts.signal?.aborted) throw new StepError(what, 'interrupted')
    try {
      last = await check()
    } catch (error) {
      last = {done: false, seen: (error as Error).message}
    }
    if (last.done) return {value: last.value, ms: Date.now() - started}
    if (Date.now() - started >= timeoutMs) {
      throw new StepError(what, `not reached within ${(timeoutMs / 1000).toFixed(1)} s; last seen: ${last.seen}`)
    }
    await new Promise((r) => setTimeout(r, interval))
  }
}
