// A director of the lab: keepalived.conf rendered for its keepalived, tested, installed and started:
// at its container's first start (directorBoot), or in two execs (its keepalived version, then
// everything else) in a director `up` finds.
import {StepError} from '../../errors.js'
import type {Director, Lab} from '../../lab/model.js'
import {parseKeepalivedVersion} from '../../parse/keepalived.js'
import {containerName} from '../../plan/plan.js'
import {type KeepalivedVersion, renderKeepalivedConf} from '../../render/index.js'
import type {EngineInfo, ExecResult, Runtime} from '../../runtime/types.js'
import {noFactsHelper} from '../facts.js'
import {ipvsadmRefusal} from '../ipvs.js'
import {type Boot, bootOutcome} from './boot.js'
import {judged, sh, type ShOptions} from './shell.js'

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

/** How long (s) a director's boot waits in all for its real servers' pages before it starts keepalived anyway. */
export const PAGES_WAIT_S = 20

/** A wait for each URL to answer (any HTTP answer; each try at most 1 s, 0.2 s apart), PAGES_WAIT_S in all, then on either way. */
function waitForPages(urls: string[]): string {
  return `end=$((SECONDS + ${PAGES_WAIT_S})); for u in ${urls.map((u) => `'${u}'`).join(' ')}; do until curl -s -o /dev/null --connect-timeout 1 -m 1 "$u" || [ $SECONDS -ge $end ]; do sleep 0.2; done; done`
}

/**
 * A director's keepalived brought to the rendered config, in one script (the config base64 in
 * LVSLAB_CONF): IPVS must answer (`ipvsadm -Ln`; exit 3 with its error); nothing more when keepalived
 * runs with that config already (prints "current"); else the config is tested with `keepalived -t`
 * (--config-test, keepalived(8)) where that build has it (2.0.4 and later; 1.3.5 exits 0 on -t without
 * testing; exit 4 with its output), installed by rename, and keepalived (re)started by lvslab-svc.
 * @param waitFor pages (URLs) that must answer before keepalived starts (a director that boots
 *   beside its real servers: its first HTTP_GET checks then meet httpd running); none by default
 */
export function startDirectorScript(waitFor: string[] = []): string {
  return [
    'c=/etc/keepalived/keepalived.conf; n=$c.lvslab-new',
    'err=$(ipvsadm -Ln 2>&1 >/dev/null) || { echo "$err" >&2; exit 3; }',
    'mkdir -p /etc/keepalived && printf %s "$LVSLAB_CONF" | base64 -d > "$n" || exit 1',
    // not in the environment keepalived and its scripts inherit
    'unset LVSLAB_CONF',
    'if [ -f "$c" ] && [ "$(cat "$c")" = "$(cat "$n")" ] && lvslab-svc status keepalived >/dev/null; then rm -f "$n"; echo current; exit 0; fi',
    'if keepalived --help 2>&1 | grep -q -e "-t, --config-test"; then out=$(keepalived -t -f "$n" 2>&1) || { echo "$out" >&2; rm -f "$n"; exit 4; }; fi',
    ...(waitFor.length > 0 ? [waitForPages(waitFor)] : []),
    'mv -f "$n" "$c" && lvslab-svc stop keepalived && lvslab-svc start keepalived',
  ].join('\n')
}

/** startDirectorScript() with no wait: what `up` runs by exec in a director that was already there. */
export const START_DIRECTOR = startDirectorScript()

/** A director made ready by prepareDirector: the director, whether IPVS answers there (else ipvsadm's words), its keepalived version and the config rendered for it. */
export interface PreparedDirector {
  director: Director
  ipvs: {ok: true} | {ok: false; why: string}
  version: KeepalivedVersion
  conf: string
  /** The outcome of its boot, for a director whose container started its keepalived itself (directorBoot). */
  boot?: ExecResult
  /** When (epoch ms) `up` read that outcome: keepalived had started by then. */
  bootReadAt?: number
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

/** The path of the keepalived version the lab image recorded when it was made (templates/Dockerfile.lvslab-layer.hbs). */
export const KEEPALIVED_VERSION_FILE = '/etc/lvslab-keepalived-version'

/**
 * What a director's container runs at its first start (src/ops/up/boot.ts), its config rendered for
 * `version`: startDirectorScript waiting for every real server's page (the health check's URL) before
 * keepalived starts, so that its first HTTP_GET checks meet httpd running. Started before them, it
 * meets them still starting: measured in the kernel VM (Docker 20.10), keepalived then took 14 to 15 s
 * more to list both in IPVS, in 2 runs of 3.
 */
export function directorBoot(lab: Lab, d: Director, version: KeepalivedVersion): Boot & {conf: string} {
  const {port, health_check: hc} = lab.virtual_server
  const conf = renderKeepalivedConf(lab, d, version)
  return {
    script: startDirectorScript(lab.real_servers.map((r) => `http://${r.ip}:${port}${hc.path}`)),
    env: {LVSLAB_CONF: Buffer.from(conf, 'utf8').toString('base64')},
    conf,
  }
}

/**
 * A director that started its keepalived itself (directorBoot), made ready as prepareDirector makes one:
 * its boot's outcome read from the container's log; IPVS missing when it exited 3 (ipvsadm's first line).
 * @throws StepError "read the log of <container>" when the container stops before its script ends,
 *   at BOOT_TIMEOUT_MS, or "interrupted" when the signal aborts
 */
export async function bootedDirector(
  rt: Runtime,
  lab: Lab,
  d: Director,
  version: KeepalivedVersion,
  conf: string,
  signal?: AbortSignal,
): Promise<PreparedDirector> {
  const boot = await bootOutcome(rt, containerName(lab, d.name), signal)
  const ipvs = boot.exitCode === 3 ? {ok: false as const, why: firstLine(boot, 'ipvsadm failed')} : {ok: true as const}
  return {director: d, ipvs, version, conf, boot, bootReadAt: Date.now()}
}

/** The first line a script said (stderr first, else stdout), or `otherwise`: how ipvsadm's refusal is quoted. */
const firstLine = (res: ExecResult, otherwise: string) => (res.stderr || res.stdout).trim().split('\n')[0] || otherwise

/** How a director's start is judged: ipvsadm's refusal (exit 3) in words with its fix, keepalived -t's (exit 4) as a bug of lvslab. */
function startJudging(p: PreparedDirector, engine: EngineInfo, step: string): Pick<ShOptions, 'refuse' | 'fix'> {
  return {
    refuse: (res) => {
      if (res.exitCode !== 3) return undefined
      const refusal = ipvsadmRefusal(engine, p.director.name, firstLine(res, 'exit 3'))
      return new StepError(step, refusal.detail, refusal.fix)
    },
    fix: (res) => (res.exitCode === 4 ? 'this is a bug of lvslab: please report the lab file' : undefined),
  }
}

/**
 * Brings a prepared director's keepalived to its config in one exec (START_DIRECTOR): nothing is
 * changed when keepalived runs that config already. A director that booted (p.boot) is not asked
 * again: its boot's outcome is judged the same way.
 * @param engine the engine, for the fix when IPVS refuses (ipvsadmRefusal)
 * @returns when (epoch ms) keepalived was seen (re)started (a boot: when its outcome was read, p.bootReadAt;
 *   an exec: when it ended), undefined when it already ran that config (the script said "current")
 * @throws StepError "start director <name>": ipvsadm's refusal in words with its fix (exit 3,
 *   ipvsadmRefusal), "<container>: <keepalived -t's words>" (exit 4: a config keepalived refuses, a bug
 *   of lvslab, said in the fix), or the failing command's words; "interrupted" when `signal` aborts the exec
 */
export async function startPrepared(
  rt: Runtime,
  lab: Lab,
  p: PreparedDirector,
  engine: EngineInfo,
  signal?: AbortSignal,
): Promise<number | undefined> {
  const step = `start director ${p.director.name}`
  const c = containerName(lab, p.director.name)
  const current = (out: string) => /^current$/m.test(out)
  if (p.boot) return current(judged(p.boot, c, step, startJudging(p, engine, step))) ? undefined : (p.bootReadAt ?? Date.now())
  const out = await sh(rt, c, START_DIRECTOR, step, {
    env: {LVSLAB_CONF: Buffer.from(p.conf, 'utf8').toString('base64')},
    signal,
    ...startJudging(p, engine, step),
  })
  return current(out) ? undefined : Date.now()
}
