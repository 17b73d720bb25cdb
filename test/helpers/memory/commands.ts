// The commands lvslab sends into its containers, recognised and played on the simulated node as the
// real programs would play them (lvslab-svc, ip, keepalived -t, sysctl, the real server's setup
// script, lvslab-facts, the probers' curl loops and their KILL, the throwaway IPVS check, ipvsadm -Lnc). Anything
// else is refused loudly: a command the simulation does not know must never pass as a success.
import type {ExecResult} from '../../../src/runtime/types.js'
import type {SimRecord} from './engine.js'
import type {FactFault} from './faults.js'
import {lvslabFacts} from './facts.js'
import type {LabModel} from './model.js'
import {newPid, parseKeepalivedConf} from './node.js'
import {type CurlTarget, curlTarget, type ProberLoop, requestsInRow, urlTarget} from './prober.js'
import {IPVS_MISSING, ipvsadmLnc, KEEPALIVED_VERSION} from './texts.js'
import {ASK_VERSION, NO_IPVS, PAGES_WAIT_S, START_DIRECTOR} from '../../../src/ops/up/director.js'
import {CLEAR_DIRECTOR_TC, CLEAR_NETEM, HARD_KILL} from '../../../src/drills/drill.js'

/** What a command in a container can reach. */
export interface Shell {
  model: LabModel
  c: SimRecord
  /** Whether the engine's kernel has ip_vs. */
  ipvs: boolean
  prefix: number
  facts: FactFault[]
  /** The client's prober loops (the pid file's loop first). */
  loops: Set<ProberLoop>
  /** The exec's extra environment. */
  env?: Record<string, string>
}

/** The prober's pid-file KILL (src/probe/continuous.ts ContainerContinuousProber.KILL). */
export const KILL = 'p=$(cat /tmp/lvslab-prober.pid 2>/dev/null) && kill "$p" 2>/dev/null; rm -f /tmp/lvslab-prober.pid; true'

/** The throwaway container's IPVS check (src/ops/ipvs.ts IPVS_PROBE). */
export const IPVS_PROBE =
  'ipvsadm -Ln >/dev/null 2>&1; if [ -d /sys/module/ip_vs ] || [ -e /proc/net/ip_vs ]; then echo ip_vs=yes; else echo ip_vs=no; fi; uname -r'

const ok = (stdout = ''): ExecResult => ({exitCode: 0, stdout, stderr: ''})
const fail = (exitCode: number, stderr: string, stdout = ''): ExecResult => ({exitCode, stdout, stderr})

/** The real server's script of src/ops/up/real-server.ts realServerScript: sysctl writes, their check, the VIP on lo:1, the pages, httpd. */
const RS_SETUP = new RegExp(
  [
    '^set -e',
    '((?:sysctl -q -w \\S+=\\S+\\n)*)for kv in ([^;\\n]+); do',
    '  k=\\$\\{kv%=\\*\\}; want=\\$\\{kv#\\*=\\}; got=; read -r got < /proc/sys/\\$\\{k//\\.//\\}',
    '  \\[ "\\$got" = "\\$want" \\] \\|\\| \\{ echo "\\$k is \\$got, not \\$want" >&2; exit 5; \\}',
    'done',
    "ip -o addr show dev lo \\| grep -q ' (\\d+\\.\\d+\\.\\d+\\.\\d+)/32 ' \\|\\| ip addr add \\3/32 dev lo label lo:1",
    'for p in ((?:\'[^\']+\' ?)+); do mkdir -p "\\$\\{p%/\\*\\}"; printf %s "\\$LVSLAB_PAGE" \\| base64 -d > "\\$p\\.lvslab-new"; mv -f "\\$p\\.lvslab-new" "\\$p"; done',
    'unset LVSLAB_PAGE',
    'lvslab-svc start httpd$',
  ].join('\\n'),
)

/** ContainerProber's sample of src/probe/http.ts: one curl, its -m (s), then the same URL `count` times. */
const IN_ROW =
  /^LC_ALL=C curl -s -m (\d+) -H 'Connection: close' -w '\\nlvslab-R %\{time_total\} %\{http_code\} %\{local_ip\}:%\{local_port\} %\{time_connect\}\\n'((?: '[^']+')+)$/

/** ContainerContinuousProber's stop: the KILL, then a wait while curls are still running. */
const STOP = /^; i=0; while pgrep -x curl >\/dev\/null && \[ \$i -lt (\d+) \]; do sleep 0\.05; i=\$\(\(i\+1\)\); done$/

const canAdmin = (c: SimRecord) => c.node.spec.privileged || c.node.spec.capAdd.includes('NET_ADMIN')

/** `lvslab-svc ACTION SERVICE` (templates/lvslab-svc.hbs). */
function svc(sh: Shell, action: string, service: string): ExecResult {
  const n = sh.c.node
  const pid = service === 'keepalived' ? n.pids.keepalived : n.pids.httpd
  if (action === 'pid') return pid ? ok(`${pid}\n`) : fail(3, '')
  if (action === 'status') return pid ? ok(`running ${pid}\n`) : fail(3, '', 'stopped\n')
  if (service === 'httpd') {
    if (action === 'start' && !pid) n.pids.httpd = newPid()
    else if (action === 'stop') delete n.pids.httpd
    else if (action !== 'start') return fail(2, 'usage: lvslab-svc start|stop|status|pid httpd\n')
    sh.model.changed()
    return ok()
  }
  if (action === 'start') {
    if (pid) return ok()
    const text = n.files.get('/etc/keepalived/keepalived.conf')
    if (text === undefined) return fail(1, 'keepalived did not write /run/keepalived.pid\n')
    try {
      n.conf = parseKeepalivedConf(text)
    } catch {
      // keepalived exits on a config it cannot use; the helper then waits for its pid file in vain
      return fail(1, 'keepalived did not write /run/keepalived.pid\n')
    }
    n.pids.keepalived = newPid()
    // a starting instance is BACKUP (or FAULT without its link); its checkers start with every real server up
    n.vrrp = n.eth0Up ? 'BACKUP' : 'FAULT'
    n.vipHeld = false
    n.table = n.conf.service.realServers.map((r) => r.ip)
  } else if (action === 'stop' || action === 'kill') {
    if (!pid) return action === 'kill' ? fail(3, 'keepalived is not running\n') : ok()
    n.stopKeepalived()
  } else return fail(2, 'usage: lvslab-svc start|stop|kill|status|pid keepalived\n')
  sh.model.changed()
  return ok()
}

/** The real server's setup script: sysctls (written only where /proc/sys is writable), checked, then the VIP on lo:1. */
function rsSetup(sh: Shell, m: RegExpExecArray): ExecResult {
  const n = sh.c.node
  for (const line of m[1]!.split('\n').filter(Boolean)) {
    const [k, v] = line.replace('sysctl -q -w ', '').split('=') as [string, string]
    if (!n.spec.privileged) return fail(255, `sysctl: setting key "${k}": Read-only file system\n`)
    n.sysctls[k] = v
  }
  for (const kv of m[2]!.trim().split(/\s+/)) {
    const [k, want] = kv.split('=') as [string, string]
    const got = n.sysctls[k] ?? '0'
    if (got !== want) return fail(5, `${k} is ${got}, not ${want}\n`)
  }
  const vip = m[3]!
  if (!n.loAddresses.some((a) => a.address === vip)) {
    if (!canAdmin(sh.c)) return fail(2, 'RTNETLINK answers: Operation not permitted\n')
    if (!sh.model.faults.noLoVip.has(sh.c.name)) n.loAddresses.push({address: vip, prefix: 32, label: 'lo:1'})
  }
  const page = Buffer.from(sh.env?.LVSLAB_PAGE ?? '', 'base64').toString('utf8')
  for (const quoted of m[4]!.trim().split(' ')) n.files.set(quoted.slice(1, -1), page)
  return svc(sh, 'start', 'httpd')
}

/** src/ops/up/director.ts START_DIRECTOR: IPVS, the config (LVSLAB_CONF) compared, tested, installed, keepalived (re)started. */
function startDirector(sh: Shell): ExecResult {
  const n = sh.c.node
  if (!sh.ipvs) return fail(3, IPVS_MISSING)
  if (!canAdmin(sh.c)) return fail(3, "Can't initialize ipvs: Permission denied (you must be root)\n")
  const conf = Buffer.from(sh.env?.LVSLAB_CONF ?? '', 'base64').toString('utf8')
  const path = '/etc/keepalived/keepalived.conf'
  if (n.files.get(path)?.trimEnd() === conf.trimEnd() && n.pids.keepalived) return ok('current\n')
  try {
    parseKeepalivedConf(conf)
  } catch (error) {
    return fail(4, `${(error as Error).message}\n`)
  }
  n.files.set(path, conf)
  const stopped = svc(sh, 'stop', 'keepalived')
  return stopped.exitCode === 0 ? svc(sh, 'start', 'keepalived') : stopped
}

/** The wait for the real servers' pages that startDirectorScript puts before keepalived's start in a director's boot. */
const WAIT_PAGES = new RegExp(
  `^end=\\$\\(\\(SECONDS \\+ ${PAGES_WAIT_S}\\)\\); for u in ((?:'[^']+' ?)+); do until curl -s -o /dev/null --connect-timeout 1 -m 1 "\\$u" \\|\\| \\[ \\$SECONDS -ge \\$end \\]; do sleep 0\\.2; done; done$`,
)

/** The pages a director's boot script (startDirectorScript with a wait) waits for; undefined for any other script. */
function bootWait(text: string): string[] | undefined {
  const lines = text.split('\n')
  const base = START_DIRECTOR.split('\n')
  if (lines.length !== base.length + 1) return undefined
  const m = WAIT_PAGES.exec(lines[base.length - 1]!)
  if (!m || [...lines.slice(0, base.length - 1), lines[base.length]].join('\n') !== START_DIRECTOR) return undefined
  return m[1]!
    .trim()
    .split(' ')
    .map((q) => q.slice(1, -1))
}

/** A director's boot: IPVS and the config as START_DIRECTOR, but keepalived started once each page answers (PAGES_WAIT_S in all, counted as that many 5 ms tries here). */
async function bootDirector(sh: Shell, pages: string[]): Promise<ExecResult> {
  if (sh.ipvs && canAdmin(sh.c))
    for (const url of pages) {
      const t = urlTarget(url, 1)
      for (let i = 0; t && i < PAGES_WAIT_S * 5; i++) {
        const rs = sh.model.at(sh.c.network, t.vip)
        if (rs && sh.model.serve(rs, t.port, t.path).status !== 0) break
        await new Promise((r) => setTimeout(r, 5))
      }
    }
  return startDirector(sh)
}

/** Plays `bash -c SCRIPT` (or `sh -c`) in a container; undefined when the script is not one lvslab sends. */
async function script(sh: Shell, text: string): Promise<ExecResult | undefined> {
  const n = sh.c.node
  let m = /^lvslab-svc (start|stop|kill|status|pid) (keepalived|httpd)$/.exec(text)
  if (m) return svc(sh, m[1]!, m[2]!)
  if (text === HARD_KILL) {
    // every keepalived process gone at once: nothing removes the VIP or the IPVS service
    if (!n.pids.keepalived) return fail(3, 'keepalived is not running\n')
    delete n.pids.keepalived
    n.vrrp = undefined
    sh.model.changed()
    return ok()
  }
  if (text.startsWith('tc qdisc add dev eth0 root handle 1: prio && tc filter add dev eth0 parent 1: ')) {
    if (!canAdmin(sh.c)) return fail(2, 'RTNETLINK answers: Operation not permitted\n')
    if (n.vrrpDropped) return fail(2, 'Error: Exclusivity flag on, cannot modify.\n')
    n.vrrpDropped = true
    sh.model.changed()
    return ok()
  }
  m =
    /^for i in \$\(seq (\d+)\); do ip link set eth0 down; sleep ([\d.]+); ip link set eth0 up; \[ \$i -lt \1 \] && sleep \2; done; ip link set eth0 up$/.exec(
      text,
    )
  if (m) {
    if (!canAdmin(sh.c)) return fail(2, 'RTNETLINK answers: Operation not permitted\n')
    const [count, ms] = [Number(m[1]), Number(m[2]) * 1000]
    for (let i = 1; i <= count; i++) {
      n.eth0Up = false
      sh.model.changed()
      await new Promise((r) => setTimeout(r, ms))
      n.eth0Up = true
      sh.model.changed()
      if (i < count) await new Promise((r) => setTimeout(r, ms))
    }
    return ok()
  }
  m = /^tc qdisc add dev eth0 root netem delay (\d+)ms loss (\d+)%$/.exec(text)
  if (m) {
    if (!canAdmin(sh.c)) return fail(2, 'RTNETLINK answers: Operation not permitted\n')
    if (n.netem || n.vrrpDropped) return fail(2, 'Error: Exclusivity flag on, cannot modify.\n')
    n.netem = {delayMs: Number(m[1]), lossPercent: Number(m[2])}
    sh.model.changed()
    return ok()
  }
  // a director's slow link (src/drills/drill.ts slowLink): held, then the adverts it heard counted
  m =
    /^tc qdisc add dev eth0 root netem delay (\d+)ms loss 0% && tc qdisc add dev eth0 handle ffff: ingress && .* && sleep ([\d.]+) && n=/.exec(
      text,
    )
  if (m) {
    if (!canAdmin(sh.c)) return fail(2, 'RTNETLINK answers: Operation not permitted\n')
    if (n.netem || n.vrrpDropped) return fail(2, 'Error: Exclusivity flag on, cannot modify.\n')
    n.netem = {delayMs: Number(m[1]), lossPercent: 0}
    sh.model.changed()
    await new Promise((r) => setTimeout(r, Number(m![2]) * 1000))
    // the memory lab's election knows no delay: nobody else ever takes over, so no advert is heard
    return ok()
  }
  if (text === 'tc qdisc del dev eth0 root && { tc qdisc del dev eth0 ingress 2>/dev/null; true; }') {
    if (!n.netem) return fail(2, 'Error: Cannot delete qdisc with handle of zero.\n')
    n.netem = undefined
    sh.model.changed()
    return ok()
  }
  // a cut link's end (src/drills/drill.ts uncutLink): all but VRRP first, then VRRP too
  m =
    /^tc qdisc del dev eth0 root && tc qdisc add dev eth0 root handle 1: prio && tc filter add .* && sleep ([\d.]+) && tc qdisc del dev eth0 root$/.exec(
      text,
    )
  if (m) {
    if (!n.netem) return fail(2, 'Error: Cannot delete qdisc with handle of zero.\n')
    n.netem = undefined
    n.vrrpDropped = true
    sh.model.changed()
    await new Promise((r) => setTimeout(r, Number(m![1]) * 1000))
    n.vrrpDropped = false
    sh.model.changed()
    return ok()
  }
  if (text === CLEAR_DIRECTOR_TC) {
    const was = n.netem ? 'netem' : n.vrrpDropped ? 'vrrp' : ''
    n.netem = undefined
    n.vrrpDropped = false
    sh.model.changed()
    return ok(`${was}\n`)
  }
  if (text === CLEAR_NETEM) {
    const was = n.netem
    n.netem = undefined
    sh.model.changed()
    return ok(was ? 'removed\n' : '')
  }
  if (text === 'tc qdisc del dev eth0 root') {
    if (!n.netem) return fail(2, 'Error: Cannot delete qdisc with handle of zero.\n')
    n.netem = undefined
    sh.model.changed()
    return ok()
  }
  m = /^ip addr del (\S+)\/32 dev eth0 2>\/dev\/null; ipvsadm -C && lvslab-svc start keepalived$/.exec(text)
  if (m) {
    if (!canAdmin(sh.c)) return fail(2, "Can't initialize ipvs: Permission denied (you must be root)\n")
    if (n.conf?.vip === m[1]) n.vipHeld = false
    n.table = []
    n.conns.clear()
    return svc(sh, 'start', 'keepalived')
  }
  m = /^ip link set eth0 (up|down)$/.exec(text)
  if (m) {
    if (!canAdmin(sh.c)) return fail(2, 'RTNETLINK answers: Operation not permitted\n')
    n.eth0Up = m[1] === 'up'
    sh.model.changed()
    return ok()
  }
  if (text === ASK_VERSION) {
    // ipvsadm -Ln first (its first line of error after NO_IPVS), then the image's keepalived version
    const noIpvs = !sh.ipvs
      ? IPVS_MISSING.split('\n')[0]
      : !canAdmin(sh.c)
        ? "Can't initialize ipvs: Permission denied (you must be root)"
        : undefined
    return ok(`${noIpvs === undefined ? '' : `${NO_IPVS}${noIpvs}\n`}${KEEPALIVED_VERSION}`)
  }
  if (text === START_DIRECTOR) return startDirector(sh)
  const pages = bootWait(text)
  if (pages) return bootDirector(sh, pages)
  if (text === 'keepalived -t -f /etc/keepalived/keepalived.conf') {
    const conf = n.files.get('/etc/keepalived/keepalived.conf')
    if (conf === undefined) return fail(1, "Configuration file '/etc/keepalived/keepalived.conf' is not a regular non-executable file\n")
    try {
      parseKeepalivedConf(conf)
      return ok()
    } catch (error) {
      return fail(1, `${(error as Error).message}\n`)
    }
  }
  m = RS_SETUP.exec(text.replace(/\n{2,}/g, '\n'))
  if (m) return rsSetup(sh, m)
  m = IN_ROW.exec(text)
  const urls = m ? m[2]!.trim().split(' ') : []
  const target = m && new Set(urls).size === 1 ? urlTarget(urls[0]!.slice(1, -1), Number(m[1])) : undefined
  if (m && target) return ok(await requestsInRow(sh.model, sh.c, target, urls.length))
  if (text === KILL) {
    for (const loop of sh.loops) loop.end()
    sh.loops.clear()
    return ok()
  }
  if (text.startsWith(KILL) && STOP.test(text.slice(KILL.length))) {
    const rounds = Number(STOP.exec(text.slice(KILL.length))![1])
    const loops = [...sh.loops]
    for (const loop of loops) loop.end()
    sh.loops.clear()
    for (let i = 0; i < rounds && loops.some((l) => l.inFlight); i++) await new Promise((r) => setTimeout(r, 50))
    return ok()
  }
  return undefined
}

/**
 * Plays a command lvslab sends with exec.
 * @returns its result, or undefined when it is not a command lvslab sends (the runtime refuses it)
 */
export async function runCommand(sh: Shell, cmd: string[]): Promise<ExecResult | undefined> {
  if (cmd[0] === 'lvslab-facts') return lvslabFacts(sh.model, sh.c, cmd.slice(1), sh.ipvs, sh.prefix, sh.facts)
  if ((cmd[0] === 'bash' || cmd[0] === 'sh') && cmd[1] === '-c' && cmd.length === 3) return script(sh, cmd[2]!)
  if (cmd.join(' ') === 'ipvsadm -Lnc') {
    if (!sh.ipvs) return fail(2, IPVS_MISSING)
    if (!canAdmin(sh.c)) return fail(2, "Can't initialize ipvs: Permission denied (you must be root)\n")
    const svc = sh.c.node.conf?.service
    return ok(ipvsadmLnc(svc?.address ?? '0.0.0.0', svc?.port ?? 0, sh.c.node.conns))
  }
  return undefined
}

/** The lines of ContainerContinuousProber.script() after its first (src/probe/continuous.ts loop()), each a pattern. */
const LOOP_LINES = [
  /^f=\/tmp\/lvslab-prober\.\$\$; rm -f "\$f"; mkfifo "\$f" && exec 9<>"\$f" \|\| \{ echo "lvslab prober: no fifo \$f" >&2; exit 1; \}; rm -f "\$f"$/,
  /^tick=(\d+); next=\$\{EPOCHREALTIME\/\.\/\}; SECONDS=0$/,
  /^while \[ \$SECONDS -lt (\d+) \]; do$/,
  /^ {2}\( (.*) \) &$/,
  /^ {2}if \[ -n "\$next" \]; then next=\$\(\(next \+ tick\)\); d=\$\(\(next - \$\{EPOCHREALTIME\/\.\/\}\)\)$/,
  /^ {4}if \[ \$d -lt \$\(\(-5 \* tick\)\) \]; then next=\$\{EPOCHREALTIME\/\.\/\}; d=0; fi$/,
  /^ {4}if \[ \$d -gt 0 \]; then printf -v w '%d\.%06d' \$\(\(d \/ 1000000\)\) \$\(\(d % 1000000\)\); read -t "\$w" -u 9 _; fi$/,
  /^ {2}else read -t \d+\.\d{3} -u 9 _; fi$/,
  /^done$/,
]

/**
 * The prober's background loop of src/probe/continuous.ts (its pid-file KILL, then loop(), line by line):
 * its tick (ms), its hour (ms) and its curl target; undefined for any other command.
 */
export function streamLoop(cmd: string[]): {tickMs: number; hourMs: number; target: CurlTarget} | undefined {
  const text = cmd[0] === 'bash' && cmd[1] === '-c' && cmd.length === 3 ? cmd[2]! : ''
  const [first, ...lines] = text.split('\n')
  if (first !== `${KILL}; echo $$ > /tmp/lvslab-prober.pid` || lines.length !== LOOP_LINES.length) return undefined
  const m = lines.map((line, i) => LOOP_LINES[i]!.exec(line))
  if (m.some((x) => !x)) return undefined
  const target = curlTarget(m[3]![1]!)
  if (!target) return undefined
  return {tickMs: Number(m[1]![1]) / 1000, hourMs: Number(m[2]![1]) * 1000, target}
}
