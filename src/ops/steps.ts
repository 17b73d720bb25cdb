// Step events: what a use case says while it runs, one named step after another. The CLI renders
// them with listr2 (src/cli/steps.ts); a test or another caller may collect them or pass nothing.
import {StepError} from '../errors.js'

/** What happened to a step: it started, made progress (a line of output or a new title), ended, was skipped or failed. */
export type StepEventType = 'start' | 'progress' | 'done' | 'skip' | 'fail'

/**
 * One event of a named step.
 * - `step`: the step's id, stable within its use case ("engine", "converge", "image-build"...).
 * - `title`: the step's title as it stands at this event (a step may retitle itself as it learns,
 *   e.g. with the engine's version once it is read).
 * - `detail`: progress: a line of output (absent when only the title changed); skip: the reason;
 *   fail: the error's message (a StepError's whole one-line message, with its fix).
 * - `ms`: done, skip and fail: the whole milliseconds since the step's start.
 */
export interface StepEvent {
  type: StepEventType
  step: string
  title: string
  detail?: string
  ms?: number
}

/** Where a use case sends its step events, in order; it must not throw. */
export type StepSink = (event: StepEvent) => void

/** What a step's work may do while it runs. */
export interface StepControl {
  /** Retitles the step: a progress event with the new title and no detail. */
  title(title: string): void
  /** A line of output: a progress event with the line as its detail. */
  progress(line: string): void
  /** Marks the step skipped with the reason: when the work returns, a skip event is sent instead of done. */
  skip(reason: string): void
}

/** How a step runs: the signal makes a step that starts after an abort fail as "interrupted" before its work. */
export interface StepOptions {
  signal?: AbortSignal
}

/**
 * Runs one named step: sends start, checks the signal, runs the work, then sends done (or skip when
 * the work called `skip`) with the step's duration, or fail with the error's message and rethrows.
 * With no sink the work just runs.
 * @returns what the work returned
 * @throws what the work threw, unchanged; StepError(title, "interrupted") when the signal was
 *   aborted before the step (the work then does not run)
 */
export async function runStep<T>(
  onStep: StepSink | undefined,
  step: string,
  title: string,
  work: (control: StepControl) => Promise<T>,
  opts: StepOptions = {},
): Promise<T> {
  const emit = onStep ?? (() => {})
  const started = Date.now()
  let current = title
  let skipped: string | undefined
  const control: StepControl = {
    title: (t) => {
      current = t
      emit({type: 'progress', step, title: current})
    },
    progress: (line) => emit({type: 'progress', step, title: current, detail: line}),
    skip: (reason) => {
      skipped = reason
    },
  }
  emit({type: 'start', step, title})
  try {
    if (opts.signal?.aborted) throw new StepError(title, 'interrupted')
    const value = await work(control)
    const ms = Date.now() - started
    if (skipped === undefined) emit({type: 'done', step, title: current, ms})
    else emit({type: 'skip', step, title: current, detail: skipped, ms})
    return value
  } catch (error) {
    emit({type: 'fail', step, title: current, detail: error instanceof Error ? error.message : String(error), ms: Date.now() - started})
    throw error
  }
}

/** A sink that keeps every event, in order (for tests and for callers that render afterwards). */
export function collectSteps(): {events: StepEvent[]; sink: StepSink} {
  const events: StepEvent[] = []
  return {events, sink: (e) => events.push({...e})}
}
