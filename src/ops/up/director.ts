// A director of the lab: keepalived.conf rendered for its keepalived, tested, installed and started,
// in two execs (its keepalived version, then everything else).
import {StepError} from '../../errors.js'
import type {Director, Lab} from '../../lab/model.js'
import {parseKeepalivedVersion} from '../../parse/keepalived.js'
import {containerName} from '../../plan/plan.js'
import {type KeepalivedVersion, renderKeepalivedConf} from '../../render/index.js'
import type {EngineInfo, Runtime} from '../../runtime/types.js'
import {noFactsHelper} from '../facts.js'
import {ipvsadmRefusal} from '../ipvs.js'
import {sh} from './shell.js'

/** ASK_VERSION's exit code when the image has no lvslab-facts (a code neither bash nor cat nor keepalived uses). */
export const FACTS_MISSING_EXIT = 99

/** The line ASK_VERSION prints first when IPVS does not answer, before ipvsadm's first line of error. */
export const NO_IPVS = 'lvslab-no-ipvs: '

/**
 * What a director must be asked before its config can be rendered, in one exec: whether IPVS answers
 * (`ipvsadm -Ln`; which also has the kernel load ip_vs where it can, as keepalived would; when it does
 * not, a first line NO_IPVS and ipvsadm's words), then the keepalived version of the lab image, as the
 * image recorded it when it was made (templates/Dockerfile.lvslab-layer.hbs), else keepalived's own
 * `--version` (printed on stderr by every version). Exit 127 when the image has no lvslab-facts (made
 * by an older lvslab: the later reads need it): FACTS_MISSING_EXIT.
 */
export const ASK_VERSION = [
  'command -v lvslab-facts >/dev/null || exit 99',
  `err=$(ipvsadm -Ln 2>&1 >/dev/null) || { printf %s '${NO_IPVS}'; printf '%s\\n' "$err" | head -n 1; }`,
  'cat /etc/lvslab-keepalived-version 2>/dev/null || keepalived --version 2>&1',
].join('\n')

/**
 * A director's keepalived brought to the rendered config, in one exec (the config base64 in LVSLAB_CONF):
 * IPVS must answer (`ipvsadm -Ln`; exit 3 with its error); nothing more when keepalived runs with that
 * config already (prints "current"); else the config is tested with `keepalived -t` (--config-test,
 * keepalived(8)) where that build has it (2.0.4 and later; 1.3.5 exits 0 on -t without testing;
 * exit 4 with its output), installed by rename, and keepalived (re)started by lvslab-svc.
 */
export const START_DIRECTOR = [
  'c=/etc/keepalived/keepalived.conf; n=$c.lvslab-new',
  'err=$(ipvsadm -Ln 2>&1 >/dev/null) || { echo "$err" >&2; exit 3; }',
  'mkdir -p /etc/keepalived && printf %s "$LVSLAB_CONF" | base64 -d > "$n" || exit 1',
  // not in the environment keepalived and its scripts inherit
  'unset LVSLAB_CONF',
  'if [ -f "$c" ] && [ "$(cat "$c")" = "$(cat "$n")" ] && lvslab-svc status keepalived >/dev/null; then rm -f "$n"; echo current; exit 0; fi',
  'if keepalived --help 2>&1 | grep -q -e "-t, --config-test"; then out=$(keepalived -t -f "$n" 2>&1) || { echo "$out" >&2; rm -f "$n"; exit 4; }; fi',
  'mv -f "$n" "$c" && lvslab-svc stop keepalived && lvslab-svc start keepalived',
].join('\n')

/** A director made ready by prepareDirector: the director, whether IPVS answers there (else ipvsadm's words), its keepalived version and the config rendered for it. */
export interface PreparedDirector {
  director: Director
  ipvs: {ok: true} | {ok: false; why: string}
  version: KeepalivedVersion
  conf: string
}

/**
 * A director made ready to start, all but the start itself (which `up` does once the real servers
 * answer): whether IPVS answers and its keepalived version asked in one exec (ASK_VERSION; a director
 * without IPVS is reported, not refused: `up` decides), keepalived.conf rendered for it.
 * @throws StepError "start director <name>" when keepalived cannot be asked its version or the answer
 *   is not a version; StepError "read <container>" (noFactsHelper) for an image without lvslab-facts; the exec's StepError ("interrupted" when `signal` aborts it)
 */
export async function prepareDirector(rt: Runtime, lab: Lab, d: Director, signal?: AbortSignal): Promise<PreparedDirector> {
  const c = containerName(lab, d.name)
  const step = `start director ${d.name}`
  const res = await rt.exec(c, ['bash', '-c', ASK_VERSION], {signal})
  if (res.exitCode === FACTS_MISSING_EXIT) throw noFactsHelper(c)
  const [first = '', ...rest] = res.stdout.split('\n')
  const ipvs = first.startsWith(NO_IPVS)
    ? {ok: false as const, why: first.slice(NO_IPVS.length).trim() || 'ipvsadm failed'}
    : {ok: true as const}
  let version: KeepalivedVersion
  try {
    if (res.exitCode !== 0) throw new Error((res.stderr || res.stdout).trim().split('\n')[0] || `exit ${res.exitCode}`)
    version = parseKeepalivedVersion(ipvs.ok ? res.stdout : rest.join('\n'))
  } catch (error) {
    throw new StepError(
      step,
      `keepalived cannot be asked (keepalived --version): ${(error as Error).message}`,
      'the lab image needs keepalived: make it again',
    )
  }
  return {director: d, ipvs, version, conf: renderKeepalivedConf(lab, d, version)}
}

/**
 * Brings a prepared director's keepalived to its config in one exec (START_DIRECTOR): nothing is
 * changed when keepalived runs that config already.
 * @param engine the engine, for the fix when IPVS refuses (ipvsadmRefusal)
 * @throws StepError "start director <name>": ipvsadm's refusal in words with its fix (exit 3,
 *   ipvsadmRefusal), "<container>: <keepalived -t's words>" (exit 4: a config keepalived refuses, a bug
 *   of lvslab, said in the fix), or the failing command's words; "interrupted" when `signal` aborts the exec
 */
export async function startPrepared(rt: Runtime, lab: Lab, p: PreparedDirector, engine: EngineInfo, signal?: AbortSignal): Promise<void> {
  const step = `start director ${p.director.name}`
  await sh(rt, containerName(lab, p.director.name), START_DIRECTOR, step, {
    env: {LVSLAB_CONF: Buffer.from(p.conf, 'utf8').toString('base64')},
    signal,
    refuse: (res) => {
      if (res.exitCode !== 3) return undefined
      const refusal = ipvsadmRefusal(engine, p.director.name, (res.stderr || res.stdout).trim().split('\n')[0] || 'exit 3')
      return new StepError(step, refusal.detail, refusal.fix)
    },
    fix: (res) => (res.exitCode === 4 ? 'this is a bug of lvslab: please report the lab file' : undefined),
  })
}
