// `up`: check, create what is missing, configure, start, wait for convergence, verify.
import ipaddr from 'ipaddr.js'
import {Listr, type ListrTask} from 'listr2'
import {StepError} from '../errors.js'
import {type Director, type Lab, masterOf, type RealServer, withAuthPass} from '../lab/model.js'
import {keepalivedFeatures, parseKeepalivedVersion} from '../parse/keepalived.js'
import {
  bounds,
  CLIENT_NODE,
  containerName,
  type LabPlan,
  type Mode,
  type NodePlan,
  networkName,
  planClient,
  planLab,
  RS_SYSCTLS,
  waitMs,
} from '../plan/plan.js'
import {keepalivedVersionText, pagePaths, renderIndexHtml, renderKeepalivedConf, type KeepalivedVersion} from '../render/index.js'
import {LABELS} from '../runtime/labels.js'
import type {ContainerInfo, EngineInfo, Runtime} from '../runtime/types.js'
import type {RendererName} from '../report/renderer.js'
import {waitConverged} from './converge.js'
import {readNode, servicePid, why} from './facts.js'
import {buildImage, DEFAULT_BASE, DEFAULT_IMAGE} from './image.js'
import {checkEngineIpvs, ipvsFix} from './ipvs.js'
import {type ProbeFrom, verifyLab, type VerifyResult} from './verify.js'

export interface UpOptions {
  mode: Mode
  renderer: RendererName
  from?: ProbeFrom
  signal?: AbortSignal
  /** Skip the final HTTP verification (the lab is still waited for). */
  noVerify?: boolean
}

export interface UpResult {
  lab: string
  mode: Mode
  network: string
  image: string
  keepalived?: string
  created: string[]
  existing: string[]
  converged_ms: number
  seconds: number
  verify?: VerifyResult
}

function overlaps(a: string, b: string): boolean {
  try {
    const [na, pa] = ipaddr.IPv4.parseCIDR(a)
    const [nb, pb] = ipaddr.IPv4.parseCIDR(b)
    return na.match(nb, Math.min(pa, pb)) || nb.match(na, Math.min(pa, pb))
  } catch {
    return false
  }
}

/** Everything that would make `up` harm what is not its own; nothing is created when this finds anything. */
export async function neighbourProblems(rt: Runtime, lab: Lab, plan: LabPlan): Promise<string[]> {
  const problems: string[] = []
  const ours = (labels: Record<string, string>) => labels[LABELS.LAB] === lab.name
  const networks = await rt.listNetworks()
  for (const n of networks) {
    if (n.name === plan.network.name) {
      if (!ours(n.labels))
        problems.push(
          `network ${n.name} exists and is not lab ${lab.name}'s (fix: remove or rename it, or give this lab another name with "name:" in the lab file)`,
        )
      else if (n.labels[LABELS.SPEC] !== plan.network.labels[LABELS.SPEC])
        problems.push(`network ${n.name} of lab ${lab.name} was made from a different subnet (fix: run \`lvslab down\` first)`)
      continue
    }
    const clash = n.subnets.find((s) => overlaps(s, lab.network.subnet))
    if (clash)
      problems.push(
        `network ${n.name} (${clash}) overlaps the lab's subnet ${lab.network.subnet} (fix: change network.subnet in the lab file, or remove that network)`,
      )
  }
  await Promise.all(
    [...plan.directors, ...plan.realServers, planClient(lab, plan.directors[0]?.spec.privileged ? 'privileged' : 'least-privilege')].map(
      async (p) => {
        const c = await rt.findContainer(p.spec.name)
        if (!c) return
        if (p.node === CLIENT_NODE) {
          if (!ours(c.labels))
            problems.push(`container ${c.name} exists and is not lab ${lab.name}'s probe container (fix: remove or rename it)`)
          return
        }
        if (!ours(c.labels) || c.labels[LABELS.NODE] !== p.node)
          problems.push(
            `container ${c.name} exists and is not node ${p.node} of lab ${lab.name} (fix: remove or rename it, or give this lab another name with "name:" in the lab file)`,
          )
        else if (c.labels[LABELS.SPEC] !== p.spec.labels[LABELS.SPEC])
          problems.push(
            `container ${c.name} was made from a different lab file or mode (fix: run \`lvslab down\` first, then \`lvslab up\`)`,
          )
      },
    ),
  )
  return problems
}

async function ensureContainer(rt: Runtime, p: NodePlan, created: string[], existing: string[]): Promise<ContainerInfo> {
  let c = await rt.findContainer(p.spec.name)
  if (c) existing.push(p.spec.name)
  else {
    c = await rt.createContainer(p.spec)
    created.push(p.spec.name)
  }
  if (!c.running) await rt.startContainer(c.id)
  return c
}

async function sh(rt: Runtime, container: string, script: string, step: string, fix?: string): Promise<string> {
  const res = await rt.exec(container, ['bash', '-c', script])
  if (res.exitCode !== 0)
    throw new StepError(
      step,
      `${container}: ${(res.stderr || res.stdout).trim().split('\n').slice(-3).join(' / ') || `exit ${res.exitCode}`}`,
      fix,
    )
  return res.stdout
}

/** A real server, in the classic order: arp sysctls first, then the VIP on lo:1 as /32, then httpd. */
export async function configureRealServer(rt: Runtime, lab: Lab, r: RealServer, mode: Mode): Promise<void> {
  const c = containerName(lab, r.name)
  const step = `configure real server ${r.name}`
  const write = mode === 'privileged' ? RS_SYSCTLS.map(([k, v]) => `sysctl -q -w ${k}=${v}`).join('\n') : ''
  await sh(
    rt,
    c,
    `set -e
${write}
for kv in ${RS_SYSCTLS.map(([k, v]) => `${k}=${v}`).join(' ')}; do
  k=\${kv%=*}; want=\${kv#*=}; got=$(cat /proc/sys/$(echo "$k" | tr . /))
  [ "$got" = "$want" ] || { echo "$k is $got, not $want" >&2; exit 1; }
done
ip -o addr show dev lo | grep -q ' ${lab.vip}/32 ' || ip addr add ${lab.vip}/32 dev lo label lo:1`,
    step,
    mode === 'privileged' ? undefined : 'the engine must accept --sysctl net.ipv4.conf.*; try `lvslab up --privileged`',
  )
  // putFile makes the page's folders itself
  for (const path of pagePaths(lab)) await rt.putFile(c, path, renderIndexHtml(r))
  await sh(rt, c, 'lvslab-svc start httpd', step)
}

/**
 * A director: IPVS available, keepalived.conf rendered for its keepalived, tested with `keepalived -t`
 * where that build has it (2.0.4 and later; 1.3.5 exits 0 on -t without testing), installed, started.
 * What it needs to know is read in one exec of lvslab-facts; nothing is changed when the running
 * config is already the rendered one.
 * @returns the director's keepalived version
 * @throws StepError when IPVS is not available (with the fix for this engine) or a step fails
 */
export async function startDirector(rt: Runtime, lab: Lab, d: Director, engine?: EngineInfo): Promise<KeepalivedVersion> {
  const c = containerName(lab, d.name)
  const step = `start director ${d.name}`
  const report = await readNode(rt, c, ['--ipvs', '--keepalived'])
  if (!report.ipvs?.ok) {
    throw new StepError(
      step,
      `IPVS is not available: ${report.ipvs ? why(report.ipvs) : 'not reported'}`,
      engine ? ipvsFix(engine) : "load the module on the engine's host: `sudo modprobe ip_vs`",
    )
  }
  const facts = (name: 'keepalived_version' | 'keepalived_help') => {
    const f = report[name]
    if (!f?.ok)
      throw new StepError(
        step,
        `keepalived cannot be asked (${name.replace('_', ' --')}): ${f ? why(f) : 'not reported'}`,
        'the lab image needs keepalived: make it again',
      )
    return f.out
  }
  const version = parseKeepalivedVersion(facts('keepalived_version'))
  const features = keepalivedFeatures(facts('keepalived_help'))
  const conf = renderKeepalivedConf(lab, d, version)
  const problems: string[] = []
  const running = Boolean(servicePid(report.keepalived, 'keepalived', problems))
  if (problems.length > 0) throw new StepError(step, problems.join('; '))
  // the helper's text loses trailing newlines
  if (running && report.keepalived_conf?.ok && report.keepalived_conf.out.trimEnd() === conf.trimEnd()) return version
  await rt.putFile(c, '/etc/keepalived/keepalived.conf', conf)
  if (features.configTest)
    await sh(rt, c, 'keepalived -t -f /etc/keepalived/keepalived.conf', step, 'this is a bug of lvslab: please report the lab file')
  if (running) await sh(rt, c, 'lvslab-svc stop keepalived', step)
  await sh(rt, c, 'lvslab-svc start keepalived', step)
  return version
}

/** The mode a running lab was made in (from its first director's label); undefined when it is not running. */
export async function runningMode(rt: Runtime, lab: Lab): Promise<Mode | undefined> {
  const c = await rt.findContainer(containerName(lab, lab.directors[0]!.name))
  if (!c?.running) return undefined
  return c.labels[LABELS.MODE] === 'privileged' ? 'privileged' : 'least-privilege'
}

/** The lab as its running resources know it: the VRRP password the lab keeps on its network. */
export async function resolveLab(rt: Runtime, labFile: Lab): Promise<Lab> {
  const kept = labFile.vrrp.auth_pass ? undefined : (await rt.findNetwork(networkName(labFile)).catch(() => undefined))?.labels[LABELS.AUTH]
  return withAuthPass(labFile, kept)
}

/**
 * `up`: checks, then creates what is missing (idempotent), configures the real servers, starts the
 * directors, waits for convergence (bounded by the lab's timers, ms scaled by LVSLAB_TIME_SCALE) and
 * verifies over HTTP. Steps are shown with the given listr2 renderer.
 * @returns what was created or found, the convergence time (ms) and the whole run (s)
 * @throws StepError naming the failed step (or "interrupted" when the signal aborts)
 */
export async function upLab(rt: Runtime, labFile: Lab, opts: UpOptions): Promise<UpResult> {
  const started = Date.now()
  const lab = await resolveLab(rt, labFile)
  const plan = planLab(lab, opts.mode)
  const result: UpResult = {
    lab: lab.name,
    mode: opts.mode,
    network: plan.network.name,
    image: lab.image,
    created: [],
    existing: [],
    converged_ms: 0,
    seconds: 0,
  }
  const b = bounds(lab)
  let engine: EngineInfo | undefined
  const steps: ListrTask[] = [
    {
      title: 'Check the engine',
      task: async (_, task) => {
        engine = await rt.info()
        task.title = `Engine: Docker ${engine.version} (API ${engine.apiVersion}), kernel ${engine.kernel}${engine.desktop ? ', Docker Desktop' : engine.local ? '' : ', remote'}`
      },
    },
    {
      title: 'Check names and subnet',
      task: async () => {
        const problems = await neighbourProblems(rt, lab, plan)
        if (problems.length > 0)
          throw new StepError('check names and subnet', `refusing to touch what is not this lab's: ${problems.join('; ')}`)
      },
    },
    {
      title: `Lab image ${lab.image}`,
      task: async (_, task) => {
        if (await rt.findImage(lab.image)) return
        if (lab.image !== DEFAULT_IMAGE)
          throw new StepError(
            'lab image',
            `image ${lab.image} is not on the engine`,
            'build or import it, or remove "image:" from the lab file to use lvslab/lab:latest',
          )
        task.title = `Build the lab image (${DEFAULT_BASE}; no image yet)`
        await buildImage(
          rt,
          {base: DEFAULT_BASE},
          (line) => {
            task.output = line
          },
          opts.signal,
        )
      },
      rendererOptions: {outputBar: 3},
    },
    {
      title: "Check IPVS on the engine's kernel",
      // LVSLAB_IPVS_PRECHECK=off skips this (the directors still check before keepalived starts):
      // for tests of the later steps on an engine without IPVS.
      enabled: () => process.env.LVSLAB_IPVS_PRECHECK !== 'off',
      task: async (_, task) => {
        // a running lab's directors already hold IPVS tables: no throwaway container for a second `up`
        if ((await rt.findContainer(containerName(lab, masterOf(lab).name)))?.running) {
          task.skip('IPVS: checked by the running directors')
          return
        }
        const ipvs = await checkEngineIpvs(rt, lab.image, engine!)
        if (!ipvs.ok) throw new StepError('check IPVS', ipvs.detail, ipvs.fix)
        task.title = `IPVS: ${ipvs.detail}`
      },
    },
    {
      title: `Network ${plan.network.name} ${lab.network.subnet}`,
      task: async () => {
        if (await rt.findNetwork(plan.network.name)) result.existing.push(plan.network.name)
        else {
          await rt.createNetwork(plan.network)
          result.created.push(plan.network.name)
        }
      },
    },
    {
      title: 'Containers',
      task: async () => {
        await Promise.all([...plan.directors, ...plan.realServers].map((p) => ensureContainer(rt, p, result.created, result.existing)))
      },
    },
    {
      title: 'Real servers: arp sysctls, VIP on lo:1, httpd',
      task: async () => {
        await Promise.all(lab.real_servers.map((r) => configureRealServer(rt, lab, r, opts.mode)))
      },
    },
    {
      title: 'Directors: keepalived.conf, keepalived',
      task: async () => {
        const versions = await Promise.all(lab.directors.map((d) => startDirector(rt, lab, d, engine)))
        result.keepalived = versions[0] ? keepalivedVersionText(versions[0]) : undefined
      },
    },
    {
      title: `Wait for convergence (bound ${(waitMs(b.failover + b.readd) / 1000).toFixed(0)} s)`,
      task: async () => {
        result.converged_ms = await waitConverged(rt, lab, masterOf(lab), waitMs(b.failover + b.readd), opts.signal)
      },
    },
    {
      title: 'Verify over HTTP against the VIP',
      enabled: () => !opts.noVerify,
      task: async (_, task) => {
        const v = await verifyLab(rt, lab, {from: opts.from, mode: opts.mode})
        result.verify = v
        task.title = `Verify over HTTP against the VIP (from the ${v.via}): ${v.checks.filter((c) => c.ok).length}/${v.checks.length} checks pass`
        if (!v.ok)
          throw new StepError(
            'verify',
            v.checks
              .filter((c) => !c.ok)
              .map((c) => `${c.name}: ${c.detail}`)
              .join('; '),
          )
      },
    },
  ]
  const tasks = new Listr(
    steps.map((t) => ({
      ...t,
      // An interrupt stops the work at the next step.
      task: async (ctx: unknown, task: Parameters<ListrTask['task']>[1]) => {
        if (opts.signal?.aborted) throw new StepError(String(t.title), 'interrupted')
        return t.task(ctx, task)
      },
    })),
    {renderer: opts.renderer, exitOnError: true, registerSignalListeners: false, rendererOptions: {collapseErrors: false}},
  )
  await tasks.run()
  result.seconds = (Date.now() - started) / 1000
  return result
}
