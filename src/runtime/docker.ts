// Docker as the runtime: the only module that imports dockerode. Narrow clients per resource,
// exec output demuxed and its exit code read only after the stream has ended.
import {posix} from 'node:path'
import {PassThrough, type Readable} from 'node:stream'
import Docker from 'dockerode'
import {pack} from 'tar-stream'
import {StepError} from '../lab/errors.js'
import {ENDPOINT_SYSCTLS, placeSysctls, sysctlDefect} from './sysctls.js'
import type {
  ContainerInfo,
  ContainerSpec,
  EngineInfo,
  ExecOptions,
  ExecResult,
  ImageInfo,
  NetworkInfo,
  NetworkSpec,
  Progress,
  Runtime,
} from './types.js'

const EXEC_TIMEOUT_MS = 120_000

/** Writes $LVSLAB_FILE (base64) to $2 in folder $1 with mode $3, atomically by rename. */
const PUT_FILE = 'set -e; mkdir -p "$1"; t="$2.lvslab-new"; printf %s "$LVSLAB_FILE" | base64 -d > "$t"; chmod "$3" "$t"; mv -f "$t" "$2"'

type DockerError = Error & {statusCode?: number; json?: {message?: string}; reason?: string}

function isNotFound(error: unknown): boolean {
  return (error as DockerError)?.statusCode === 404
}

/** The engine's own words, without dockerode's HTTP wrapping. */
export function engineMessage(error: unknown): string {
  const e = error as DockerError
  const text = e?.json?.message ?? e?.message ?? String(error)
  return text.replace(/^\(HTTP code \d+\) [a-z ]+ - /, '').trim()
}

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

/**
 * The Runtime over dockerode: the only code that talks to the Docker engine (DOCKER_HOST, or the local
 * socket). Every failure becomes a StepError naming the step, with the engine's own words.
 */
export class DockerRuntime implements Runtime {
  readonly docker: Docker

  constructor(docker?: Docker) {
    this.docker = docker ?? new Docker()
  }

  private call<T>(step: string, fn: () => Promise<T>): Promise<T> {
    return fn().catch((error: unknown) => {
      if (error instanceof StepError) throw error
      const code = (error as NodeJS.ErrnoException).code
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

  private version?: Promise<Docker.DockerVersion>

  /** The engine's version, asked once per runtime (an engine does not change its API under us). */
  private engineVersion(): Promise<Docker.DockerVersion> {
    this.version ??= this.docker.version()
    this.version.catch(() => {
      this.version = undefined
    })
    return this.version
  }

  async info(): Promise<EngineInfo> {
    return this.call('engine', async () => {
      const [v, i] = await Promise.all([this.engineVersion(), this.docker.info() as Promise<{OperatingSystem?: string; OSType?: string}>])
      const modem = this.docker.modem as unknown as {socketPath?: string; host?: string}
      return {
        version: v.Version,
        apiVersion: v.ApiVersion,
        kernel: v.KernelVersion,
        os: i.OperatingSystem ?? '',
        desktop: /Docker Desktop/i.test(i.OperatingSystem ?? ''),
        local: Boolean(modem.socketPath) && !modem.host,
      }
    })
  }

  private toNetwork(n: Docker.NetworkInspectInfo): NetworkInfo {
    return {
      id: n.Id,
      name: n.Name,
      subnets: (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter((s): s is string => Boolean(s)),
      labels: n.Labels ?? {},
    }
  }

  async listNetworks(filters?: {label?: string[]}): Promise<NetworkInfo[]> {
    return this.call('list networks', async () => {
      const list = await this.docker.listNetworks(filters ? {filters} : {})
      return list.map((n) => this.toNetwork(n))
    })
  }

  async findNetwork(name: string): Promise<NetworkInfo | undefined> {
    return this.call(`inspect network ${name}`, async () => {
      try {
        const n = (await this.docker.getNetwork(name).inspect()) as Docker.NetworkInspectInfo
        return n.Name === name ? this.toNetwork(n) : undefined
      } catch (error) {
        if (isNotFound(error)) return undefined
        throw error
      }
    })
  }

  async createNetwork(spec: NetworkSpec): Promise<NetworkInfo> {
    return this.call(`create network ${spec.name}`, async () => {
      await this.docker.createNetwork({
        Name: spec.name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Internal: spec.internal,
        Labels: spec.labels,
        IPAM: {Driver: 'default', Config: [{Subnet: spec.subnet, Gateway: spec.gateway}]},
      })
      const n = await this.findNetwork(spec.name)
      if (!n) throw new StepError(`create network ${spec.name}`, 'the engine did not keep the network')
      return n
    })
  }

  async removeNetwork(id: string): Promise<void> {
    return this.call(`remove network ${id}`, async () => {
      try {
        await this.docker.getNetwork(id).remove()
      } catch (error) {
        if (!isNotFound(error)) throw error
      }
    })
  }

  private toContainer(c: Docker.ContainerInspectInfo): ContainerInfo {
    const addresses: Record<string, string> = {}
    for (const [net, ep] of Object.entries(c.NetworkSettings?.Networks ?? {})) {
      addresses[net] = ep.IPAddress || ep.IPAMConfig?.IPv4Address || ''
    }
    return {
      id: c.Id,
      name: c.Name.replace(/^\//, ''),
      image: c.Config.Image,
      state: c.State.Status,
      running: c.State.Running,
      labels: c.Config.Labels ?? {},
      addresses,
    }
  }

  async listContainers(filters?: {label?: string[]}): Promise<ContainerInfo[]> {
    return this.call('list containers', async () => {
      const list = await this.docker.listContainers({all: true, ...(filters ? {filters} : {})})
      return list.map((c) => ({
        id: c.Id,
        name: (c.Names[0] ?? '').replace(/^\//, ''),
        image: c.Image,
        state: c.State,
        running: c.State === 'running',
        labels: c.Labels ?? {},
        addresses: Object.fromEntries(Object.entries(c.NetworkSettings?.Networks ?? {}).map(([k, v]) => [k, v.IPAddress ?? ''])),
      }))
    })
  }

  async findContainer(name: string): Promise<ContainerInfo | undefined> {
    return this.call(`inspect container ${name}`, async () => {
      try {
        return this.toContainer(await this.docker.getContainer(name).inspect())
      } catch (error) {
        if (isNotFound(error)) return undefined
        throw error
      }
    })
  }

  async createContainer(spec: ContainerSpec): Promise<ContainerInfo> {
    return this.call(`create container ${spec.name}`, async () => {
      const v = await this.engineVersion()
      const hasIfaceSysctls = Object.keys(spec.sysctls).some((k) => /^net\.ipv[46]\.conf\.eth0\./.test(k))
      const defect = hasIfaceSysctls ? sysctlDefect(v.Version) : undefined
      if (defect)
        throw new StepError(
          `create container ${spec.name}`,
          defect,
          'upgrade the engine (Docker 26.0.1 or later), or use `lvslab up --privileged`',
        )
      // From API 1.46 per-interface sysctls go on the network endpoint (Docker 28 refuses them elsewhere).
      const sysctls = placeSysctls(spec.sysctls, v.ApiVersion)
      const c = await this.docker.createContainer({
        name: spec.name,
        Hostname: spec.hostname,
        Image: spec.image,
        Labels: spec.labels,
        HostConfig: {
          NetworkMode: spec.network,
          CapAdd: spec.capAdd,
          Privileged: spec.privileged,
          Sysctls: sysctls.container,
          RestartPolicy: {Name: 'no'},
        },
        NetworkingConfig: {
          EndpointsConfig: {
            [spec.network]: {
              IPAMConfig: {IPv4Address: spec.ip},
              ...(sysctls.endpoint ? {DriverOpts: {[ENDPOINT_SYSCTLS]: sysctls.endpoint}} : {}),
            },
          },
        },
      })
      return this.toContainer(await c.inspect())
    })
  }

  async startContainer(id: string): Promise<void> {
    return this.call(`start container ${id}`, async () => {
      try {
        await this.docker.getContainer(id).start()
      } catch (error) {
        if ((error as DockerError).statusCode !== 304) throw error
      }
    })
  }

  async removeContainer(id: string): Promise<void> {
    return this.call(`remove container ${id}`, async () => {
      try {
        await this.docker.getContainer(id).remove({force: true, v: true})
      } catch (error) {
        if (!isNotFound(error) && !/already in progress/.test(engineMessage(error))) throw error
      }
    })
  }

  async exec(container: string, cmd: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const step = `exec in ${container}: ${cmd.join(' ').replace(/\s+/g, ' ').trim()}`.slice(0, 120)
    return this.call(step, async () => {
      const env = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`)
      const exec = await this.docker
        .getContainer(container)
        .exec({Cmd: cmd, AttachStdout: true, AttachStderr: true, Tty: false, ...(env.length > 0 ? {Env: env} : {})})
      const stream = (await exec.start({hijack: true, stdin: false})) as NodeJS.ReadWriteStream & {destroy(): void}
      const out = new PassThrough()
      const err = new PassThrough()
      const outChunks: Buffer[] = []
      const errChunks: Buffer[] = []
      out.on('data', (c: Buffer) => outChunks.push(c))
      err.on('data', (c: Buffer) => errChunks.push(c))
      this.docker.modem.demuxStream(stream, out, err)
      const timeoutMs = opts.timeoutMs ?? EXEC_TIMEOUT_MS
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          stream.destroy()
          reject(new StepError(step, `no answer within ${timeoutMs} ms`))
        }, timeoutMs)
        const onAbort = () => {
          clearTimeout(timer)
          stream.destroy()
          reject(new StepError(step, 'interrupted'))
        }
        opts.signal?.addEventListener('abort', onAbort, {once: true})
        stream.on('end', () => {
          clearTimeout(timer)
          opts.signal?.removeEventListener('abort', onAbort)
          resolve()
        })
        stream.on('close', () => {
          clearTimeout(timer)
          opts.signal?.removeEventListener('abort', onAbort)
          resolve()
        })
        stream.on('error', (e) => {
          clearTimeout(timer)
          reject(e)
        })
      })
      // The exit code is only known once the engine has seen the process end.
      let info = await exec.inspect()
      for (let i = 0; i < 100 && (info.Running || info.ExitCode === null); i++) {
        await new Promise((r) => setTimeout(r, 20))
        info = await exec.inspect()
      }
      return {
        exitCode: info.ExitCode ?? -1,
        stdout: Buffer.concat(outChunks).toString('utf8'),
        stderr: Buffer.concat(errChunks).toString('utf8'),
      }
    })
  }

  async execStream(container: string, cmd: string[], onLine: (line: string) => void, signal: AbortSignal): Promise<number> {
    const exec = await this.docker.getContainer(container).exec({Cmd: cmd, AttachStdout: true, AttachStderr: true, Tty: false})
    const stream = (await exec.start({hijack: true, stdin: false})) as NodeJS.ReadWriteStream & {destroy(): void}
    const out = new PassThrough()
    let buf = ''
    out.on('data', (c: Buffer) => {
      buf += c.toString('utf8')
      let i
      while ((i = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, i))
        buf = buf.slice(i + 1)
      }
    })
    this.docker.modem.demuxStream(stream, out, new PassThrough())
    await new Promise<void>((resolve) => {
      const done = () => resolve()
      signal.addEventListener(
        'abort',
        () => {
          stream.destroy()
          resolve()
        },
        {once: true},
      )
      stream.on('end', done)
      stream.on('close', done)
      stream.on('error', done)
    })
    const info = await exec.inspect()
    return info.ExitCode ?? -1
  }

  /**
   * Installs a file in a running container through an exec (mkdir -p, base64 -d, chmod, rename), not
   * the engine's archive upload: Docker 28's upload (PUT /containers/{id}/archive) fails on kernels
   * without fchmodat2 (before 6.6) with "chmod FILE: via /proc/self/fd/N: no such file or directory",
   * measured on Docker 28.5.2 over Debian's 6.1 kernel. The file appears at once, by rename.
   * @throws StepError naming the file and the container, with the container's own error text.
   */
  async putFile(container: string, path: string, content: string, mode = 0o644): Promise<void> {
    const step = `install ${path} in ${container}`
    const res = await this.exec(container, ['sh', '-c', PUT_FILE, 'sh', posix.dirname(path), path, mode.toString(8)], {
      env: {LVSLAB_FILE: Buffer.from(content, 'utf8').toString('base64')},
    })
    if (res.exitCode !== 0)
      throw new StepError(step, (res.stderr || res.stdout).trim().split('\n').slice(-2).join(' / ') || `exit ${res.exitCode}`)
  }

  private toImage(i: Docker.ImageInspectInfo): ImageInfo {
    return {id: i.Id, tags: i.RepoTags ?? [], labels: i.Config?.Labels ?? {}, created: i.Created}
  }

  async findImage(ref: string): Promise<ImageInfo | undefined> {
    return this.call(`inspect image ${ref}`, async () => {
      try {
        return this.toImage(await this.docker.getImage(ref).inspect())
      } catch (error) {
        if (isNotFound(error)) return undefined
        throw error
      }
    })
  }

  async listImages(filters?: {label?: string[]}): Promise<ImageInfo[]> {
    return this.call('list images', async () => {
      const list = await this.docker.listImages(filters ? {filters} : {})
      return list.map((i) => ({
        id: i.Id,
        tags: i.RepoTags ?? [],
        labels: i.Labels ?? {},
        created: new Date(i.Created * 1000).toISOString(),
      }))
    })
  }

  async tagImage(id: string, ref: string): Promise<void> {
    const [repo, tag] = splitRef(ref)
    return this.call(`tag ${ref}`, async () => {
      await this.docker.getImage(id).tag({repo, tag})
    })
  }

  private follow(step: string, stream: NodeJS.ReadableStream, onProgress: Progress): Promise<string | undefined> {
    // followProgress reports success even when the build failed: look at every event.
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
        (event: {stream?: string; status?: string; error?: string; errorDetail?: {message?: string}; aux?: {ID?: string}}) => {
          if (event.error || event.errorDetail) failure = (event.errorDetail?.message ?? event.error ?? 'failed').trim()
          if (event.aux?.ID) id = event.aux.ID
          const text = (event.stream ?? event.status ?? '').trim()
          if (text) for (const line of text.split('\n')) onProgress(line)
        },
      )
    })
  }

  async buildImage(context: Record<string, string>, tags: string[], onProgress: Progress, signal?: AbortSignal): Promise<ImageInfo> {
    const step = `build image ${tags[0]}`
    return this.call(step, async () => {
      const files = Object.fromEntries(Object.entries(context).map(([k, v]) => [k, {content: v, mode: k === 'Dockerfile' ? 0o644 : 0o755}]))
      const tar = await tarOf(files)
      const stream = await this.docker.buildImage(tarStream(tar), {
        t: tags[0],
        rm: true,
        forcerm: true,
        ...(signal ? {abortSignal: signal} : {}),
      })
      await this.follow(step, stream, onProgress)
      const image = await this.findImage(tags[0]!)
      if (!image) throw new StepError(step, 'the build finished but left no image')
      for (const t of tags.slice(1)) await this.tagImage(image.id, t)
      return image
    })
  }

  async importImage(rootfs: Readable, ref: string, onProgress: Progress, signal?: AbortSignal): Promise<ImageInfo> {
    const step = `import image ${ref}`
    const [repo, tag] = splitRef(ref)
    return this.call(step, async () => {
      const stream = await this.docker.importImage(rootfs, {repo, tag, ...(signal ? {abortSignal: signal} : {})})
      await this.follow(step, stream, onProgress)
      const image = await this.findImage(ref)
      if (!image) throw new StepError(step, 'the import finished but left no image')
      return image
    })
  }

  async runOnce(
    image: string,
    cmd: string[],
    opts: {files?: Record<string, string>; timeoutMs?: number; privileged?: boolean} = {},
  ): Promise<ExecResult> {
    const step = `run ${cmd.join(' ')} in ${image}`
    return this.call(step, async () => {
      // Files travel in the environment and are written by sh before the command: the engine's archive
      // upload fails on Docker 28 over kernels before 6.6 (see putFile).
      const files = Object.entries(opts.files ?? {})
      const write = files
        .map(([path], i) => `mkdir -p '${posix.dirname(path)}' && printf %s "$LVSLAB_FILE_${i}" | base64 -d > '${path}'`)
        .join(' && ')
      if (files.some(([path]) => !/^\/[A-Za-z0-9._\/-]+$/.test(path)))
        throw new StepError(step, 'a file path with characters other than letters, digits and ._/-')
      const c = await this.docker.createContainer({
        Image: image,
        ...(files.length > 0
          ? {Entrypoint: ['sh', '-c', `${write} && exec "$@"`, 'sh'], Cmd: cmd}
          : {Entrypoint: cmd.slice(0, 1), Cmd: cmd.slice(1)}),
        Env: files.map(([, content], i) => `LVSLAB_FILE_${i}=${Buffer.from(content, 'utf8').toString('base64')}`),
        HostConfig: {NetworkMode: 'none', Privileged: Boolean(opts.privileged)},
        Labels: {'lvslab.throwaway': 'true'},
      })
      try {
        await c.start()
        const timeoutMs = opts.timeoutMs ?? EXEC_TIMEOUT_MS
        const result = (await Promise.race([
          c.wait(),
          new Promise((_, reject) =>
            setTimeout(() => reject(new StepError(step, `did not end within ${timeoutMs} ms`)), timeoutMs).unref(),
          ),
        ])) as {StatusCode: number}
        const logs = (await c.logs({stdout: true, stderr: true, follow: false})) as unknown as Buffer
        const out = new PassThrough()
        const err = new PassThrough()
        const o: Buffer[] = []
        const e: Buffer[] = []
        out.on('data', (b: Buffer) => o.push(b))
        err.on('data', (b: Buffer) => e.push(b))
        const src = tarStream(logs)
        await new Promise<void>((resolve) => {
          src.on('end', resolve)
          this.docker.modem.demuxStream(src, out, err)
        })
        return {exitCode: result.StatusCode, stdout: Buffer.concat(o).toString('utf8'), stderr: Buffer.concat(e).toString('utf8')}
      } finally {
        await c.remove({force: true}).catch(() => undefined)
      }
    })
  }
}

function tarStream(buf: Buffer): PassThrough {
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
