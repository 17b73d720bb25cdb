// `doctor`: what this host and engine can do for a lab, each finding with its fix.
import type {Lab} from '../lab/model.js'
import {planLab} from '../plan/plan.js'
import type {Runtime} from '../runtime/types.js'
import {checkEngineIpvs, engineKernelPlace} from './ipvs.js'
import {neighbourProblems, resolveLab, runningMode} from './up/index.js'

/** One finding of `doctor`: the check's name (user-visible), whether it passed, what was seen, and the fix when it failed. */
export interface Finding {
  check: string
  ok: boolean
  detail: string
  fix?: string
}

/** What `doctor` returns (and prints with --json): ok when every finding passed, and the findings in check order. */
export interface DoctorResult {
  ok: boolean
  findings: Finding[]
}

/**
 * What this engine can do for a lab: the engine (and where its kernel runs), the lab image, ip_vs seen
 * from inside the engine (checkEngineIpvs, in a throwaway container), containers and --privileged there,
 * name and subnet conflicts as `up` would see them (neighbourProblems); each finding with its fix.
 * Never throws for a finding; `ok` is false when any finding fails.
 * @throws StepError when the engine fails after answering GET /version and GET /info: the image's
 *   inspect, the mode lookup, or the neighbour check's list and inspects; when opts.signal aborts, the
 *   "interrupted" of the call under way (an interrupt is never a finding)
 */
export async function doctor(rt: Runtime, lab: Lab, opts: {signal?: AbortSignal} = {}): Promise<DoctorResult> {
  const {signal} = opts
  const unlessInterrupted = (error: unknown): void => {
    if (signal?.aborted) throw error
  }
  const findings: Finding[] = []
  let info
  try {
    info = await rt.info({signal})
    findings.push({
      check: 'engine',
      ok: true,
      detail: `Docker ${info.version}, API ${info.apiVersion}, kernel ${info.kernel} in ${engineKernelPlace(info)}`,
    })
  } catch (error) {
    unlessInterrupted(error)
    findings.push({check: 'engine', ok: false, detail: (error as Error).message, fix: 'start the Docker engine, or set DOCKER_HOST'})
    return {ok: false, findings}
  }
  const image = await rt.findImage(lab.image, {signal})
  findings.push({
    check: 'image',
    ok: Boolean(image),
    detail: image ? `${lab.image} (${image.id.slice(7, 19)})` : `${lab.image} is not on the engine`,
    ...(image ? {} : {fix: '`lvslab image build`, or offline `lvslab image import --rootfs DIR|TAR`'}),
  })
  if (!image)
    findings.push({
      check: 'ip_vs',
      ok: false,
      detail: `not checked: the check runs in a container of the lab image, and ${lab.image} is not on the engine`,
      fix: 'make the lab image first, then run `lvslab doctor` again',
    })
  if (image) {
    const ipvs = await checkEngineIpvs(rt, lab.image, info, signal).catch((error: Error) => {
      unlessInterrupted(error)
      return {ok: false, detail: `not checked: ${error.message}`, fix: undefined}
    })
    findings.push({check: 'ip_vs', ok: ipvs.ok, detail: ipvs.detail, ...(ipvs.fix ? {fix: ipvs.fix} : {})})
    const res = await rt.runOnce(lab.image, ['/bin/true'], {signal}).catch((error: Error) => {
      unlessInterrupted(error)
      return {exitCode: -1, stdout: '', stderr: error.message}
    })
    findings.push({
      check: 'containers',
      ok: res.exitCode === 0,
      detail: res.exitCode === 0 ? 'a container of the lab image runs' : res.stderr.trim(),
    })
    const priv = await rt.runOnce(lab.image, ['/bin/true'], {privileged: true, signal}).catch((error: Error) => {
      unlessInterrupted(error)
      return {exitCode: -1, stdout: '', stderr: error.message}
    })
    findings.push({
      check: 'privileged',
      ok: true,
      detail:
        priv.exitCode === 0
          ? '--privileged works on this engine'
          : `--privileged fails here (${priv.stderr.trim().split('\n')[0]}); the default least-privilege mode does not need it`,
    })
  }
  // compared as `up` would: the password the lab keeps, the mode it runs in
  const mode = (await runningMode(rt, lab, signal)) ?? 'least-privilege'
  const problems = await neighbourProblems(rt, lab, planLab(await resolveLab(rt, lab, signal), mode), signal)
  findings.push({
    check: 'names and subnet',
    ok: problems.length === 0,
    detail: problems.length === 0 ? `no conflict for lab ${lab.name} (${lab.network.subnet})` : problems.join('; '),
  })
  return {ok: findings.every((f) => f.ok), findings}
}
