// The runtime interface: what lvslab needs from a container engine. Docker implements it
// (docker/index.ts; src/runtime/docker/ is the only place that imports dockerode); the planner and the
// operations see only this.
import type {Readable} from 'node:stream'

/** A bridge network to create: its name, IPv4 subnet and gateway (CIDR, address), whether internal, its labels. */
export interface NetworkSpec {
  name: string
  subnet: string
  gateway: string
  internal: boolean
  labels: Record<string, string>
}

/** A network as the engine has it: id, name, IPv4 subnets (CIDR) and labels. */
export interface NetworkInfo {
  id: string
  name: string
  subnets: string[]
  labels: Record<string, string>
}

/**
 * A lab container to create on one network with a fixed IPv4 address: capabilities, privileged mode
 * and sysctls (plain names such as net.ipv4.conf.eth0.arp_ignore; the adapter places them by API).
 */
export interface ContainerSpec {
  name: string
  hostname: string
  image: string
  network: string
  ip: string
  labels: Record<string, string>
  capAdd: string[]
  privileged: boolean
  sysctls: Record<string, string>
  /** The container's own entrypoint, instead of the image's (e.g. a script that configures the node at its start). */
  entrypoint?: string[]
  /** The arguments of that entrypoint. */
  cmd?: string[]
  /** Environment variables of the container's processes (and of every exec in it). */
  env?: Record<string, string>
}

/** A container as the engine lists or inspects it: name without the leading slash, image, state ("running", "exited"...), labels. */
export interface ContainerInfo {
  id: string
  name: string
  image: string
  /** The engine's State.Status: "created", "running", "paused", "exited"... (an inspected paused container is also `running`; a listed one is not). */
  state: string
  running: boolean
  labels: Record<string, string>
  /** The address on each network, by network name. */
  addresses: Record<string, string>
}

/** What a command left: its exit code and its whole stdout and stderr (utf8). */
export interface ExecResult {
  exitCode: number
  stdout: string
  stderr: string
}

/**
 * How long one call to the engine may take, and what stops it early. Optional on every Runtime method:
 * without it an adapter uses its own default timeout for the kind of call (the Docker adapter's are in
 * src/runtime/docker/calls.ts: 30 s to read, 60 s to change, 120 s for an exec's output). A call that
 * times out or whose signal aborts throws a StepError naming the step.
 */
export interface CallOptions {
  /** Aborts the call; it then throws a StepError whose message is "interrupted". */
  signal?: AbortSignal
  /** Overrides the call's default timeout, in ms. */
  timeoutMs?: number
}

/** An exec's options: its environment, and (CallOptions) its timeout in ms and abort signal. */
export interface ExecOptions extends CallOptions {
  /** Extra environment variables of the exec'd process. */
  env?: Record<string, string>
}

/** What a container said up to a marker line (Runtime.logsUntil): that line, and all its output before it, by stream (utf8). */
export interface LogsUntil {
  line: string
  stdout: string
  stderr: string
}

/** runOnce's options: files written before the command, privileged mode, the run's timeout (ms) and signal. */
export interface RunOnceOptions extends CallOptions {
  /** Path to content (utf8); each path made only of letters, digits and ._/- */
  files?: Record<string, string>
  privileged?: boolean
}

/** What the engine says of itself (GET /version and GET /info), and whether lvslab reaches it on a local socket. */
export interface EngineInfo {
  version: string
  apiVersion: string
  /** True when the engine answers on a local socket (which may still front a VM, e.g. Docker Desktop). */
  local: boolean
  /** The kernel the engine's containers run on (not necessarily this machine's). */
  kernel: string
  /** The engine host's operating system as the engine names it, e.g. "Debian GNU/Linux 12 (bookworm)", "Docker Desktop". */
  os: string
  /** Docker Desktop (macOS, Windows or Linux): its containers run in Docker Desktop's own VM. */
  desktop: boolean
}

/** An image: id, tags (repo:tag), labels, and when it was created (ISO 8601). */
export interface ImageInfo {
  id: string
  tags: string[]
  labels: Record<string, string>
  created: string
}

/** The engine's container list filters: label=KEY=VALUE (all must hold), name regular expressions (any may match; namesFilter of labels.ts). */
export interface ContainerFilters {
  label?: string[]
  name?: string[]
}

/** Receives a build's or an import's progress, one line of the engine's output at a time. */
export type Progress = (line: string) => void

/**
 * What lvslab needs from a container engine. Every method takes optional CallOptions (a timeout in ms
 * and an abort signal) last; callers that pass none get the adapter's default timeout per kind of call.
 * Every failure is a StepError naming the step, with the engine's own words.
 */
export interface Runtime {
  info(opts?: CallOptions): Promise<EngineInfo>
  listNetworks(filters?: {label?: string[]}, opts?: CallOptions): Promise<NetworkInfo[]>
  findNetwork(name: string, opts?: CallOptions): Promise<NetworkInfo | undefined>
  createNetwork(spec: NetworkSpec, opts?: CallOptions): Promise<NetworkInfo>
  removeNetwork(id: string, opts?: CallOptions): Promise<void>
  listContainers(filters?: ContainerFilters, opts?: CallOptions): Promise<ContainerInfo[]>
  findContainer(name: string, opts?: CallOptions): Promise<ContainerInfo | undefined>
  createContainer(spec: ContainerSpec, opts?: CallOptions): Promise<ContainerInfo>
  startContainer(id: string, opts?: CallOptions): Promise<void>
  removeContainer(id: string, opts?: CallOptions): Promise<void>
  /** Freezes (docker pause: the cgroup freezer) or thaws a container's processes; its network stack and kernel state stay. Already so is no failure. */
  setPaused(id: string, paused: boolean, opts?: CallOptions): Promise<void>
  /** Runs a command in a running container to its end; its output and exit code. */
  exec(container: string, cmd: string[], opts?: ExecOptions): Promise<ExecResult>
  /**
   * Starts a command and streams its stdout lines, until it exits or the signal aborts (then it throws
   * a StepError "interrupted"). Its exit code. No timeout unless opts.timeoutMs.
   */
  execStream(
    container: string,
    cmd: string[],
    onLine: (line: string) => void,
    signal: AbortSignal,
    opts?: Omit<CallOptions, 'signal'>,
  ): Promise<number>
  /**
   * Follows a container's output from its start (stdout and stderr, as its log has them) until a
   * stdout line starts with `marker`: that line and what came before it. A wait strategy on the
   * container's log (testcontainers' Wait.forLogMessage), so no process is started in the container.
   * opts.timeoutMs bounds the whole wait (the adapter's read timeout when absent).
   * @throws StepError "read the log of CONTAINER" when the output ends (the container stopped) before
   *   the marker, at the timeout, or "interrupted" when the signal aborts
   */
  logsUntil(container: string, marker: string, opts?: CallOptions): Promise<LogsUntil>
  /**
   * A file of an image (utf8), read from a container of it that is created, never started, and
   * removed again (labelled lvslab.throwaway and `labels`); undefined when the image has no such file.
   */
  readImageFile(image: string, path: string, opts?: CallOptions & {labels?: Record<string, string>}): Promise<string | undefined>
  /** Writes a file (utf8) with a mode (default 0644) in a running container. */
  putFile(container: string, path: string, content: string, mode?: number, opts?: CallOptions): Promise<void>
  findImage(ref: string, opts?: CallOptions): Promise<ImageInfo | undefined>
  listImages(filters?: {label?: string[]}, opts?: CallOptions): Promise<ImageInfo[]>
  tagImage(id: string, ref: string, opts?: CallOptions): Promise<void>
  /** Builds an image; no timeout (a build may download for long), but the signal stops it. */
  buildImage(context: Record<string, string>, tags: string[], onProgress: Progress, signal?: AbortSignal): Promise<ImageInfo>
  /** Imports a root filesystem (tar) as an image; no timeout, but the signal stops it. */
  importImage(rootfs: Readable, ref: string, onProgress: Progress, signal?: AbortSignal): Promise<ImageInfo>
  /** Runs a throwaway container of an image to completion (never on a network), then removes it. */
  runOnce(image: string, cmd: string[], opts?: RunOnceOptions): Promise<ExecResult>
}
