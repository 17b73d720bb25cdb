// `up`: check, create what is missing, configure, start, wait for convergence, verify; each a named
// step whose events go to the caller's sink (the CLI renders them with listr2).
import {StepError} from '../../errors.js'
import {type Lab, masterOf} from '../../lab/model.js'
import {bounds, masterAfterStart, type Mode, planLab, waitMs} from '../../plan/plan.js'
import {keepalivedVersionText} from '../../render/index.js'
import type {NetworkInfo, Runtime} from '../../runtime/types.js'
import {convergedSnapshot} from '../converge.js'
import {buildImage, DEFAULT_BASE, DEFAULT_IMAGE} from '../image.js'
import {ipvsadmRefusal} from '../ipvs.js'
import {runStep, type StepControl, type StepOptions, type StepSink} from '../steps.js'
import {type ProbeFrom, verifyLab, type VerifyResult} from '../verify.js'
import {ensureNetwork} from './create.js'
import {startPrepared} from './director.js'
import {allSettledOrThrow, bringUp, imageVersion, type NodesUnderWay} from './nodes.js'
import {resolveLab} from './lab.js'
import {neighbourProblems} from './neighbours.js'

export {resolveLab, runningMode} from './lab.js'
export {neighbourProblems} from './neighbours.js'
export {configureRealServer} from './real-server.js'

/**
 * How long (ms) before the MASTER can first be MASTER (masterAfterStart) the convergence wait starts
 * its first read of the directors: an exec of lvslab-facts takes about that long to reach the VRRP
 * state (measured in the kernel VM: 0.3 to 1.3 s an exec, under load).
 */
export const FIRST_READ_LEAD_MS = 500

/** How `up` runs: the mode, where the HTTP probes run from, and where its step events go. */
export interface UpOptions {
  mode: Mode
  from?: ProbeFrom
  /** Aborts `up` at once: every engine call, the image build, the convergence wait and the probes; the step under way fails as "interrupted". */
  signal?: AbortSignal
  /** Skip the final HTTP verification (the lab is still waited for). */
  noVerify?: boolean
  /** Receives the step events (see upLab for the steps); none are sent without it. */
  onStep?: StepSink
}

/** What `up` did: what it created or found, the keepalived version, the convergence time (ms), the whole run (s) and each step's time. */
export interface UpResult {
  lab: string
  mode: Mode
  network: string
  image: string
  keepalived?: string
  created: string[]
  existing: string[]
  convergedMs: number
  seconds: number
  /** Each step that ended, in order: its id, its last title, whether it ran or was skipped, and how long it took (ms). */
  steps: StepTime[]
  verify?: VerifyResult
}

/** How long one step of `up` took (ms), from its start event to its done or skip event. */
export interface StepTime {
  step: string
  title: string
  status: 'done' | 'skipped'
  tookMs: number
}

/**
 * `up`: checks, then creates what is missing (idempotent), configures the real servers, starts the
 * directors, waits for convergence (bounded by the lab's timers, ms scaled by LVSLAB_TIME_SCALE) and
 * verifies over HTTP. Its steps, in order, by id: engine, neighbours, image, network, containers,
 * ipvs (not with LVSLAB_IPVS_PRECHECK=off), real-servers, directors, converge, verify (not with
 * noVerify). The work of containers, ipvs, real-servers and the probe container runs as a pipeline
 * (src/ops/up/nodes.ts): each of those steps waits for what is left of its part.
 * @returns what was created or found, the convergence time (ms) and the whole run (s)
 * @throws StepError naming the failed step (or "<step title>: interrupted" when the signal aborts)
 */
export async function upLab(rt: Runtime, labFile: Lab, opts: UpOptions): Promise<UpResult> {
  const started = Date.now()
  const lab = await resolveLab(rt, labFile, opts.signal)
  const plan = planLab(lab, opts.mode)
  const result: UpResult = {
    lab: lab.name,
    mode: opts.mode,
    network: plan.network.name,
    image: lab.image,
    created: [],
    existing: [],
    convergedMs: 0,
    seconds: 0,
    steps: [],
  }
  const b = bounds(lab)
  const stepOpts: StepOptions = {signal: opts.signal}
  // every ended step's duration goes into the result, and each event on to the caller's sink
  const onStep: StepSink = (e) => {
    if ((e.type === 'done' || e.type === 'skip') && e.ms !== undefined)
      result.steps.push({step: e.step, title: e.title, status: e.type === 'done' ? 'done' : 'skipped', tookMs: e.ms})
    opts.onStep?.(e)
  }
  const step = <T>(id: string, title: string, work: (s: StepControl) => Promise<T>) => runStep(onStep, id, title, work, stepOpts)

  const engine = await step('engine', 'Check the engine', async (s) => {
    const info = await rt.info({signal: opts.signal})
    s.title(
      `Engine: Docker ${info.version} (API ${info.apiVersion}), kernel ${info.kernel}${info.desktop ? ', Docker Desktop' : info.local ? '' : ', remote'}`,
    )
    return info
  })
  await step('neighbours', 'Check names and subnet', async () => {
    const problems = await neighbourProblems(rt, lab, plan, opts.signal)
    if (problems.length > 0)
      throw new StepError('check names and subnet', `refusing to touch what is not this lab's: ${problems.join('; ')}`)
  })
  await step('image', `Lab image ${lab.image}`, async (s) => {
    if (await rt.findImage(lab.image, {signal: opts.signal})) return
    if (lab.image !== DEFAULT_IMAGE)
      throw new StepError(
        'lab image',
        `image ${lab.image} is not on the engine`,
        'build or import it, or remove "image:" from the lab file to use lvslab/lab:latest',
      )
    s.title(`Build the lab image (${DEFAULT_BASE}; no image yet)`)
    await buildImage(rt, {base: DEFAULT_BASE}, (line) => s.progress(line), opts.signal)
  })
  // the image's keepalived version, for the directors up will create, read while the network is made
  const version = imageVersion(rt, lab, plan, opts.signal)
  const made = await step('network', `Network ${plan.network.name} ${lab.network.subnet}`, () =>
    ensureNetwork(rt, plan.network, result, opts.signal),
  ).catch(async (error: unknown) => {
    await version
    throw error
  })
  const under = bringUp(rt, lab, plan, opts.mode, result, {...opts, version})
  // when (epoch ms) the directors are first read in the convergence wait: not before the MASTER can be MASTER
  let masterFrom: number | undefined
  try {
    await step('containers', 'Containers', () => under.containers)
    // IPVS is asked in each director as soon as it runs (its boot, or ASK_VERSION in one `up` finds),
    // not in a throwaway container first: on an engine without it, everything this run made is removed again before `up` says so.
    // LVSLAB_IPVS_PRECHECK=off leaves the lab as it is and lets the directors' start say it (for tests
    // of the later steps on an engine without IPVS).
    if (process.env.LVSLAB_IPVS_PRECHECK !== 'off')
      await step('ipvs', "Check IPVS on the engine's kernel", async (s) => {
        const missing = (await under.prepared).find((p) => !p.ipvs.ok)
        if (missing && !missing.ipvs.ok) {
          await undo(rt, under, made, result.created, opts.signal)
          const refusal = ipvsadmRefusal(engine, missing.director.name, missing.ipvs.why)
          throw new StepError('check IPVS', refusal.detail, refusal.fix)
        }
        s.title(`IPVS: ipvsadm answers in ${lab.directors.map((d) => d.name).join(' and ')} (kernel ${engine.kernel})`)
      })
    // keepalived starts only once the real servers serve (a booting director waits for their pages,
    // PAGES_WAIT_S at most), so that its first HTTP_GET checks meet httpd running
    await step('real-servers', 'Real servers: arp sysctls, VIP on lo:1, httpd', () => under.realServers)
    masterFrom = await step('directors', 'Directors: keepalived.conf, keepalived', async () => {
      const ready = await under.prepared
      const started = await allSettledOrThrow(ready.map((p) => startPrepared(rt, lab, p, engine, opts.signal)))
      result.keepalived = ready[0] ? keepalivedVersionText(ready[0].version) : undefined
      const i = ready.findIndex((p) => p.director.name === masterOf(lab).name)
      const at = started[i]
      return at === undefined ? undefined : at + masterAfterStart(lab, ready[i]?.version.major ?? 2) * 1000 - FIRST_READ_LEAD_MS
    })
  } catch (error) {
    await under.settled()
    throw error
  }
  // with preempt_delay, a MASTER that lost the first election waits that long before it takes over
  const bound = waitMs(b.failover + b.readd + lab.vrrp.preempt_delay)
  const snapshot = await step('converge', `Wait for convergence (bound ${(bound / 1000).toFixed(0)} s)`, async () => {
    const c = await convergedSnapshot(rt, lab, bound, {
      signal: opts.signal,
      realServersOnce: true,
      directorsNotBefore: masterFrom,
    })
    result.convergedMs = c.ms
    return c.snapshot
  }).catch(async (error: unknown) => {
    // verify's client container may still be on its way
    await under.settled()
    throw error
  })
  if (!opts.noVerify)
    await step('verify', 'Verify over HTTP against the VIP', async (s) => {
      await under.client
      // the facts the convergence wait has just read and judged, not read again
      const v = await verifyLab(rt, lab, {from: opts.from, mode: opts.mode, signal: opts.signal, facts: snapshot})
      result.verify = v
      s.title(`Verify over HTTP against the VIP (from the ${v.via}): ${v.checks.filter((c) => c.ok).length}/${v.checks.length} checks pass`)
      if (!v.ok)
        throw new StepError(
          'verify',
          v.checks
            .filter((c) => !c.ok)
            .map((c) => `${c.name}: ${c.detail}`)
            .join('; '),
        )
    })
  result.seconds = (Date.now() - started) / 1000
  return result
}

/**
 * Removes what this run of `up` made (the containers among `created`, verify's client container when
 * it made it, and the network when it made it), once every part under way has ended; an engine error
 * is not raised (what is left carries the lab's labels: `lvslab down` removes it).
 * @param created the names this run created (UpResult.created: the network's among them)
 */
async function undo(
  rt: Runtime,
  under: NodesUnderWay,
  made: {network: NetworkInfo; created: boolean},
  created: string[],
  signal?: AbortSignal,
): Promise<void> {
  await under.settled()
  const site = await under.client?.catch(() => undefined)
  const names = [...created.filter((n) => n !== made.network.name), ...(site?.via === 'container' && site.created ? [site.container] : [])]
  await Promise.all(names.map((n) => rt.removeContainer(n, {signal}).catch(() => undefined)))
  if (made.created) await rt.removeNetwork(made.network.id, {signal}).catch(() => undefined)
}
