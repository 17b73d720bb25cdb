// How every call to the Docker engine is made: with a deadline and an abort signal, and with any failure
// turned into a StepError that names the step and keeps the engine's own words.
import {StepError} from '../../errors.js'
import {timeScale} from '../../time-scale.js'

// Every default below is times LVSLAB_TIME_SCALE: on a slow engine (the emulated test VM, scale 8) the
// engine's calls take 5-10x longer, and a deadline there must not fail what would pass.

/** Default timeout (ms) of a call that only reads: version, info, inspect, list, logs, exec create/start/inspect: 30 s x scale. */
export const READ_TIMEOUT_MS = 30_000 * timeScale()

/** Default timeout (ms) of a call that changes the engine: create, start, remove, tag (containers, networks, images): 60 s x scale. */
export const WRITE_TIMEOUT_MS = 60_000 * timeScale()

/** Default timeout (ms) of an exec's output (Runtime.exec, putFile) and of a runOnce container's run: 120 s x scale. */
export const EXEC_TIMEOUT_MS = 120_000 * timeScale()

/**
 * How long (ms) a call whose deadline passed or whose signal aborted may still take to end with its own
 * error (dockerode rejects an aborted request a tick later), so that the StepError can quote it.
 */
export const ABORT_GRACE_MS = 100

/** A dockerode error: docker-modem adds the HTTP status, the engine's JSON answer and its reason text. */
export type DockerError = Error & {statusCode?: number; json?: {message?: string}; reason?: string}

/** True when the engine answered 404 (no such container, network, image or exec). */
export function isNotFound(error: unknown): boolean {
  return (error as DockerError | undefined)?.statusCode === 404
}

/**
 * The engine's own words, without dockerode's HTTP wrapping ("(HTTP code 409) unexpected - ..."):
 * the engine's JSON message, else the error's message, else docker-modem's reason, else the value.
 */
export function engineMessage(error: unknown): string {
  const e = error as DockerError | undefined
  const text = e?.json?.message ?? e?.message ?? e?.reason ?? String(error)
  return text.replace(/^\(HTTP code \d+\) [a-z ]+ - /, '').trim()
}

/** One call to the engine: the step it belongs to, the call's name, its timeout (ms; none if absent) and signal. */
export interface Deadline {
  /** The step, as StepError names it, e.g. "inspect container lab-lvs1". */
  step: string
  /** The engine call, e.g. "container inspect" (said in a timeout's message). */
  call: string
  /** Milliseconds; undefined, 0 or Infinity for none. */
  timeoutMs?: number
  signal?: AbortSignal
  /**
   * A call that changes the engine (create, start, remove, tag): an abort does not cut it, it is let
   * settle (within its timeout) and only then "interrupted" is thrown, so that what the engine made is
   * there for `down` to find by its labels (a create the engine already started finishes anyway).
   */
  settle?: boolean
}

/** A duration in ms as seconds for a message: 30000 -> "30", 50 -> "0.05". */
export function seconds(ms: number): string {
  return String(Number((ms / 1000).toFixed(3)))
}

/** The message of a call that timed out: which call, after how many seconds, and what the engine said if anything. */
export function timedOutText(call: string, timeoutMs: number, error?: unknown): string {
  return `${call} timed out after ${seconds(timeoutMs)} s${error === undefined ? '' : ` (${engineMessage(error)})`}`
}

const STOPPED = Symbol('stopped')

/**
 * Runs one engine call under a deadline: `fn` gets an AbortSignal (pass it as dockerode's `abortSignal`
 * where the API has one) that aborts at the timeout or when `d.signal` aborts. The call is also raced,
 * so one that ignores the signal still ends ABORT_GRACE_MS later. With `d.settle` (a call that changes
 * the engine) an abort is honoured only once the call has settled.
 * @throws StepError(d.step, "<call> timed out after N s (<the call's own error>)") at the timeout;
 *   StepError(d.step, "interrupted") when d.signal aborts (also when it already had); else fn's own error.
 */
export async function withDeadline<T>(d: Deadline, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (d.signal?.aborted) throw new StepError(d.step, 'interrupted')
  const own = new AbortController()
  const external = d.settle ? undefined : d.signal
  const signal = external ? AbortSignal.any([external, own.signal]) : own.signal
  const timeoutMs = d.timeoutMs
  let timedOut = false
  const timer =
    timeoutMs && Number.isFinite(timeoutMs)
      ? setTimeout(() => {
          timedOut = true
          own.abort(new Error(timedOutText(d.call, timeoutMs)))
        }, timeoutMs)
      : undefined
  let grace: NodeJS.Timeout | undefined
  let onAbort = () => {}
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () => {
      grace = setTimeout(() => reject(STOPPED), ABORT_GRACE_MS)
    }
    signal.addEventListener('abort', onAbort, {once: true})
  })
  try {
    const value = await Promise.race([fn(signal), stopped])
    if (d.settle && d.signal?.aborted) throw new StepError(d.step, 'interrupted')
    return value
  } catch (error) {
    if (timedOut && timeoutMs) throw new StepError(d.step, timedOutText(d.call, timeoutMs, error === STOPPED ? undefined : error))
    if (d.signal?.aborted) throw new StepError(d.step, 'interrupted')
    throw error
  } finally {
    clearTimeout(timer)
    clearTimeout(grace)
    signal.removeEventListener('abort', onAbort)
  }
}

/**
 * Runs a step against the engine and turns any failure into a StepError naming it: an unreachable
 * engine (ENOENT, ECONNREFUSED, EACCES on its socket) with the fix, anything else with the engine's
 * own words (engineMessage). A StepError passes unchanged.
 */
export function engineStep<T>(step: string, fn: () => Promise<T>): Promise<T> {
  return fn().catch((error: unknown) => {
    if (error instanceof StepError) throw error
    const code = (error as NodeJS.ErrnoException | undefined)?.code
    if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES') {
      throw new StepError(
        step,
        `the Docker engine is not reachable (${code})`,
        code === 'EACCES'
          ? 'run as a user in the docker group, or as root'
          : 'start the Docker engine (e.g. `sudo systemctl start docker`), or set DOCKER_HOST',
      )
    }
    throw new StepError(step, engineMessage(error))
  })
}
