// A director of the lab: keepalived.conf rendered for its keepalived, tested, installed and started.
import {StepError} from '../../errors.js'
import type {Director, Lab} from '../../lab/model.js'
import {keepalivedFeatures, parseKeepalivedVersion} from '../../parse/keepalived.js'
import {containerName} from '../../plan/plan.js'
import {type KeepalivedVersion, renderKeepalivedConf} from '../../render/index.js'
import type {EngineInfo, Runtime} from '../../runtime/types.js'
import {readNode, servicePid, why} from '../facts.js'
import {ipvsFix} from '../ipvs.js'
import {sh} from './shell.js'

/**
 * A director: IPVS available, keepalived.conf rendered for its keepalived, tested with `keepalived -t`
 * (--config-test, keepalived(8)) where that build has it (2.0.4 and later; 1.3.5 exits 0 on -t without testing), installed, started.
 * What it needs to know is read in one exec of lvslab-facts; nothing is changed when the running
 * config is already the rendered one.
 * @returns the director's keepalived version
 * @throws StepError "start director <name>" when IPVS is not available (with the fix for this
 *   engine), keepalived cannot be asked its version or options, or a command fails; "interrupted"
 *   when `signal` aborts a call
 */
export async function startDirector(
  rt: Runtime,
  lab: Lab,
  d: Director,
  engine?: EngineInfo,
  signal?: AbortSignal,
): Promise<KeepalivedVersion> {
  const c = containerName(lab, d.name)
  const step = `start director ${d.name}`
  const report = await readNode(rt, c, ['--ipvs', '--keepalived'], {signal})
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
  await rt.putFile(c, '/etc/keepalived/keepalived.conf', conf, undefined, {signal})
  if (features.configTest)
    await sh(
      rt,
      c,
      'keepalived -t -f /etc/keepalived/keepalived.conf',
      step,
      'this is a bug of lvslab: please report the lab file',
      undefined,
      signal,
    )
  if (running) await sh(rt, c, 'lvslab-svc stop keepalived', step, undefined, undefined, signal)
  await sh(rt, c, 'lvslab-svc start keepalived', step, undefined, undefined, signal)
  return version
}
