// The one door every call of the memory runtime goes through: it is logged, it may meet a fault a test
// put on its method, and it is bounded as the Docker adapter bounds its calls (src/runtime/docker/
// calls.ts: 30 s to read, 60 s to change, 120 s for an exec; "interrupted" when its signal aborts;
// "<call> timed out after N s" at its deadline).
import {StepError} from '../../../src/errors.js'
import {EXEC_TIMEOUT_MS, READ_TIMEOUT_MS, timedOutText, WRITE_TIMEOUT_MS} from '../../../src/runtime/docker/calls.js'
import type {CallOptions, ExecResult} from '../../../src/runtime/types.js'
import {CallFaults, type CallName} from './faults.js'

/** How a call is bounded: the engine call's name (said in a timeout), its timeout (ms; none if absent) and signal. */
export interface Bound {
  name: string
  timeoutMs?: number
  signal?: AbortSignal
}

/** The adapter's default bound of a call that reads, changes, or runs a command, with the caller's options over it. */
export function bound(kind: 'read' | 'write' | 'exec', name: string, opts?: CallOptions): Bound {
  const ms = {read: READ_TIMEOUT_MS, write: WRITE_TIMEOUT_MS, exec: EXEC_TIMEOUT_MS}[kind]
  return {name, timeoutMs: opts?.timeoutMs ?? ms, signal: opts?.signal}
}

/** The calls made (in order) and the faults waiting for them. */
export class Door {
  readonly faults = new CallFaults()
  /** Every call made, in order: its method and subject (see CallFault.match). */
  readonly calls: {call: CallName; subject: string}[] = []

  /**
   * Passes a call: logs it, refuses it when its signal has already aborted, plays a matching fault
   * (fail, hang) or hands an exec-like fault's result to `work`, and races the work against the
   * call's timeout and signal.
   * @throws StepError(step, ...) at the timeout, on abort ("interrupted"), or the fault's or work's own error
   */
  async pass<T>(call: CallName, subject: string, step: string, b: Bound, work: (exit?: ExecResult) => Promise<T> | T): Promise<T> {
    this.calls.push({call, subject})
    if (b.signal?.aborted) throw new StepError(step, 'interrupted')
    const effect = this.faults.take(call, subject)
    const run = (async () => {
      if (effect) await this.faults.apply(effect, step)
      return work(
        effect && 'exit' in effect ? {exitCode: effect.exit, stdout: effect.stdout ?? '', stderr: effect.stderr ?? ''} : undefined,
      )
    })()
    run.catch(() => undefined)
    let timer: NodeJS.Timeout | undefined
    let onAbort = () => {}
    const stop = new Promise<never>((_, reject) => {
      const ms = b.timeoutMs
      if (ms && Number.isFinite(ms)) timer = setTimeout(() => reject(new StepError(step, timedOutText(b.name, ms))), ms)
      onAbort = () => reject(new StepError(step, 'interrupted'))
      b.signal?.addEventListener('abort', onAbort, {once: true})
    })
    try {
      return await Promise.race([run, stop])
    } finally {
      clearTimeout(timer)
      b.signal?.removeEventListener('abort', onAbort)
    }
  }
}
