// The lab image: built from a Dockerfile template (needs a registry for its base image), or made
// offline from a root filesystem (`image import`), then topped with lvslab's own files.
import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {InputError, StepError} from '../errors.js'
import {BASE_IMAGES, type ImageVariant, renderImageContext, TEMPLATES_DIR} from '../render/index.js'
import {LABELS} from '../runtime/labels.js'
import type {ImageInfo, Progress, Runtime} from '../runtime/types.js'
import {checkRootfs, rootfsFingerprint, rootfsStream} from './rootfs.js'
import {runStep, type StepSink} from './steps.js'

export {checkRootfs} from './rootfs.js'

/** The image a lab uses when its file names none, and the tag `image build` and `image import` give by default. */
export const DEFAULT_IMAGE = 'lvslab/lab:latest'
/** The distributions `image build` has a Dockerfile template for (templates/Dockerfile.<base>.hbs). */
export const BUILD_BASES = ['rocky9', 'centos7', 'debian12'] as const
/** One of BUILD_BASES. */
export type BuildBase = (typeof BUILD_BASES)[number]
/** The base `image build` (and `up` without an image) uses: Rocky Linux 9. */
export const DEFAULT_BASE: BuildBase = 'rocky9'

/** An image made or reused: its tag, engine id, recipe, every tag given, whether reused, and the time taken (s). */
export interface ImageResult {
  image: string
  id: string
  variant: ImageVariant
  tags: string[]
  reused: boolean
  seconds: number
}

/** A hash of lvslab's own image files: a change to them makes a new image. */
function layerHash(): string {
  const h = createHash('sha256')
  for (const f of ['Dockerfile.lvslab-layer.hbs', 'Dockerfile.import.hbs', 'lvslab-init.hbs', 'lvslab-svc.hbs', 'lvslab-facts.hbs'])
    h.update(readFileSync(join(TEMPLATES_DIR, f)))
  return h.digest('hex').slice(0, 8)
}

/**
 * The build's flags, checked before anything runs: centos7 needs --mirror (its mirrors are retired),
 * and a mirror must be a plain http(s) URL (it goes into the Dockerfile's sed of yum's repo files).
 * @throws InputError naming --mirror, with the fix
 */
export function checkBuildOptions(opts: {base: BuildBase; mirror?: string}): void {
  if (opts.base === 'centos7' && !opts.mirror) {
    throw new InputError(
      '--mirror: centos7 needs it, its mirrors are retired (fix: pass --mirror with the base URL of a CentOS vault, the folder that holds 7.9.2009/)',
    )
  }
  if (opts.mirror && !/^https?:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~/%-]*)?$/.test(opts.mirror)) {
    throw new InputError(
      `--mirror: ${JSON.stringify(opts.mirror)} is not a plain http(s) URL (fix: give a URL such as http://host/centos with no spaces, quotes or "|")`,
    )
  }
}

/**
 * Builds the lab image from its Dockerfile template for a base (rocky9, centos7, debian12), tagged
 * `tag` (default lvslab/lab:latest) and lvslab/lab:<base>; the engine's output goes to onProgress line
 * by line; no timeout, `signal` stops it. `seconds` in the result is the whole build's time (s).
 * @throws InputError for bad options; StepError when the build fails (with the offline fix when the
 *   base image cannot be pulled)
 */
export async function buildImage(
  runtime: Runtime,
  opts: {base: BuildBase; tag?: string; mirror?: string; baseImage?: string},
  onProgress: Progress,
  signal?: AbortSignal,
): Promise<ImageResult> {
  checkBuildOptions(opts)
  const started = Date.now()
  const tag = opts.tag ?? DEFAULT_IMAGE
  const context = renderImageContext(opts.base, {
    baseImage: opts.baseImage ?? BASE_IMAGES[opts.base],
    mirror: opts.mirror?.replace(/\/$/, ''),
  })
  let image: ImageInfo
  try {
    image = await runtime.buildImage(context, [tag, `lvslab/lab:${opts.base}`], onProgress, signal)
  } catch (error) {
    const msg = (error instanceof Error ? error.message : String(error)).replace(/^build image \S+: /, '')
    if (
      /pull access denied|not found|dial tcp|lookup .* no such host|connection refused|i\/o timeout|manifest unknown|TLS handshake|network is unreachable/i.test(
        msg,
      )
    ) {
      throw new StepError(
        `build image ${tag}`,
        `cannot get the base image ${opts.baseImage ?? BASE_IMAGES[opts.base]}: ${msg.split('\n')[0]}`,
        'on a host without a registry, make the image offline: `lvslab image import --rootfs DIR|TAR` (a root filesystem with keepalived, ipvsadm, iproute2 (ip and tc), procps, curl, awk, sed, bash and Apache httpd)',
      )
    }
    throw error
  }
  return {
    image: tag,
    id: image.id,
    variant: opts.base,
    tags: [tag, `lvslab/lab:${opts.base}`],
    reused: false,
    seconds: (Date.now() - started) / 1000,
  }
}

/**
 * The offline path: imports a root filesystem (folder or tar) and adds lvslab's files on top; reuses
 * an image already made from the same root filesystem and the same lvslab files (by the tag
 * lvslab/lab:import-<rootfs fingerprint>-<lvslab files hash> and its lvslab.rootfs label), unless
 * `force`. No timeout; `signal` stops it. `seconds` in the result is the whole run's time (s).
 * @throws InputError for a bad --rootfs; StepError when the engine fails; execa's error when tar
 *   cannot read the folder
 */
export async function importImage(
  runtime: Runtime,
  opts: {rootfs: string; tag?: string; force?: boolean},
  onProgress: Progress,
  signal?: AbortSignal,
): Promise<ImageResult> {
  checkRootfs(opts.rootfs)
  const started = Date.now()
  const tag = opts.tag ?? DEFAULT_IMAGE
  const fp = rootfsFingerprint(opts.rootfs)
  const specific = `lvslab/lab:import-${fp}-${layerHash()}`
  const existing = opts.force ? undefined : await runtime.findImage(specific, {signal})
  if (existing && existing.labels[LABELS.ROOTFS] === fp) {
    const current = await runtime.findImage(tag, {signal})
    if (current?.id !== existing.id) await runtime.tagImage(existing.id, tag, {signal})
    onProgress(`image ${specific} already made from this root filesystem`)
    return {image: tag, id: existing.id, variant: 'import', tags: [tag, specific], reused: true, seconds: (Date.now() - started) / 1000}
  }
  const base = `lvslab/rootfs:${fp}`
  if (opts.force || !(await runtime.findImage(base, {signal}))) {
    onProgress(`importing ${opts.rootfs} as ${base}`)
    const {stream, done} = rootfsStream(opts.rootfs)
    await Promise.all([runtime.importImage(stream, base, onProgress, signal), done])
  }
  onProgress(`adding lvslab's files: ${specific}`)
  const image = await runtime.buildImage(renderImageContext('import', {baseImage: base, rootfs: fp}), [specific, tag], onProgress, signal)
  return {image: tag, id: image.id, variant: 'import', tags: [tag, specific], reused: false, seconds: (Date.now() - started) / 1000}
}

/** How the image use cases run: where their one step's events go, and the signal that stops them. */
export interface ImageStepOptions {
  onStep?: StepSink
  signal?: AbortSignal
}

/**
 * `image build` as one step, id "image-build", titled "Build <tag> on <base>": buildImage with the
 * engine's build output as the step's progress lines.
 * @throws as buildImage
 */
export function buildLabImage(
  runtime: Runtime,
  opts: {base: BuildBase; tag?: string; mirror?: string},
  {onStep, signal}: ImageStepOptions = {},
): Promise<ImageResult> {
  const title = `Build ${opts.tag ?? DEFAULT_IMAGE} on ${opts.base}`
  return runStep(onStep, 'image-build', title, (s) => buildImage(runtime, opts, (line) => s.progress(line), signal), {signal})
}

/**
 * `image import` as one step, id "image-import", titled "Import <rootfs> as <tag>": importImage with
 * its own and the engine's output as the step's progress lines.
 * @throws as importImage
 */
export function importLabImage(
  runtime: Runtime,
  opts: {rootfs: string; tag?: string; force?: boolean},
  {onStep, signal}: ImageStepOptions = {},
): Promise<ImageResult> {
  const title = `Import ${opts.rootfs} as ${opts.tag ?? DEFAULT_IMAGE}`
  return runStep(onStep, 'image-import', title, (s) => importImage(runtime, opts, (line) => s.progress(line), signal), {signal})
}
