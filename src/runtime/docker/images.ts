// Images on the Docker engine: inspect, list, tag, build (from a tar context), import (a root filesystem).
import {PassThrough, type Readable} from 'node:stream'
import type Docker from 'dockerode'
import {pack} from 'tar-stream'
import {StepError} from '../../errors.js'
import type {CallOptions, ImageInfo, Progress} from '../types.js'
import {engineMessage, engineStep, isNotFound, READ_TIMEOUT_MS, withDeadline, WRITE_TIMEOUT_MS} from './calls.js'

/** A tar archive (bytes) of the given files, each with its mode (default 0644) and time 0: build contexts. */
export function tarOf(files: Record<string, {content: string | Buffer; mode?: number}>): Promise<Buffer> {
  const p = pack()
  for (const [name, f] of Object.entries(files)) p.entry({name, mode: f.mode ?? 0o644, mtime: new Date(0)}, f.content)
  p.finalize()
  const chunks: Buffer[] = []
  return new Promise((resolve, reject) => {
    p.on('data', (c: unknown) => chunks.push(c as Buffer))
    p.on('end', () => resolve(Buffer.concat(chunks)))
    p.on('error', reject)
  })
}

/** A readable stream of the given bytes. */
export function bufferStream(buf: Buffer): PassThrough {
  const s = new PassThrough()
  s.end(buf)
  return s
}

/** An image reference split into repository and tag ("latest" when none): lvslab/lab:x -> [lvslab/lab, x]. */
export function splitRef(ref: string): [string, string] {
  const i = ref.lastIndexOf(':')
  if (i > ref.lastIndexOf('/')) return [ref.slice(0, i), ref.slice(i + 1)]
  return [ref, 'latest']
}

/** One event of a build's or an import's JSON progress stream. */
interface ProgressEvent {
  stream?: string
  status?: string
  error?: string
  errorDetail?: {message?: string}
  aux?: {ID?: string}
}

/** The part of dockerode images use. */
export type ImageClient = Pick<Docker, 'getImage' | 'listImages' | 'buildImage' | 'importImage' | 'modem'>

/**
 * The engine's images. Inspect and list have READ_TIMEOUT_MS, tag WRITE_TIMEOUT_MS (unless
 * opts.timeoutMs); builds and imports have no timeout (they may download for long) but stop when
 * their signal aborts. Every failure is a StepError naming the step.
 */
export class Images {
  /**
   * @param docker the dockerode calls images use (getImage, listImages, buildImage, importImage, and its modem's
   *   followProgress for a build's or an import's progress stream)
   */
  constructor(private readonly docker: ImageClient) {}

  /**
   * GET /images/{ref}/json; undefined when there is none (404). dockerode's image inspect takes no
   * abort signal: the deadline races it.
   */
  find(ref: string, opts: CallOptions = {}): Promise<ImageInfo | undefined> {
    const step = `inspect image ${ref}`
    return engineStep(step, async () => {
      try {
        const i = await withDeadline({step, call: 'image inspect', timeoutMs: opts.timeoutMs ?? READ_TIMEOUT_MS, signal: opts.signal}, () =>
          this.docker.getImage(ref).inspect(),
        )
        return {id: i.Id, tags: i.RepoTags ?? [], labels: i.Config?.Labels ?? {}, created: i.Created}
      } catch (error) {
        if (isNotFound(error)) return undefined
        throw error
      }
    })
  }

  /** GET /images/json, with label filters if given; `created` from the list's epoch seconds. */
  list(filters?: {label?: string[]}, opts: CallOptions = {}): Promise<ImageInfo[]> {
    const step = 'list images'
    return engineStep(step, async () => {
      const list = await withDeadline(
        {step, call: 'image list', timeoutMs: opts.timeoutMs ?? READ_TIMEOUT_MS, signal: opts.signal},
        (abortSignal) => this.docker.listImages({...(filters ? {filters} : {}), abortSignal}),
      )
      return list.map((i) => ({
        id: i.Id,
        tags: i.RepoTags ?? [],
        labels: i.Labels ?? {},
        created: new Date(i.Created * 1000).toISOString(),
      }))
    })
  }

  /** POST /images/{id}/tag?repo=..&tag=.. (tag "latest" when ref has none). */
  tag(id: string, ref: string, opts: CallOptions = {}): Promise<void> {
    const [repo, tag] = splitRef(ref)
    const step = `tag ${ref}`
    return engineStep(step, async () => {
      await withDeadline(
        {step, call: 'image tag', timeoutMs: opts.timeoutMs ?? WRITE_TIMEOUT_MS, signal: opts.signal, settle: true},
        (abortSignal) => this.docker.getImage(id).tag({repo, tag, abortSignal}),
      )
    })
  }

  /** Follows a progress stream to its end; the image id if the engine said it. followProgress reports success even when the build failed: every event is looked at. */
  private follow(step: string, stream: NodeJS.ReadableStream, onProgress: Progress): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      let failure: string | undefined
      let id: string | undefined
      this.docker.modem.followProgress(
        stream,
        (err: Error | null) => {
          if (err) reject(new StepError(step, engineMessage(err)))
          else if (failure) reject(new StepError(step, failure))
          else resolve(id)
        },
        (event: ProgressEvent) => {
          if (event.error || event.errorDetail) failure = (event.errorDetail?.message ?? event.error ?? 'failed').trim()
          if (event.aux?.ID) id = event.aux.ID
          const text = (event.stream ?? event.status ?? '').trim()
          if (text) for (const line of text.split('\n')) onProgress(line)
        },
      )
    })
  }

  /**
   * POST /build of a tar of `context` (the Dockerfile 0644, every other file 0755) tagged tags[0],
   * then GET /images/{tags[0]}/json and a tag for each other tag. No timeout; `signal` aborts it (the
   * request and its progress stream, under withDeadline: ended at once even if the stream ignores it).
   * @throws StepError naming the build, with the engine's first error event or its error; "interrupted"
   *   when `signal` aborts.
   */
  build(context: Record<string, string>, tags: string[], onProgress: Progress, signal?: AbortSignal): Promise<ImageInfo> {
    const [first = ''] = tags
    const step = `build image ${first}`
    return engineStep(step, async () => {
      const files = Object.fromEntries(Object.entries(context).map(([k, v]) => [k, {content: v, mode: k === 'Dockerfile' ? 0o644 : 0o755}]))
      const tar = await tarOf(files)
      await withDeadline({step, call: 'image build', signal}, async (abortSignal) => {
        const stream = await this.docker.buildImage(bufferStream(tar), {t: first, rm: true, forcerm: true, abortSignal})
        await this.follow(step, stream, onProgress)
      })
      const image = await this.find(first, {signal})
      if (!image) throw new StepError(step, 'the build finished but left no image')
      for (const t of tags.slice(1)) await this.tag(image.id, t, {signal})
      return image
    })
  }

  /**
   * POST /images/create?fromSrc=- of a root filesystem tar, as `ref`, then GET /images/{ref}/json.
   * No timeout; `signal` aborts it (the request and its progress stream, as for a build).
   * @throws StepError naming the import, with the engine's first error event or its error; "interrupted"
   *   when `signal` aborts.
   */
  import(rootfs: Readable, ref: string, onProgress: Progress, signal?: AbortSignal): Promise<ImageInfo> {
    const step = `import image ${ref}`
    const [repo, tag] = splitRef(ref)
    return engineStep(step, async () => {
      await withDeadline({step, call: 'image import', signal}, async (abortSignal) => {
        const stream = await this.docker.importImage(rootfs, {repo, tag, abortSignal})
        await this.follow(step, stream, onProgress)
      })
      const image = await this.find(ref, {signal})
      if (!image) throw new StepError(step, 'the import finished but left no image')
      return image
    })
  }
}
