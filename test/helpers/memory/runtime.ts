// MemoryRuntime: the Runtime port (src/runtime/types.ts) over an engine kept in memory and a simulated
// lab, for orchestration tests that run in seconds. The engine calls are in engine-calls.ts; here are
// the commands run in containers (exec, execStream, putFile, runOnce) and the hooks tests use.
import {StepError} from '../../../src/errors.js'
import {BOOT_WRAPPER, BOOTED_FLAG} from '../../../src/ops/up/boot.js'
import {KEEPALIVED_VERSION_FILE} from '../../../src/ops/up/director.js'
import {READ_TIMEOUT_MS} from '../../../src/runtime/docker/calls.js'
import type {CallOptions, EngineInfo, ExecOptions, ExecResult, LogsUntil, RunOnceOptions, Runtime} from '../../../src/runtime/types.js'
import {IPVS_PROBE, runCommand, type Shell, streamLoop} from './commands.js'
import {bound} from './door.js'
import {KEEPALIVED_VERSION} from './texts.js'
import {EngineCalls} from './engine-calls.js'
import type {SimRecord} from './engine.js'
import type {CallFault, CallName} from './faults.js'
import type {Timings} from './model.js'
import {ProberLoop} from './prober.js'

/** How a memory runtime starts. */
export interface MemoryOptions {
  /** What info() reports (Docker 28.5.2, API 1.51, Debian 12, local, by default). */
  engine?: Partial<EngineInfo>
  /** Whether the engine's kernel has ip_vs (default true). */
  ipvs?: boolean
  /** The lab's delays (default QUICK: tens of ms). */
  timings?: Partial<Timings>
  /** Images there from the start (default: the lab image lvslab/lab:latest). */
  images?: string[]
}

/** An exec's step name, as the Docker adapter's execStep makes it: "exec in C: CMD", squeezed, at most 120 characters. */
function execStep(container: string, cmd: string[]): string {
  return `exec in ${container}: ${cmd.join(' ').replace(/\s+/g, ' ').trim()}`.slice(0, 120)
}

/** The Runtime over memory: engine, lab model, faults, and a log of every call. */
export class MemoryRuntime extends EngineCalls implements Runtime {
  /** Commands the simulation did not recognise (each also thrown): a test should expect none. */
  readonly unrecognised: string[] = []
  /** Whether the engine's kernel has ip_vs. */
  ipvs: boolean
  private readonly loops = new Map<string, Set<ProberLoop>>()
  private readonly booting = new Set<Promise<void>>()
  private closed = false

  constructor(opts: MemoryOptions = {}) {
    super(opts.timings)
    this.engine.info = {...this.engine.info, ...opts.engine}
    this.ipvs = opts.ipvs ?? true
    for (const ref of opts.images ?? ['lvslab/lab:latest']) this.engine.addImage(ref)
  }

  /** Every call made, in order: its method and subject (see CallFault.match). */
  get calls(): {call: CallName; subject: string}[] {
    return this.door.calls
  }

  /** Puts a fault on a method (see CallFault). */
  inject(f: CallFault): this {
    this.door.faults.add(f)
    return this
  }

  /** A container of the engine by name or id, with its simulated node. */
  container(ref: string): SimRecord {
    const c = this.engine.container(ref)
    if (!c) throw new Error(`memory runtime: no container ${ref}`)
    return c
  }

  /** A container stops (its main process ended, or `docker stop`): its services and added addresses are gone. */
  stopContainer(ref: string): void {
    const c = this.container(ref)
    c.running = false
    c.state = 'exited'
    c.node.reboot()
    this.stopped(c)
    this.model.changed()
  }

  /** How many prober loops run in a container now (a loop whose exec stream went away keeps running). */
  probers(ref: string): number {
    return this.loops.get(this.container(ref).id)?.size ?? 0
  }

  /**
   * Starts a container (see EngineCalls.startContainer); one created with lvslab's boot entrypoint
   * (src/ops/up/boot.ts BOOT_WRAPPER) then runs its script once, in the background as in a real
   * container, its output and the marker going to its log. Any other entrypoint is refused loudly.
   */
  override async startContainer(id: string, opts?: CallOptions): Promise<void> {
    const was = this.engine.container(id)?.running
    await super.startContainer(id, opts)
    const c = this.engine.container(id)
    if (!c || was || !c.spec.entrypoint) return
    const boot = this.boot(c).catch((error: unknown) => {
      this.unrecognised.push(`memory runtime: the boot of ${c.name} failed: ${(error as Error).message}`)
    })
    this.booting.add(boot)
    void boot.finally(() => this.booting.delete(boot))
  }

  /** A container's boot: its script played once (BOOTED_FLAG), its output and then the marker with its exit code put in its log. */
  private async boot(c: SimRecord): Promise<void> {
    const e = c.spec.entrypoint ?? []
    const cmd = c.spec.cmd ?? []
    if (JSON.stringify(e) !== JSON.stringify(['bash', '-c', BOOT_WRAPPER, 'lvslab-boot']) || cmd.length !== 1) {
      this.unrecognised.push(`memory runtime: unrecognised entrypoint of ${c.name}: ${JSON.stringify([...e, ...cmd])}`)
      return
    }
    if (c.node.files.has(BOOTED_FLAG)) {
      c.log.push({stream: 'stdout', line: ''}, {stream: 'stdout', line: 'lvslab-boot: exit 0 (booted before)'})
      return
    }
    c.node.files.set(BOOTED_FLAG, '')
    const sh = {...this.shell(c.id, `boot ${c.name}`), env: c.spec.env}
    const res = await runCommand(sh, ['bash', '-c', cmd[0]!])
    if (!res) {
      this.unrecognised.push(`memory runtime: unrecognised boot script of ${c.name}: ${JSON.stringify(cmd[0])}`)
      return
    }
    // BOOT_WRAPPER runs the script with 2>&1: all of it on stdout
    for (const stream of ['stdout', 'stderr'] as const)
      for (const line of res[stream].split('\n').slice(0, res[stream].endsWith('\n') ? -1 : undefined))
        if (line) c.log.push({stream: 'stdout', line})
    c.log.push({stream: 'stdout', line: ''}, {stream: 'stdout', line: `lvslab-boot: exit ${res.exitCode}`})
  }

  /**
   * Waits for a stdout line of a container's log that starts with `marker` (polled every 5 ms); an
   * exit fault gives its outcome as that of the script before the marker (exit code after it).
   */
  logsUntil(container: string, marker: string, opts?: CallOptions): Promise<LogsUntil> {
    const step = `read the log of ${container}`
    const b = {name: `waiting for "${marker.trim()}"`, timeoutMs: opts?.timeoutMs ?? READ_TIMEOUT_MS, signal: opts?.signal}
    return this.door.pass('logsUntil', container, step, b, async (exit) => {
      // the wrapper's 2>&1: the script's whole output on stdout
      if (exit) return {line: `${marker}${exit.exitCode}`, stdout: `${exit.stdout}${exit.stderr}`.trimEnd(), stderr: ''}
      const c = this.engine.mustContainer(container, step)
      const until = Date.now() + (b.timeoutMs ?? 0)
      while (!this.closed && Date.now() < until && !b.signal?.aborted) {
        const i = c.log.findIndex((l) => l.stream === 'stdout' && l.line.startsWith(marker))
        const before = (s: string) =>
          c.log
            .slice(0, i)
            .filter((l) => l.stream === s)
            .map((l) => l.line)
            .join('\n')
        if (i >= 0) return {line: c.log[i]!.line, stdout: before('stdout'), stderr: before('stderr')}
        if (!c.running || !this.engine.container(c.id))
          throw new StepError(step, `it ended before saying "${marker.trim()}" (the container stopped; see \`docker logs ${container}\`)`)
        await new Promise((r) => setTimeout(r, 5))
      }
      throw new StepError(step, 'the memory runtime was closed')
    })
  }

  /** The lab image's recorded keepalived version (KEEPALIVED_VERSION_FILE); undefined for any other path, or with an exit fault other than 0 (its stdout with 0). */
  readImageFile(image: string, path: string, opts?: CallOptions): Promise<string | undefined> {
    const step = `read ${path} in ${image}`
    return this.door.pass('readImageFile', `${image} ${path}`, step, bound('write', 'container create', opts), (exit) => {
      if (exit) return exit.exitCode === 0 ? exit.stdout : undefined
      if (!this.engine.image(image)) throw new StepError(step, `No such image: ${image}`)
      return path === KEEPALIVED_VERSION_FILE ? KEEPALIVED_VERSION : undefined
    })
  }

  /** Ends every pending transition, prober loop and hanging call: call it after each test. */
  close(): void {
    this.closed = true
    this.model.close()
    this.door.faults.close()
    for (const set of this.loops.values()) for (const l of set) l.destroy()
    this.loops.clear()
  }

  protected stopped(c: SimRecord): void {
    for (const l of this.loops.get(c.id) ?? []) l.destroy()
    this.loops.delete(c.id)
  }

  /** The shell of a running container, for a command named by `step`. */
  private shell(ref: string, step: string): Shell {
    const c = this.engine.mustContainer(ref, step)
    if (!c.running) throw new StepError(step, `container ${c.id} is not running`)
    if (c.state === 'paused') throw new StepError(step, `Container ${c.id} is paused, unpause the container first`)
    const loops = this.loops.get(c.id) ?? new Set<ProberLoop>()
    this.loops.set(c.id, loops)
    const facts = this.model.faults.facts.get(c.name) ?? []
    return {model: this.model, c, ipvs: this.ipvs, prefix: this.engine.prefixOf(c.network), facts, loops}
  }

  private refuse(where: string, cmd: string[]): never {
    const text = `memory runtime: unrecognised command in ${where}: ${JSON.stringify(cmd)}`
    this.unrecognised.push(text)
    throw new Error(text)
  }

  /** Runs a command lvslab sends in a running container, as its programs would; any other command throws. */
  exec(container: string, cmd: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const step = execStep(container, cmd)
    return this.door.pass('exec', `${container} ${cmd.join(' ')}`, step, bound('exec', 'exec', opts), async (exit) => {
      const sh = {...this.shell(container, step), env: opts.env}
      if (exit) return exit
      return (await runCommand(sh, cmd)) ?? this.refuse(container, cmd)
    })
  }

  /**
   * Starts the drills' prober loop in a client container; its lines go to onLine until it is killed
   * (exit 143). An abort throws "interrupted" and detaches the stream: the loop runs on, as in a real
   * container, until its pid file's KILL.
   */
  execStream(
    container: string,
    cmd: string[],
    onLine: (line: string) => void,
    signal: AbortSignal,
    opts: Omit<CallOptions, 'signal'> = {},
  ): Promise<number> {
    const step = execStep(container, cmd)
    const b = {name: 'exec', timeoutMs: opts.timeoutMs, signal}
    return this.door.pass('execStream', `${container} ${cmd.join(' ')}`, step, b, async (exit) => {
      const sh = this.shell(container, step)
      if (exit) {
        for (const line of exit.stdout.split('\n').slice(0, -1)) onLine(line)
        return exit.exitCode
      }
      const loop = streamLoop(cmd)
      if (!loop) return this.refuse(container, cmd)
      const p = new ProberLoop(this.model, sh.c, loop.target, loop.tickMs, onLine, loop.hourMs)
      for (const old of sh.loops) old.end()
      sh.loops.clear()
      sh.loops.add(p)
      signal.addEventListener('abort', () => p.detach(), {once: true})
      return p.done
    })
  }

  /** Writes a file in a running container; an exit fault fails it as the adapter does (the file, the shell's words). */
  putFile(container: string, path: string, content: string, _mode?: number, opts?: CallOptions): Promise<void> {
    const step = `install ${path} in ${container}`
    return this.door.pass('putFile', `${container} ${path}`, step, bound('exec', 'exec', opts), (exit) => {
      const sh = this.shell(container, step)
      if (exit && exit.exitCode !== 0)
        throw new StepError(step, (exit.stderr || exit.stdout).trim().split('\n').slice(-2).join(' / ') || `exit ${exit.exitCode}`)
      sh.c.node.files.set(path, content)
    })
  }

  /** Runs lvslab's throwaway IPVS check (src/ops/ipvs.ts IPVS_PROBE) in an image; any other command throws. */
  runOnce(image: string, cmd: string[], opts: RunOnceOptions = {}): Promise<ExecResult> {
    const step = `run ${cmd.join(' ')} in ${image}`
    return this.door.pass('runOnce', `${image} ${cmd.join(' ')}`, step, bound('exec', 'container wait', opts), (exit) => {
      if (!this.engine.image(image)) throw new StepError(step, `No such image: ${image}`)
      if (exit) return exit
      if (cmd[0] === 'sh' && cmd[1] === '-c' && cmd[2] === IPVS_PROBE && cmd.length === 3)
        return {exitCode: 0, stdout: `ip_vs=${this.ipvs ? 'yes' : 'no'}\n${this.engine.info.kernel}\n`, stderr: ''}
      return this.refuse(`a container of ${image}`, cmd)
    })
  }
}
