// A fake dockerode for the adapter's deadline tests (test/unit/docker-deadlines.test.ts): every call
// is recorded and may hang (honouring or ignoring its abortSignal), answer after a delay, or at once.
import {PassThrough} from 'node:stream'
import Docker from 'dockerode'

const modem = new Docker({socketPath: '/nonexistent/docker.sock'}).modem

/** Each case's own timeout (ms): far below the adapter's defaults (30 s, 60 s), so a missing deadline fails. */
export const TEST_MS = 3000

/** What a hanging call does with its abortSignal: rejects when it aborts (as dockerode does), or ignores it. */
export type Mode = 'honours' | 'ignores'
export const MODES: Mode[] = ['honours', 'ignores']

export interface Fake {
  docker: Docker
  /** The engine calls made (and output streams handed out), in order: "container create", "exec"... */
  calls: string[]
  /** The calls whose abortSignal aborted. */
  aborted: string[]
}

/**
 * A fake dockerode. A call (or output stream: "exec", "image build output", "image import output")
 * named in `hang` never answers, a call in `slow` answers after that many ms whatever its signal says,
 * any other answers at once with a plausible value.
 */
export function fakeDocker(mode: Mode, hang: string[], slow: Record<string, number> = {}): Fake {
  const calls: string[] = []
  const aborted: string[] = []
  const call = <T>(name: string, answer: () => T, opts?: {abortSignal?: AbortSignal}): Promise<T> => {
    calls.push(name)
    const signal = opts?.abortSignal
    signal?.addEventListener('abort', () => aborted.push(name), {once: true})
    if (hang.includes(name))
      return new Promise<T>((_, reject) => {
        if (mode === 'honours') signal?.addEventListener('abort', () => reject(new Error('The operation was aborted')), {once: true})
      })
    const ms = slow[name]
    if (ms !== undefined) return new Promise<T>((resolve) => setTimeout(() => resolve(answer()), ms))
    return Promise.resolve().then(answer)
  }
  const output = (name: string) => {
    calls.push(name)
    const s = new PassThrough()
    if (!hang.includes(name)) s.end()
    return s
  }
  type O = {abortSignal?: AbortSignal}
  const container = {
    id: 'c1',
    inspect: (o?: O) => call('container inspect', () => CONTAINER, o),
    start: (o?: O) => call('container start', () => undefined, o),
    remove: (o?: O) => call('container remove', () => undefined, o),
    wait: (o?: O) => call('container wait', () => ({StatusCode: 0}), o),
    logs: (o?: O) => call('container logs', () => Buffer.alloc(0), o),
    exec: (o?: O) =>
      call(
        'exec create',
        () => ({
          start: (s?: O) => call('exec start', () => output('exec'), s),
          inspect: (s?: O) => call('exec inspect', () => ({Running: false, ExitCode: 0}), s),
        }),
        o,
      ),
  }
  const docker = {
    modem,
    version: (o?: O) => call('version', () => ({Version: '28.5.2', ApiVersion: '1.51', KernelVersion: '6.1.0'}), o),
    info: (o?: O) => call('info', () => ({OperatingSystem: 'Debian GNU/Linux 12 (bookworm)'}), o),
    listNetworks: (o?: O) => call('network list', () => [], o),
    createNetwork: (o?: O) => call('network create', () => ({id: 'n1'}), o),
    getNetwork: () => ({
      inspect: (o?: O) => call('network inspect', () => NETWORK, o),
      remove: (o?: O) => call('network remove', () => undefined, o),
    }),
    listContainers: (o?: O) => call('container list', () => [], o),
    createContainer: (o?: O) => call('container create', () => container, o),
    getContainer: () => container,
    listImages: (o?: O) => call('image list', () => [], o),
    getImage: () => ({
      inspect: (o?: O) => call('image inspect', () => IMAGE, o),
      tag: (o?: O) => call('image tag', () => undefined, o),
    }),
    buildImage: (_context: unknown, o?: O) => call('image build', () => output('image build output'), o),
    importImage: (_rootfs: unknown, o?: O) => call('image import', () => output('image import output'), o),
  }
  return {docker: docker as unknown as Docker, calls, aborted}
}

export const NETWORK = {Id: 'n1', Name: 'lab-net', IPAM: {Config: [{Subnet: '172.20.0.0/24'}]}, Labels: {}}
export const CONTAINER = {
  Id: 'c1',
  Name: '/lab-lvs1',
  Config: {Image: 'lvslab/lab:latest', Labels: {}},
  State: {Status: 'created', Running: false},
  NetworkSettings: {Networks: {}},
}
export const IMAGE = {Id: 'sha256:1', RepoTags: ['lvslab/lab:x'], Config: {Labels: {}}, Created: '2025-01-01T00:00:00Z'}
