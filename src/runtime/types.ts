// The runtime interface: what lvslab needs from a container engine. Docker implements it
// (docker.ts, the only module that imports dockerode); the planner and the operations see only this.
import type {Readable} from 'node:stream'

export interface NetworkSpec {
  name: string
  subnet: string
  gateway: string
  internal: boolean
  labels: Record<string, string>
}

export interface NetworkInfo {
  id: string
  name: string
  subnets: string[]
  labels: Record<string, string>
}

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
}

export interface ContainerInfo {
  id: string
  name: string
  image: string
  state: string
  running: boolean
  labels: Record<string, string>
  /** The address on each network, by network name. */
  addresses: Record<string, string>
}

export interface ExecResult {
  exitCode: number
  stdout: string
  stderr: string
}

export interface ExecOptions {
  /** Extra environment variables of the exec'd process. */
  env?: Record<string, string>
  timeoutMs?: number
  signal?: AbortSignal
}

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

export interface ImageInfo {
  id: string
  tags: string[]
  labels: Record<string, string>
  created: string
}

export type Progress = (line: string) => void

export interface Runtime {
  info(): Promise<EngineInfo>
  listNetworks(filters?: {label?: string[]}): Promise<NetworkInfo[]>
  findNetwork(name: string): Promise<NetworkInfo | undefined>
  createNetwork(spec: NetworkSpec): Promise<NetworkInfo>
  removeNetwork(id: string): Promise<void>
  listContainers(filters?: {label?: string[]}): Promise<ContainerInfo[]>
  findContainer(name: string): Promise<ContainerInfo | undefined>
  createContainer(spec: ContainerSpec): Promise<ContainerInfo>
  startContainer(id: string): Promise<void>
  removeContainer(id: string): Promise<void>
  exec(container: string, cmd: string[], opts?: ExecOptions): Promise<ExecResult>
  /** Starts a command and streams its stdout lines, until it exits or the signal aborts. */
  execStream(container: string, cmd: string[], onLine: (line: string) => void, signal: AbortSignal): Promise<number>
  putFile(container: string, path: string, content: string, mode?: number): Promise<void>
  findImage(ref: string): Promise<ImageInfo | undefined>
  listImages(filters?: {label?: string[]}): Promise<ImageInfo[]>
  tagImage(id: string, ref: string): Promise<void>
  buildImage(context: Record<string, string>, tags: string[], onProgress: Progress, signal?: AbortSignal): Promise<ImageInfo>
  importImage(rootfs: Readable, ref: string, onProgress: Progress, signal?: AbortSignal): Promise<ImageInfo>
  /** Runs a throwaway container of an image to completion (never on a network), then removes it. */
  runOnce(
    image: string,
    cmd: string[],
    opts?: {files?: Record<string, string>; timeoutMs?: number; privileged?: boolean},
  ): Promise<ExecResult>
}
