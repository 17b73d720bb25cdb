// The Docker adapter's one exec primitive, against a fake dockerode (docker-modem's real demuxStream):
// output demuxed, the exit code read only after the output's end, a stream error, a timeout and an
// abort each reject, and an exit code the engine never gives is an error, never -1.
import {PassThrough} from 'node:stream'
import Docker from 'dockerode'
import {describe, expect, it} from 'vitest'
import {StepError} from '../../src/errors.js'
import {DockerRuntime} from '../../src/runtime/docker/index.js'
import {collector, execIn, type ExecClient} from '../../src/runtime/docker/exec.js'

const modem = new Docker({socketPath: '/nonexistent/docker.sock'}).modem

/** One frame of the engine's multiplexed stream: 1 stdout, 2 stderr; an 8-byte header, then the bytes. */
function frame(kind: 1 | 2, text: string): Buffer {
  const body = Buffer.from(text, 'utf8')
  const header = Buffer.alloc(8)
  header.writeUInt8(kind, 0)
  header.writeUInt32BE(body.length, 4)
  return Buffer.concat([header, body])
}

interface Fake {
  client: ExecClient
  stream: PassThrough
  /** What happened, in order: create, start, end (of the stream), inspect. */
  events: string[]
  created: Docker.ExecCreateOptions[]
}

/** A fake dockerode whose exec's stream is `stream`, and whose exec inspect answers `answers` in turn (the last one repeats). */
function fake(answers: {Running: boolean; ExitCode: number | null}[]): Fake {
  const stream = new PassThrough()
  const events: string[] = []
  const created: Docker.ExecCreateOptions[] = []
  stream.on('end', () => events.push('end'))
  let n = 0
  const client: ExecClient = {
    modem,
    getContainer: () => ({
      exec: async (opts) => {
        events.push('create')
        created.push(opts)
        return {
          start: async () => {
            events.push('start')
            return stream
          },
          inspect: async () => {
            events.push('inspect')
            return answers[Math.min(n++, answers.length - 1)]!
          },
        }
      },
    }),
  }
  return {client, stream, events, created}
}

const req = {container: 'c1', cmd: ['sh', '-c', 'x'], step: 'exec in c1: sh -c x'}

describe('the exec primitive', () => {
  it('demuxes stdout and stderr (frames split anywhere), then reads the exit code after the end', async () => {
    const f = fake([
      {Running: true, ExitCode: null},
      {Running: false, ExitCode: 3},
    ])
    const out = collector()
    const done = execIn(f.client, {...req, env: {A: '1'}}, out.sinks)
    await new Promise((r) => setTimeout(r, 5))
    const bytes = Buffer.concat([frame(1, 'hello\n'), frame(2, 'oops\n'), frame(1, 'wörld\n')])
    f.stream.write(bytes.subarray(0, 3))
    f.stream.write(bytes.subarray(3, 17))
    f.stream.write(bytes.subarray(17))
    await new Promise((r) => setTimeout(r, 5))
    expect(f.events).not.toContain('inspect')
    f.stream.end()
    expect(await done).toBe(3)
    expect(out.text()).toEqual({stdout: 'hello\nwörld\n', stderr: 'oops\n'})
    expect(f.events).toEqual(['create', 'start', 'end', 'inspect', 'inspect'])
    expect(f.created[0]).toMatchObject({Cmd: req.cmd, AttachStdout: true, AttachStderr: true, Tty: false, Env: ['A=1']})
  })

  it('rejects on a stream error (never takes it for an end)', async () => {
    const f = fake([{Running: false, ExitCode: 0}])
    const done = execIn(f.client, req, collector().sinks)
    await new Promise((r) => setTimeout(r, 5))
    f.stream.destroy(new Error('connection reset by peer'))
    await expect(done).rejects.toThrow('connection reset by peer')
    expect(f.events).not.toContain('inspect')
  })

  it('an exit code the engine never gives is an error saying why, not -1', async () => {
    const f = fake([{Running: true, ExitCode: null}])
    const done = execIn(f.client, req, collector().sinks)
    f.stream.end()
    await expect(done).rejects.toThrow(/^exec in c1: sh -c x: no exit code: .*still reports the process running after 2 s$/)
  })

  it('a timeout destroys the stream and names the call and the seconds', async () => {
    const f = fake([{Running: false, ExitCode: 0}])
    const done = execIn(f.client, {...req, timeoutMs: 50}, collector().sinks)
    const error = await done.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StepError)
    expect((error as Error).message).toBe('exec in c1: sh -c x: exec timed out after 0.05 s')
    expect(f.stream.destroyed).toBe(true)
    expect(f.events).not.toContain('inspect')
  })

  it('an abort destroys the stream: "interrupted"; an abort before it starts creates nothing', async () => {
    const f = fake([{Running: false, ExitCode: 0}])
    const ac = new AbortController()
    const done = execIn(f.client, {...req, signal: ac.signal}, collector().sinks)
    await new Promise((r) => setTimeout(r, 5))
    ac.abort()
    await expect(done).rejects.toThrow('exec in c1: sh -c x: interrupted')
    expect(f.stream.destroyed).toBe(true)

    const g = fake([{Running: false, ExitCode: 0}])
    await expect(execIn(g.client, {...req, signal: AbortSignal.abort()}, collector().sinks)).rejects.toThrow('interrupted')
    expect(g.events).toEqual([])
  })
})

describe('DockerRuntime over the exec primitive', () => {
  const runtime = (f: Fake) => new DockerRuntime(f.client as unknown as Docker, {local: true})

  it('exec: output and exit code; an engine error becomes a StepError with its own words', async () => {
    const f = fake([{Running: false, ExitCode: 0}])
    f.stream.end(frame(1, 'ok\n'))
    expect(await runtime(f).exec('c1', ['true'])).toEqual({exitCode: 0, stdout: 'ok\n', stderr: ''})

    const broken = {
      modem,
      getContainer: () => ({
        exec: async () => {
          throw Object.assign(new Error('(HTTP code 409) unexpected - container abc is not running'), {
            statusCode: 409,
            json: {message: 'container abc is not running'},
          })
        },
      }),
    }
    await expect(new DockerRuntime(broken as unknown as Docker).exec('c1', ['true'])).rejects.toThrow(
      /^exec in c1: true: container abc is not running$/,
    )
  })

  it('execStream: stdout line by line, stderr dropped; the exit code', async () => {
    const f = fake([{Running: false, ExitCode: 0}])
    const lines: string[] = []
    const done = runtime(f).execStream('c1', ['loop'], (l) => lines.push(l), new AbortController().signal)
    f.stream.write(frame(1, 'a\nb'))
    f.stream.write(frame(2, 'noise\n'))
    f.stream.end(frame(1, 'c\n'))
    expect(await done).toBe(0)
    expect(lines).toEqual(['a', 'bc'])
  })

  it('putFile: the content base64 in the environment; a failure names the file with the last two lines', async () => {
    const f = fake([{Running: false, ExitCode: 1}])
    f.stream.end(frame(2, 'one\ntwo\nmv: cannot move\n'))
    await expect(runtime(f).putFile('c1', '/etc/x.conf', 'héllo')).rejects.toThrow('install /etc/x.conf in c1: two / mv: cannot move')
    expect(f.created[0]!.Env).toEqual([`LVSLAB_FILE=${Buffer.from('héllo').toString('base64')}`])
    expect(f.created[0]!.Cmd!.slice(3)).toEqual(['sh', '/etc', '/etc/x.conf', '644'])
  })
})
