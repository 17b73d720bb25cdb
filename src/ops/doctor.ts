// `doctor`: what this host and engine can do for a lab, each finding with its fix.
import type {Lab} from '../lab/model.js'
import {planLab} from '../plan/plan.js'
import type {Runtime} from '../runtime/types.js'
import {checkEngineIpvs, engineKernelPlace} from './ipvs.js'
import {neighbourProblems, resolveLab, runningMode} from './up.js'

export interface Finding {
  check: string
  ok: boolean
  detail: string
  fix?: string
}

export interface DoctorResult {
  ok: boolean
  findings: Finding[]
}

/**
 * What this engine can do for a lab: the engine (and where its kernel runs), the lab image, ip_vs seen
 * from inside the engine, containers and --privileged there, name and subnet conflicts; each finding
 * with its fix. Never throws for a finding; `ok` is false when any finding fails.
 */
export async function doctor(rt: Runtime, lab: Lab): Promise<DoctorResult> {
  const findings: Finding[] = []
  let info
  try {
    info = await rt.info()
    findings.push({
      check: 'engine',
      ok: true,
      detail: `Docker ${info.version}, API ${info.apiVersion}, kernel ${info.kernel} in ${engineKernelPlace(info)}`,
    })
  } catch (error) {
    findings.push({check: 'engine', ok: false, detail: (error as Error).message, fix: 'start the Docker engine, or set DOCKER_HOST'})
    return {ok: false, findings}
  }
  const image = await rt.findImage(lab.image)
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
    const ipvs = await checkEngineIpvs(rt, lab.image, info).catch((error: Error) => ({
      ok: false,
      detail: `not checked: ${error.message}`,
      fix: undefined,
    }))
    findings.push({check: 'ip_vs', ok: ipvs.ok, detail: ipvs.detail, ...(ipvs.fix ? {fix: ipvs.fix} : {})})
    const res = await rt.runOnce(lab.image, ['/bin/true']).catch((error: Error) => ({exitCode: -1, stdout: '', stderr: error.message}))
    findings.push({
      check: 'containers',
      ok: res.exitCode === 0,
      detail: res.exitCode === 0 ? 'a container of the lab image runs' : res.stderr.trim(),
    })
    const priv = await rt
      .runOnce(lab.image, ['/bin/true'], {privileged: true})
      .catch((error: Error) => ({exitCode: -1, stdout: '', stderr: error.message}))
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
  const mode = (await runningMode(rt, lab)) ?? 'least-privilege'
  const problems = await neighbourProblems(rt, lab, planLab(await resolveLab(rt, lab), mode))
  findings.push({
    check: 'names and subnet',
    ok: problems.length === 0,
    detail: problems.length === 0 ? `no conflict for lab ${lab.name} (${lab.network.subnet})` : problems.join('; '),
  })
  return {ok: findings.every((f) => f.ok), findings}
}
