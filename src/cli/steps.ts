// Step events rendered with listr2: each step becomes a listr2 task as its start event arrives, and
// the events that follow move it along (title, output, done, skipped, failed). The steps are shown
// one after another, each by its own listr2 list once the one before has drawn its last frame.
import {Listr, type ListrTask} from 'listr2'
import type {StepEvent, StepSink} from '../ops/steps.js'
import type {RendererName} from './report/renderer.js'

/**
 * How many lines of a step's output listr2's live renderer keeps under its title (its outputBar), by
 * step id: the image builds show their last few lines; any other step shows its last line.
 */
export const OUTPUT_LINES: Readonly<Record<string, number>> = {image: 3, 'image-build': 5, 'image-import': 5}

/** A view of step events: the sink to give a use case, and `close`, resolved once every step has been drawn. */
export interface StepView {
  sink: StepSink
  /** Ends the steps still open (as failed: "did not finish") and resolves when their last frame is drawn. */
  close(): Promise<void>
}

/** The events of one step, waiting for its listr2 task to take them in order. */
class StepQueue {
  private readonly events: StepEvent[] = []
  private wake?: () => void
  title: string

  constructor(title: string) {
    this.title = title
  }

  push(e: StepEvent): void {
    this.title = e.title
    this.events.push(e)
    this.wake?.()
  }

  async next(): Promise<StepEvent> {
    for (;;) {
      const e = this.events.shift()
      if (e) return e
      await new Promise<void>((resolve) => {
        this.wake = resolve
      })
      this.wake = undefined
    }
  }
}

type Task = Parameters<ListrTask['task']>[1]

/**
 * A finished step's duration as its title shows it: " (0.4 s)", one decimal, from the step event's
 * own ms (the figure `up --json` reports in its steps); nothing without one.
 */
export function took(ms: number | undefined): string {
  return ms === undefined ? '' : ` (${(ms / 1000).toFixed(1)} s)`
}

/** Moves a listr2 task along its step's events until the step ends; a failed step throws its message. */
async function drive(queue: StepQueue, task: Task): Promise<void> {
  for (;;) {
    const e = await queue.next()
    task.title = e.title
    if (e.type === 'progress' && e.detail !== undefined) task.output = e.detail
    else if (e.type === 'done') {
      task.title = `${e.title}${took(e.ms)}`
      return
    } else if (e.type === 'skip') {
      task.skip(e.detail)
      return
    } else if (e.type === 'fail') throw new Error(e.detail ?? 'failed')
  }
}

/**
 * The step events rendered with the given listr2 renderer: 'default' (live, on a terminal),
 * 'simple' (plain lines: CI, logs) or 'silent' (--json: nothing is drawn, nor listr2 started).
 * Failed steps show their message under the title (collapseErrors off); listr2's own signal
 * handlers stay off (the command handles SIGINT and SIGTERM).
 */
export function listrSteps(renderer: RendererName, outputLines: Readonly<Record<string, number>> = OUTPUT_LINES): StepView {
  if (renderer === 'silent') return {sink: () => {}, close: async () => {}}
  const open = new Map<string, StepQueue>()
  let drawn: Promise<void> = Promise.resolve()
  const sink: StepSink = (e) => {
    if (e.type !== 'start') {
      open.get(e.step)?.push(e)
      if (e.type !== 'progress') open.delete(e.step)
      return
    }
    const queue = new StepQueue(e.title)
    open.set(e.step, queue)
    const lines = outputLines[e.step]
    const task: ListrTask = {title: e.title, task: (_, t) => drive(queue, t), ...(lines ? {rendererOptions: {outputBar: lines}} : {})}
    drawn = drawn.then(() =>
      new Listr([task], {renderer, exitOnError: true, registerSignalListeners: false, rendererOptions: {collapseErrors: false}}).run().then(
        () => undefined,
        // the failure is drawn; the use case throws its own error to the command
        () => undefined,
      ),
    )
  }
  return {
    sink,
    close: async () => {
      for (const [step, queue] of open) sink({type: 'fail', step, title: queue.title, detail: 'did not finish'})
      await drawn
    },
  }
}

/**
 * Runs a use case with its step events rendered (see listrSteps), and waits for the last frame
 * before returning, so that what the command prints next comes after the steps.
 * @returns what the use case returned
 * @throws what the use case threw, once its steps are drawn
 */
export async function withSteps<T>(renderer: RendererName, run: (onStep: StepSink) => Promise<T>): Promise<T> {
  const view = listrSteps(renderer)
  try {
    return await run(view.sink)
  } finally {
    await view.close()
  }
}
