// The one way lvslab runs a command in a container: create the exec, start it attached, demux its
// stdout and stderr, wait for the stream's end, and only then read the exit code. Runtime.exec,
// execStream and putFile all go through execIn; runOnce's logs go through the same drain.
import {Writable} from 'node:stream'
import type Docker from 'dockerode'
import {StepError} from '../../errors.js'
import {timeScale} from '../../time-scale.js'
import {type Deadline, READ_TIMEOUT_MS, seconds, withDeadline} from './calls.js'

/** Where a command's output goes, chunk by chunk, in the order the engine sent it. */
export interface Sinks {
  stdout(chunk: Buffer): void
  stderr(chunk: Buffer): void
}

/** The part of docker-modem the demuxing uses (dockerode's `modem`). */
export interface Demuxer {
  demuxStream(stream: NodeJS.ReadableStream, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): void
}

/** A stream of the engine's multiplexed output (an exec's hijacked socket, a container's logs). */
export type OutputStream = NodeJS.ReadableStream & {destroy(error?: Error): unknown}

/** A created exec, as dockerode's Exec has it. */
export interface ExecHandle {
  start(opts: Docker.ExecStartOptions): Promise<NodeJS.ReadableStream>
  inspect(opts?: Docker.ExecInspectOptions): Promise<{Running: boolean; ExitCode: number | null}>
}

/** The part of dockerode an exec uses: a fake of it is enough to test execIn. */
export interface ExecClient {
  modem: Demuxer
  getContainer(id: string): {exec(opts: Docker.ExecCreateOptions): Promise<ExecHandle>}
}

/** A writable that hands each chunk to `sink` at once (synchronously, so none is pending at the stream's end). */
function sinkStream(sink: (chunk: Buffer) => void): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      sink(chunk)
      done()
    },
  })
}

/**
 * Demuxes a multiplexed output stream (docker-modem's demuxStream: 8-byte headers, stream 1 stdout,
 * 2 stderr) into `sinks`, and waits for its end ('end' or 'close'). At d.timeoutMs (none if absent)
 * or when d.signal aborts it destroys the stream.
 * @throws StepError(d.step, "<d.call> timed out after N s") at the timeout; StepError(d.step,
 *   "interrupted") on abort; the stream's own error when it emits 'error' (never taken for an end).
 */
export function drain(modem: Demuxer, stream: OutputStream, sinks: Sinks, d: Deadline): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false
    let timer: NodeJS.Timeout | undefined
    const finish = (error?: unknown) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      d.signal?.removeEventListener('abort', onAbort)
      if (error === undefined) resolve()
      else reject(error)
    }
    const stop = (error: StepError) => {
      finish(error)
      stream.destroy()
    }
    const onAbort = () => stop(new StepError(d.step, 'interrupted'))
    stream.on('error', (error: unknown) => finish(error ?? new Error('the output stream failed')))
    stream.on('end', () => finish())
    stream.on('close', () => finish())
    modem.demuxStream(stream, sinkStream(sinks.stdout), sinkStream(sinks.stderr))
    if (d.signal?.aborted) return onAbort()
    d.signal?.addEventListener('abort', onAbort, {once: true})
    const ms = d.timeoutMs
    if (ms && Number.isFinite(ms)) timer = setTimeout(() => stop(new StepError(d.step, `${d.call} timed out after ${seconds(ms)} s`)), ms)
  })
}

/** Sinks that keep all output, and the output kept so far as utf8 text. */
export function collector(): {sinks: Sinks; text(): {stdout: string; stderr: string}} {
  const out: Buffer[] = []
  const err: Buffer[] = []
  return {
    sinks: {stdout: (c) => out.push(c), stderr: (c) => err.push(c)},
    text: () => ({stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8')}),
  }
}

/** Sinks that split each stream into lines (a last line without "\n" is kept until more comes) and hand each, with its stream, to `onLine`. */
export function splitLines(onLine: (stream: 'stdout' | 'stderr', line: string) => void): Sinks {
  const buf = {stdout: '', stderr: ''}
  const feed = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    buf[stream] += chunk.toString('utf8')
    let i
    while ((i = buf[stream].indexOf('\n')) >= 0) {
      const line = buf[stream].slice(0, i)
      buf[stream] = buf[stream].slice(i + 1)
      onLine(stream, line)
    }
  }
  return {stdout: feed('stdout'), stderr: feed('stderr')}
}

/** Sinks that hand stdout to `onLine` one line at a time (without its "\n"; a last line without one is dropped) and drop stderr. */
export function lineSinks(onLine: (line: string) => void): Sinks {
  return splitLines((stream, line) => {
    if (stream === 'stdout') onLine(line)
  })
}

/** One command to run in a running container. */
export interface ExecRequest {
  container: string
  cmd: string[]
  /** Extra environment variables of the process. */
  env?: Record<string, string>
  /** The step StepErrors name. */
  step: string
  /** How long the output may take to end, in ms; none if absent. Each engine call also has READ_TIMEOUT_MS. */
  timeoutMs?: number
  signal?: AbortSignal
}

/** How many times the exit code is asked again after the output ended (EXIT_POLLS x EXIT_POLL_MS = 2 s x LVSLAB_TIME_SCALE in all). */
export const EXIT_POLLS = 100 * timeScale()

/** The pause (ms) between two asks of the exit code. */
export const EXIT_POLL_MS = 20

/**
 * Runs a command in a running container: POST /containers/{id}/exec, POST /exec/{id}/start (attached,
 * hijacked), the output demuxed into `sinks` until the stream ends, then GET /exec/{id}/json until the
 * engine has an exit code (up to EXIT_POLLS x EXIT_POLL_MS: the engine may see the process end a
 * little after its output). Each engine call has READ_TIMEOUT_MS; the output, req.timeoutMs.
 * @returns the command's exit code.
 * @throws StepError(req.step, ...) on a timeout, an abort ("interrupted"), or an exit code the engine
 *   never gave (saying why); the engine's or the stream's own error otherwise.
 */
export async function execIn(client: ExecClient, req: ExecRequest, sinks: Sinks): Promise<number> {
  const {step, signal} = req
  const call = (name: string): Deadline => ({step, call: name, timeoutMs: READ_TIMEOUT_MS, signal})
  const env = Object.entries(req.env ?? {}).map(([k, v]) => `${k}=${v}`)
  const exec = await withDeadline(call('exec create'), (abortSignal) =>
    client.getContainer(req.container).exec({
      Cmd: req.cmd,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      ...(env.length > 0 ? {Env: env} : {}),
      abortSignal,
    }),
  )
  const stream = (await withDeadline(call('exec start'), (abortSignal) =>
    exec.start({hijack: true, stdin: false, abortSignal}),
  )) as OutputStream
  await drain(client.modem, stream, sinks, {step, call: 'exec', timeoutMs: req.timeoutMs, signal})
  // The exit code is only known once the engine has seen the process end.
  let info = await withDeadline(call('exec inspect'), (abortSignal) => exec.inspect({abortSignal}))
  for (let i = 0; i < EXIT_POLLS && (info.Running || info.ExitCode === null); i++) {
    await new Promise((r) => setTimeout(r, EXIT_POLL_MS))
    info = await withDeadline(call('exec inspect'), (abortSignal) => exec.inspect({abortSignal}))
  }
  if (info.Running || info.ExitCode === null) {
    const why = info.Running ? 'the engine still reports the process running' : 'the engine reports no exit code'
    throw new StepError(step, `no exit code: the output ended but ${why} after ${seconds(EXIT_POLLS * EXIT_POLL_MS)} s`)
  }
  return info.ExitCode
}

/** An exec's step name: "exec in CONTAINER: CMD", whitespace squeezed, at most 120 characters. */
export function execStep(container: string, cmd: string[]): string {
  return `exec in ${container}: ${cmd.join(' ').replace(/\s+/g, ' ').trim()}`.slice(0, 120)
}
