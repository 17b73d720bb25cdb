// Files into containers without the engine's archive upload: into a running one by an exec (putFile),
// into a throwaway one through its environment (runOnce); a file read out of an image through the
// archive download of a created, never started container (readImageFile). Docker 28's archive upload
// (PUT /containers/{id}/archive) fails on kernels without fchmodat2 (before 6.6) with
// "chmod FILE: via /proc/self/fd/N: no such file or directory", measured on Docker 28.5.2 over Debian's
// 6.1 kernel.
import {posix} from 'node:path'
import type {Readable} from 'node:stream'
import type Docker from 'dockerode'
import {extract} from 'tar-stream'
import {StepError} from '../../errors.js'
import type {CallOptions, ExecResult, RunOnceOptions} from '../types.js'
import {type Deadline, EXEC_TIMEOUT_MS, engineStep, isNotFound, READ_TIMEOUT_MS, withDeadline, WRITE_TIMEOUT_MS} from './calls.js'
import {collector, type Demuxer, drain, execIn, type ExecClient, execStep, type OutputStream} from './exec.js'
import {bufferStream} from './images.js'

/** Writes $LVSLAB_FILE (base64) to $2 in folder $1 with mode $3, atomically by rename. */
const PUT_FILE = 'set -e; mkdir -p "$1"; t="$2.lvslab-new"; printf %s "$LVSLAB_FILE" | base64 -d > "$t"; chmod "$3" "$t"; mv -f "$t" "$2"'

/**
 * Installs a file in a running container through one exec (mkdir -p, base64 -d, chmod, rename), the
 * content travelling base64 in the exec's environment. The file appears at once, by rename. The exec
 * has EXEC_TIMEOUT_MS unless opts.timeoutMs.
 * @param mode the file's mode, default 0644
 * @throws StepError "install PATH in CONTAINER" with the container's own error text (its last two
 *   lines) when the script fails; the exec's StepError ("exec in CONTAINER: sh -c ...") when the exec does.
 */
export async function putFile(
  client: ExecClient,
  container: string,
  path: string,
  content: string,
  mode = 0o644,
  opts: CallOptions = {},
): Promise<void> {
  const step = `install ${path} in ${container}`
  const cmd = ['sh', '-c', PUT_FILE, 'sh', posix.dirname(path), path, mode.toString(8)]
  const env = {LVSLAB_FILE: Buffer.from(content, 'utf8').toString('base64')}
  const out = collector()
  // the exec's own failures name the exec (as Runtime.exec does); a non-zero exit names the file
  const exec = {container, cmd, env, step: execStep(container, cmd), timeoutMs: opts.timeoutMs ?? EXEC_TIMEOUT_MS, signal: opts.signal}
  const exitCode = await engineStep(exec.step, () => execIn(client, exec, out.sinks))
  const res = out.text()
  if (exitCode !== 0) throw new StepError(step, (res.stderr || res.stdout).trim().split('\n').slice(-2).join(' / ') || `exit ${exitCode}`)
}

/** The part of dockerode runOnce uses. */
export interface RunClient {
  modem: Demuxer
  createContainer(opts: Docker.ContainerCreateOptions): Promise<Pick<Docker.Container, 'start' | 'wait' | 'logs' | 'remove'>>
}

/**
 * Runs a throwaway container of `image` to its end, never on a network (NetworkMode none), labelled
 * lvslab.throwaway, then removes it: POST /containers/create, POST /containers/{id}/start,
 * POST /containers/{id}/wait (opts.timeoutMs, default EXEC_TIMEOUT_MS), GET /containers/{id}/logs,
 * DELETE /containers/{id}?force=1. opts.files travel base64 in the environment (LVSLAB_FILE_<i>) and
 * are written by sh before the command is exec'd.
 * @throws StepError "run CMD in IMAGE" on a file path with other characters than letters, digits
 *   and ._/-, a timeout, an abort, or any engine failure.
 */
export function runOnce(client: RunClient, image: string, cmd: string[], opts: RunOnceOptions = {}): Promise<ExecResult> {
  const step = `run ${cmd.join(' ')} in ${image}`
  const deadline = (call: string, timeoutMs: number): Deadline => ({step, call, timeoutMs, signal: opts.signal})
  return engineStep(step, async () => {
    const files = Object.entries(opts.files ?? {})
    const write = files
      .map(([path], i) => `mkdir -p '${posix.dirname(path)}' && printf %s "$LVSLAB_FILE_${i}" | base64 -d > '${path}'`)
      .join(' && ')
    if (files.some(([path]) => !/^\/[A-Za-z0-9._/-]+$/.test(path)))
      throw new StepError(step, 'a file path with characters other than letters, digits and ._/-')
    // created whatever the signal says (no signal: let settle), so that the finally below removes it;
    // an interrupt then ends the start at once
    const c = await withDeadline({step, call: 'container create', timeoutMs: WRITE_TIMEOUT_MS}, (abortSignal) =>
      client.createContainer({
        Image: image,
        ...(files.length > 0
          ? {Entrypoint: ['sh', '-c', `${write} && exec "$@"`, 'sh'], Cmd: cmd}
          : {Entrypoint: cmd.slice(0, 1), Cmd: cmd.slice(1)}),
        Env: files.map(([, content], i) => `LVSLAB_FILE_${i}=${Buffer.from(content, 'utf8').toString('base64')}`),
        HostConfig: {NetworkMode: 'none', Privileged: Boolean(opts.privileged)},
        Labels: {'lvslab.throwaway': 'true'},
        abortSignal,
      }),
    )
    try {
      await withDeadline({...deadline('container start', WRITE_TIMEOUT_MS), settle: true}, (abortSignal) => c.start({abortSignal}))
      const result = await withDeadline(deadline('container wait', opts.timeoutMs ?? EXEC_TIMEOUT_MS), (abortSignal) =>
        c.wait({abortSignal}),
      )
      const logs = await withDeadline(deadline('container logs', READ_TIMEOUT_MS), (abortSignal) =>
        c.logs({stdout: true, stderr: true, follow: false, abortSignal}),
      )
      const out = collector()
      await drain(client.modem, bufferStream(logs) as OutputStream, out.sinks, deadline('container logs', READ_TIMEOUT_MS))
      return {exitCode: (result as {StatusCode: number}).StatusCode, ...out.text()}
    } finally {
      // Removed even when interrupted (no signal), but not waited for beyond WRITE_TIMEOUT_MS; one left
      // behind is labelled lvslab.throwaway.
      await withDeadline({step, call: 'container remove', timeoutMs: WRITE_TIMEOUT_MS}, (abortSignal) =>
        c.remove({force: true, abortSignal}),
      ).catch(() => undefined)
    }
  })
}

/** The part of dockerode readImageFile uses. */
export interface ArchiveClient {
  createContainer(opts: Docker.ContainerCreateOptions): Promise<Pick<Docker.Container, 'getArchive' | 'remove'>>
}

/**
 * The content of the first regular file of a tar stream (utf8); undefined when it holds none. The
 * stream is destroyed in every case; an error of it, or `signal`, ends the read.
 */
async function firstFile(tar: Readable, signal: AbortSignal): Promise<string | undefined> {
  const x = extract()
  const stop = () => x.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'))
  signal.addEventListener('abort', stop, {once: true})
  tar.on('error', (error) => x.destroy(error))
  tar.pipe(x)
  try {
    if (signal.aborted) stop()
    for await (const entry of x) {
      const chunks: Buffer[] = []
      for await (const c of entry) chunks.push(c as Buffer)
      if (entry.header.type === 'file') return Buffer.concat(chunks).toString('utf8')
    }
    return undefined
  } finally {
    signal.removeEventListener('abort', stop)
    tar.unpipe(x)
    tar.destroy()
  }
}

/**
 * Runtime.readImageFile over the engine: POST /containers/create (never started, NetworkMode none,
 * labelled lvslab.throwaway and opts.labels), GET /containers/{id}/archive?path=PATH (a read: Docker
 * 28's archive failure on older kernels is in the upload only), DELETE /containers/{id}?force=1. Each
 * call has WRITE_TIMEOUT_MS or READ_TIMEOUT_MS unless opts.timeoutMs.
 * @returns the file's content (utf8), or undefined when the image has no such file (404)
 * @throws StepError "read PATH in IMAGE" on a timeout, an abort ("interrupted"), or any other engine failure
 */
export function readImageFile(
  client: ArchiveClient,
  image: string,
  path: string,
  opts: CallOptions & {labels?: Record<string, string>} = {},
): Promise<string | undefined> {
  const step = `read ${path} in ${image}`
  return engineStep(step, async () => {
    if (opts.signal?.aborted) throw new StepError(step, 'interrupted')
    // created whatever the signal says (no signal: let settle), so that the finally below removes it
    const c = await withDeadline({step, call: 'container create', timeoutMs: opts.timeoutMs ?? WRITE_TIMEOUT_MS}, (abortSignal) =>
      client.createContainer({
        Image: image,
        Entrypoint: ['true'],
        Cmd: [],
        HostConfig: {NetworkMode: 'none'},
        Labels: {...opts.labels, 'lvslab.throwaway': 'true'},
        abortSignal,
      }),
    )
    try {
      // the archive's request and its whole body under one deadline and the caller's signal
      const d = {step, call: 'container archive', timeoutMs: opts.timeoutMs ?? READ_TIMEOUT_MS, signal: opts.signal}
      return await withDeadline(d, async (abortSignal) => {
        const tar = await c.getArchive({path, abortSignal} as {path: string}).catch((error: unknown) => {
          if (isNotFound(error)) return undefined
          throw error
        })
        return tar ? await firstFile(tar as unknown as Readable, abortSignal) : undefined
      })
    } finally {
      // removed even when interrupted (no signal), but not waited for beyond WRITE_TIMEOUT_MS
      await withDeadline({step, call: 'container remove', timeoutMs: WRITE_TIMEOUT_MS}, (abortSignal) =>
        c.remove({force: true, abortSignal}),
      ).catch(() => undefined)
    }
  })
}
