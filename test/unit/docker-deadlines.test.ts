// Every Runtime method of the Docker adapter has a deadline and honours its abort signal, against a
// fake dockerode whose calls hang (rejecting on their abortSignal as dockerode does, or ignoring it):
// the caller's timeoutMs ends a method naming the call and the seconds; an abort ends it at once as
// "interrupted", except a call that changes the engine, which is let settle (calls.ts, Deadline.settle);
// builds and imports have no timeout but stop on their signal. Real short timers: a method that passed
// no deadline or no signal would hang, and the test's own timeout (TEST_MS) would fail it.
import {PassThrough} from 'node:stream'
import {describe, expect, it} from 'vitest'
import {StepError} from '../../src/errors.js'
import {DockerRuntime} from '../../src/runtime/docker/index.js'
import type {CallOptions, ContainerSpec} from '../../src/runtime/types.js'
import {type Fake, fakeDocker, MODES, TEST_MS} from '../helpers/fake-dockerode.js'

const SPEC: ContainerSpec = {
  name: 'lab-lvs1',
  hostname: 'lvs1',
  image: 'lvslab/lab:latest',
  network: 'lab-net',
  ip: '172.20.0.11',
  labels: {},
  capAdd: [],
  privileged: false,
  sysctls: {},
}
const NET_SPEC = {name: 'lab-net', subnet: '172.20.0.0/24', gateway: '172.20.0.1', internal: false, labels: {}}

/** One engine call of one method, made to hang (or be slow). */
interface Row {
  name: string
  run: (rt: DockerRuntime, opts: CallOptions) => Promise<unknown>
  /** The step the StepError names. */
  step: string | RegExp
  /** The engine call, as the timeout's message names it; also the fake's call made to hang. */
  call: string
  /** A call that changes the engine: an abort lets it settle, then "interrupted". */
  settle?: boolean
  /** False when the caller's timeoutMs is not this call's (an exec's engine calls, runOnce's create, start and logs have the adapter's own). */
  timeout?: boolean
}

const CMD = ['ipvsadm', '-Ln']
const EXEC = 'exec in lab-lvs1: ipvsadm -Ln'
const RUN = 'run ipvsadm -v in lvslab/lab:latest'
type Run = Row['run']
const info: Run = (rt, o) => rt.info(o)
const createNetwork: Run = (rt, o) => rt.createNetwork(NET_SPEC, o)
const createContainer: Run = (rt, o) => rt.createContainer(SPEC, o)
const exec: Run = (rt, o) => rt.exec('lab-lvs1', CMD, o)
const stream: Run = (rt, o) => rt.execStream('lab-lvs1', CMD, () => {}, o.signal ?? new AbortController().signal, {timeoutMs: o.timeoutMs})
const putFile: Run = (rt, o) => rt.putFile('lab-lvs1', '/etc/keepalived/keepalived.conf', 'x', 0o644, o)
const runOnce: Run = (rt, o) => rt.runOnce('lvslab/lab:latest', ['ipvsadm', '-v'], o)
/** A call that changes the engine (settle); one whose timeout is the adapter's own (not timeoutMs). */
const SETTLE = {settle: true}
const OWN_TIMEOUT = {timeout: false}
const row = (name: string, run: Run, step: string | RegExp, call: string, ...flags: Partial<Row>[]): Row =>
  Object.assign({name, run, step, call}, ...flags) as Row

const ROWS: Row[] = [
  row('info (version)', info, 'engine', 'version'),
  row('info', info, 'engine', 'info'),
  row('listNetworks', (rt, o) => rt.listNetworks(undefined, o), 'list networks', 'network list'),
  row('findNetwork', (rt, o) => rt.findNetwork('lab-net', o), 'inspect network lab-net', 'network inspect'),
  row('createNetwork', createNetwork, 'create network lab-net', 'network create', SETTLE),
  row('createNetwork (inspect)', createNetwork, 'inspect network lab-net', 'network inspect'),
  row('removeNetwork', (rt, o) => rt.removeNetwork('n1', o), 'remove network n1', 'network remove', SETTLE),
  row('listContainers', (rt, o) => rt.listContainers(undefined, o), 'list containers', 'container list'),
  row('findContainer', (rt, o) => rt.findContainer('lab-lvs1', o), 'inspect container lab-lvs1', 'container inspect'),
  row('createContainer (version)', createContainer, 'create container lab-lvs1', 'version'),
  row('createContainer', createContainer, 'create container lab-lvs1', 'container create', SETTLE),
  row('createContainer (inspect)', createContainer, 'create container lab-lvs1', 'container inspect'),
  row('startContainer', (rt, o) => rt.startContainer('c1', o), 'start container c1', 'container start', SETTLE),
  row('removeContainer', (rt, o) => rt.removeContainer('c1', o), 'remove container c1', 'container remove', SETTLE),
  // an exec's engine calls have READ_TIMEOUT_MS; its timeoutMs bounds its output (exec.ts, ExecRequest)
  row('exec (output)', exec, EXEC, 'exec'),
  row('exec (create)', exec, EXEC, 'exec create', OWN_TIMEOUT),
  row('exec (start)', exec, EXEC, 'exec start', OWN_TIMEOUT),
  row('exec (inspect)', exec, EXEC, 'exec inspect', OWN_TIMEOUT),
  row('execStream (output)', stream, EXEC, 'exec'),
  row('execStream (create)', stream, EXEC, 'exec create', OWN_TIMEOUT),
  row('putFile (output)', putFile, /^exec in lab-lvs1: sh -c set -e; mkdir -p /, 'exec'),
  row('findImage', (rt, o) => rt.findImage('lvslab/lab:x', o), 'inspect image lvslab/lab:x', 'image inspect'),
  row('listImages', (rt, o) => rt.listImages(undefined, o), 'list images', 'image list'),
  row('tagImage', (rt, o) => rt.tagImage('sha256:1', 'lvslab/lab:x', o), 'tag lvslab/lab:x', 'image tag', SETTLE),
  // runOnce's timeoutMs is the run's (its wait); its create, start and logs have the adapter's own
  row('runOnce (create)', runOnce, RUN, 'container create', SETTLE, OWN_TIMEOUT),
  row('runOnce (start)', runOnce, RUN, 'container start', SETTLE, OWN_TIMEOUT),
  row('runOnce (wait)', runOnce, RUN, 'container wait'),
  row('runOnce (logs)', runOnce, RUN, 'container logs', OWN_TIMEOUT),
]

const runtime = (f: Fake) => new DockerRuntime(f.docker, {local: true})
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Runs a method; what it threw (a StepError expected), and when it ended (ms since the epoch). */
async function failure(p: Promise<unknown>): Promise<{error: StepError; at: number}> {
  const error = await p.then(
    () => new Error('it did not fail'),
    (e: unknown) => e,
  )
  if (!(error instanceof StepError)) throw new Error(`not a StepError: ${String(error)}`)
  return {error, at: Date.now()}
}

describe.each(MODES)('a hanging call that %s its abortSignal', (mode) => {
  it.concurrent.for(ROWS.filter((r) => r.timeout !== false))(
    '$name: timeoutMs 50 ends it, naming "$call" and 0.05 s',
    {timeout: TEST_MS},
    async (row, {expect}) => {
      const f = fakeDocker(mode, [row.call])
      const started = Date.now()
      const {error, at} = await failure(row.run(runtime(f), {timeoutMs: 50}))
      expect(error.step).toEqual(typeof row.step === 'string' ? row.step : expect.stringMatching(row.step))
      expect(error.message).toMatch(
        new RegExp(`^${escape(error.step)}: ${escape(row.call)} timed out after 0\\.05 s( \\(The operation was aborted\\))?$`),
      )
      expect(at - started).toBeLessThan(1000)
    },
  )

  it.concurrent.for(ROWS.filter((r) => !r.settle))(
    '$name: an abort during "$call" ends it at once, "interrupted"',
    {timeout: TEST_MS},
    async (row, {expect}) => {
      const f = fakeDocker(mode, [row.call])
      const ac = new AbortController()
      const p = failure(row.run(runtime(f), {signal: ac.signal}))
      await sleep(30)
      expect(f.calls).toContain(row.call)
      const abortedAt = Date.now()
      ac.abort()
      const {error, at} = await p
      expect(error.step).toEqual(typeof row.step === 'string' ? row.step : expect.stringMatching(row.step))
      expect(error.message).toBe(`${error.step}: interrupted`)
      expect(at - abortedAt).toBeLessThan(500)
    },
  )

  it.concurrent.for(ROWS.filter((r) => r.settle))(
    '$name: an abort does not cut "$call": it settles, then "interrupted"',
    {timeout: TEST_MS},
    async (row, {expect}) => {
      const f = fakeDocker(mode, [], {[row.call]: 250})
      const ac = new AbortController()
      const started = Date.now()
      const p = failure(row.run(runtime(f), {signal: ac.signal}))
      setTimeout(() => ac.abort(), 20)
      const {error, at} = await p
      expect(error.message).toBe(`${row.step as string}: interrupted`)
      expect(at - started).toBeGreaterThanOrEqual(240)
      expect(at - started).toBeLessThan(1000)
      expect(f.calls).toContain(row.call)
      expect(f.aborted).not.toContain(row.call)
    },
  )

  it.concurrent.for(ROWS.filter((r) => r.settle && r.timeout !== false))(
    '$name: a "$call" that never settles ends at its timeout, not at the abort',
    {timeout: TEST_MS},
    async (row, {expect}) => {
      const f = fakeDocker(mode, [row.call])
      const ac = new AbortController()
      const started = Date.now()
      const p = failure(row.run(runtime(f), {signal: ac.signal, timeoutMs: 300}))
      setTimeout(() => ac.abort(), 20)
      const {error, at} = await p
      expect(error.message).toMatch(
        new RegExp(`^${escape(row.step as string)}: ${escape(row.call)} timed out after 0\\.3 s( \\(The operation was aborted\\))?$`),
      )
      expect(at - started).toBeGreaterThanOrEqual(290)
      expect(at - started).toBeLessThan(1000)
    },
  )

  describe('builds and imports: no timeout, but the signal stops them', () => {
    const build = (rt: DockerRuntime, signal: AbortSignal) => rt.buildImage({Dockerfile: 'FROM x\n'}, ['lvslab/lab:x'], () => {}, signal)
    const load = (rt: DockerRuntime, signal: AbortSignal) => rt.importImage(new PassThrough(), 'lvslab/lab:x', () => {}, signal)
    it.concurrent.for([
      {name: 'buildImage', run: build, step: 'build image lvslab/lab:x', call: 'image build'},
      {name: 'buildImage (output)', run: build, step: 'build image lvslab/lab:x', call: 'image build output'},
      {name: 'buildImage (inspect)', run: build, step: 'inspect image lvslab/lab:x', call: 'image inspect'},
      {name: 'importImage', run: load, step: 'import image lvslab/lab:x', call: 'image import'},
      {name: 'importImage (output)', run: load, step: 'import image lvslab/lab:x', call: 'image import output'},
      {name: 'importImage (inspect)', run: load, step: 'inspect image lvslab/lab:x', call: 'image inspect'},
    ])('$name: an abort during "$call" ends it at once, "interrupted"', {timeout: TEST_MS}, async (row, {expect}) => {
      const f = fakeDocker(mode, [row.call])
      const ac = new AbortController()
      const p = failure(row.run(runtime(f), ac.signal))
      await sleep(30)
      expect(f.calls).toContain(row.call)
      const abortedAt = Date.now()
      ac.abort()
      const {error, at} = await p
      expect(error.message).toBe(`${row.step}: interrupted`)
      expect(at - abortedAt).toBeLessThan(500)
    })
  })
})

describe('runOnce removes its throwaway container however the run ends', () => {
  it.concurrent.for<{when: string; hang: string[]; slow: Record<string, number>; calls: string[]}>([
    {
      when: 'an abort during the create (let settle)',
      hang: [],
      slow: {'container create': 150},
      calls: ['container create', 'container remove'],
    },
    {
      when: 'an abort during the start (let settle)',
      hang: [],
      slow: {'container start': 150},
      calls: ['container create', 'container start', 'container remove'],
    },
    {
      when: 'an abort during the wait',
      hang: ['container wait'],
      slow: {},
      calls: ['container create', 'container start', 'container wait', 'container remove'],
    },
  ])('$when: "interrupted", and the container removed', {timeout: TEST_MS}, async ({hang, slow, calls}, {expect}) => {
    const f = fakeDocker('honours', hang, slow)
    const ac = new AbortController()
    const p = failure(runOnce(runtime(f), {signal: ac.signal}))
    setTimeout(() => ac.abort(), 30)
    const {error} = await p
    expect(error.message).toBe(`${RUN}: interrupted`)
    expect(f.calls).toEqual(calls)
  })

  it('a wait past its timeout: the timeout named, and the container removed', {timeout: TEST_MS}, async () => {
    const f = fakeDocker('ignores', ['container wait'])
    const {error} = await failure(runOnce(runtime(f), {timeoutMs: 50}))
    expect(error.message).toBe(`${RUN}: container wait timed out after 0.05 s`)
    expect(f.calls).toEqual(['container create', 'container start', 'container wait', 'container remove'])
  })
})
