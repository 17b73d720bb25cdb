// Step events (src/ops/steps.ts) and their rendering with listr2 (src/cli/steps.ts): the events a
// step sends and their durations, the listr2 renderer chosen for a terminal, CI or --json, and what
// the plain-line renderer prints for a run of steps.
import {afterEach, describe, expect, it, vi} from 'vitest'
import {chooseRenderer, rendererFromProcess} from '../../src/cli/report/renderer.js'
import {listrSteps, withSteps} from '../../src/cli/steps.js'
import {StepError} from '../../src/errors.js'
import {collectSteps, runStep, type StepEvent} from '../../src/ops/steps.js'

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
})

/** Work that takes `ms` of the (faked) clock. */
const takes = (ms: number) => async () => {
  vi.setSystemTime(Date.now() + ms)
}

describe('runStep', () => {
  it('sends start, then done with the title it ended with and its duration in ms', async () => {
    vi.useFakeTimers({toFake: ['Date']})
    const {events, sink} = collectSteps()
    const value = await runStep(sink, 'engine', 'Check the engine', async (s) => {
      await takes(250)()
      s.title('Engine: Docker 27.0')
      return 42
    })
    expect(value).toBe(42)
    expect(events).toEqual<StepEvent[]>([
      {type: 'start', step: 'engine', title: 'Check the engine'},
      {type: 'progress', step: 'engine', title: 'Engine: Docker 27.0'},
      {type: 'done', step: 'engine', title: 'Engine: Docker 27.0', ms: 250},
    ])
  })

  it('sends each line of output as progress, under the current title', async () => {
    const {events, sink} = collectSteps()
    await runStep(sink, 'image', 'Lab image x', async (s) => {
      s.title('Build the lab image')
      s.progress('Step 1/9')
      s.progress('Step 2/9')
    })
    expect(events.filter((e) => e.type === 'progress').map((e) => [e.title, e.detail])).toEqual([
      ['Build the lab image', undefined],
      ['Build the lab image', 'Step 1/9'],
      ['Build the lab image', 'Step 2/9'],
    ])
  })

  it('sends skip with the reason instead of done when the work skips', async () => {
    vi.useFakeTimers({toFake: ['Date']})
    const {events, sink} = collectSteps()
    await runStep(sink, 'ipvs', 'Check IPVS', async (s) => {
      await takes(5)()
      s.skip('IPVS: checked by the running directors')
    })
    expect(events.at(-1)).toEqual({
      type: 'skip',
      step: 'ipvs',
      title: 'Check IPVS',
      detail: 'IPVS: checked by the running directors',
      ms: 5,
    })
    expect(events.map((e) => e.type)).toEqual(['start', 'skip'])
  })

  it("sends fail with the error's message and duration, and rethrows the error unchanged", async () => {
    vi.useFakeTimers({toFake: ['Date']})
    const {events, sink} = collectSteps()
    const error = new StepError('check IPVS', 'the ip_vs kernel module is not loaded', 'sudo modprobe ip_vs')
    const run = runStep(sink, 'ipvs', 'Check IPVS', async () => {
      await takes(1500)()
      throw error
    })
    await expect(run).rejects.toBe(error)
    expect(events.at(-1)).toEqual({
      type: 'fail',
      step: 'ipvs',
      title: 'Check IPVS',
      detail: 'check IPVS: the ip_vs kernel module is not loaded (fix: sudo modprobe ip_vs)',
      ms: 1500,
    })
  })

  it('fails as "<title>: interrupted" without running the work when the signal was aborted', async () => {
    const {events, sink} = collectSteps()
    const work = vi.fn(async () => 1)
    const ac = new AbortController()
    ac.abort()
    await expect(runStep(sink, 'engine', 'Check the engine', work, {signal: ac.signal})).rejects.toThrow(/^Check the engine: interrupted$/)
    expect(work).not.toHaveBeenCalled()
    expect(events.map((e) => [e.type, e.detail])).toEqual([
      ['start', undefined],
      ['fail', 'Check the engine: interrupted'],
    ])
  })

  it('runs the work alone without a sink', async () => {
    await expect(runStep(undefined, 'x', 'X', async (s) => (s.progress('line'), 'ok'))).resolves.toBe('ok')
  })
})

describe('the listr2 renderer', () => {
  it.each([
    [{isTTY: true, ci: false, json: false, columns: 120}, 'default'],
    [{isTTY: true, ci: true, json: false, columns: 120}, 'simple'],
    [{isTTY: false, ci: false, json: false}, 'simple'],
    [{isTTY: true, ci: false, json: false, term: 'dumb', columns: 120}, 'simple'],
    [{isTTY: true, ci: false, json: false, columns: 0}, 'simple'],
    [{isTTY: true, ci: false, json: true, columns: 120}, 'silent'],
    [{isTTY: false, ci: true, json: true}, 'silent'],
  ] as const)('%j -> %s', (env, name) => {
    expect(chooseRenderer(env)).toBe(name)
  })

  it('reads CI from the environment: set and not "false" or "0" means plain lines', () => {
    vi.stubEnv('CI', 'true')
    expect(rendererFromProcess(false)).toBe('simple')
    expect(rendererFromProcess(true)).toBe('silent')
  })
})

/** Everything written to stdout and stderr while `run` runs, with ANSI colours removed. */
async function captured(run: () => Promise<unknown>): Promise<string> {
  const chunks: string[] = []
  const keep = (chunk: unknown) => {
    chunks.push(String(chunk))
    return true
  }
  vi.spyOn(process.stdout, 'write').mockImplementation(keep)
  vi.spyOn(process.stderr, 'write').mockImplementation(keep)
  try {
    await run().catch(() => undefined)
  } finally {
    vi.restoreAllMocks()
  }
  // eslint-disable-next-line no-control-regex
  return chunks.join('').replace(/\u001b\[[0-9;]*m/g, '')
}

/** Three steps as a use case runs them: one retitled with output, one skipped, one failed. */
async function threeSteps(onStep: (e: StepEvent) => void): Promise<never> {
  await runStep(onStep, 'image', 'Lab image x', async (s) => {
    s.progress('Step 1/2')
    s.progress('Step 2/2')
    s.title('Built the lab image')
  })
  await runStep(onStep, 'ipvs', 'Check IPVS', async (s) => s.skip('checked by the running directors'))
  return runStep(onStep, 'verify', 'Verify', async () => {
    throw new StepError('verify', 'rs2 did not answer')
  })
}

describe('step events rendered with listr2', () => {
  it('plain lines (CI): each step started, its output, and its end, in order, before withSteps returns', async () => {
    const text = await captured(() => withSteps('simple', threeSteps))
    const order = [
      'Lab image x',
      'Step 1/2',
      'Step 2/2',
      'Built the lab image',
      'Check IPVS',
      'checked by the running directors',
      'Verify',
      'verify: rs2 did not answer',
    ].map((s) => text.indexOf(s))
    expect(order.every((i) => i >= 0)).toBe(true)
    expect([...order].sort((a, b) => a - b)).toEqual(order)
    // a step that ran shows its time (the step event's ms) beside its last title
    expect(text).toMatch(/Built the lab image \(\d+\.\d s\)/)
  })

  it('withSteps rethrows the use case error, and returns its value', async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    await expect(withSteps('simple', threeSteps)).rejects.toThrow('verify: rs2 did not answer')
    await expect(withSteps('simple', (onStep) => runStep(onStep, 'x', 'X', async () => 7))).resolves.toBe(7)
  })

  it('silent (--json): nothing is written', async () => {
    expect(await captured(() => withSteps('silent', threeSteps))).toBe('')
  })

  it('a step left open when the use case ends is closed as failed, so the view does not wait for it', async () => {
    const text = await captured(async () => {
      const view = listrSteps('simple')
      view.sink({type: 'start', step: 'a', title: 'Open step'})
      await view.close()
    })
    expect(text).toContain('Open step')
    expect(text).toContain('did not finish')
  })
})
