/**
 * Parsers for keepalived's runtime state dumps, its version banner and its --help text, for every
 * keepalived lvslab supports: 1.3.5 (CentOS 7), 2.2.7 (Debian 12), 2.2.8 (Rocky 9), 2.3.3 (Debian 13).
 * Recorded and reconstructed outputs of each are in test/fixtures/userland/ (see SOURCES.md there).
 *
 * /tmp/keepalived.data (SIGUSR1) — keepalived 2.x, vrrp_data.c dump_data_vrrp() (recorded on 2.2.7
 * and 2.3.3):
 *   ------< Global definitions >------
 *    Network namespace = (default)
 *    ...
 *   ------< VRRP Topology >------
 *    VRRP Instance = VI_1
 *      VRRP Version = 2
 *      State = MASTER
 *      Wantstate = MASTER
 *      ...
 *      Interface = eth0
 *      ...
 *      Virtual Router ID = 51
 *      Priority = 150
 *      Effective priority = 150
 *      Total priority = 150
 *      ...
 *      Virtual IP (1):
 *        172.20.1.100 dev eth0 scope global label eth0:1 set
 *   ------< VRRP Sockpool >------ / ------< VRRP Sync groups >------ /
 *   ------< VRRP Scripts >------ / ------< Interfaces >------ ...
 *
 * keepalived 1.3.5 — vrrp_print.c vrrp_print_data(): no Global definitions, no Interfaces section,
 * the version line is indented by ONE space and there is no "Effective priority":
 *   ------< VRRP Topology >------
 *    VRRP Instance = VI_1
 *    VRRP Version = 2
 *      State = MASTER
 *      Last transition = 1796010059 (Mon Nov 30 03:40:59 2026)
 *      Listening device = eth0
 *      ...
 *      Virtual Router ID = 51
 *      Priority = 150
 *      ...
 *      Virtual IP = 1
 *        172.20.1.100/32 dev eth0 scope global label eth0:1
 *
 * The instance name line (" VRRP Instance = NAME") is the same in every version. State: 1.x prints
 * "BACKUP"/"MASTER"/"FAULT" and any other state as its number (0 = INIT); 2.x prints the word of
 * get_state_str() (BACKUP, MASTER, FAULT, ...; an unknown word reads as UNKNOWN). Every section uses the same " Key = value" shape
 * (the Interfaces and VRRP Scripts sections also have "   State = ..." lines), so only the VRRP
 * Topology section is read, and only 3-space-indented keys directly under a " VRRP Instance = " line.
 * The interface key is "Listening device" (1.x), "Running on device" (2.0.x) or "Interface" (2.1+).
 *
 * /tmp/keepalived.json (SIG of `keepalived --signum=JSON`, needs --enable-json, keepalived >= 1.3.8) —
 * vrrp_json.c: `[{"data": {"iname", "ifp_ifname", "vrid", "base_priority",
 * "effective_priority", "state", ...}, "stats": {...}}, ...]`. With `json_version 2`
 * (keepalived >= 2.3) the array is wrapped: `{"vrrp": [...], "track_process": [...]}`.
 */

export type VrrpState = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'STOP' | 'UNKNOWN'

export interface VrrpInstanceState {
  instance: string
  state: VrrpState
  priority?: number
  effectivePriority?: number
  interface?: string
  virtualRouterId?: number
}

export interface KeepalivedVersion {
  major: number
  minor: number
  patch: number
  raw: string
}

/** keepalived's vrrp.h state numbers. */
const STATE_BY_NUMBER: Record<number, VrrpState> = {
  0: 'INIT',
  1: 'BACKUP',
  2: 'MASTER',
  3: 'FAULT',
  97: 'UNKNOWN', // VRRP_STATE_DELETED (internal)
  98: 'STOP', // VRRP_STATE_STOP (internal)
}

function stateFromNumber(n: number): VrrpState {
  return STATE_BY_NUMBER[n] ?? 'UNKNOWN'
}

function stateFromText(s: string): VrrpState {
  const v = s.trim()
  if (/^\d+$/.test(v)) return stateFromNumber(Number(v))
  switch (v.toUpperCase()) {
    case 'INIT':
    case 'BACKUP':
    case 'MASTER':
    case 'FAULT':
    case 'STOP':
      return v.toUpperCase() as VrrpState
    default:
      return 'UNKNOWN'
  }
}

function snippet(text: string): string {
  const first = text.trim().split('\n')[0] ?? ''
  return first.length > 120 ? `${first.slice(0, 117)}...` : first
}

function toInt(v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const m = /^\s*(-?\d+)/.exec(v)
  return m && m[1] !== undefined ? Number(m[1]) : undefined
}

const SECTION_RE = /^-+<\s*(.+?)\s*>-+\s*$/
const INSTANCE_RE = /^ VRRP Instance = (.+?)\s*$/
const INSTANCE_KEY_RE = /^ {3}(\S[^=]*?) = (.*?)\s*$/
/** 1-space lines that start a non-instance block inside the 1.x topology section. */
const OTHER_BLOCK_RE = /^ VRRP (Script|Track|Sync Group)\b/

const INTERFACE_KEYS = ['Interface', 'Listening device', 'Running on device']
/**
 * Instance lines every version prints unconditionally, in this order (1.3.5 vrrp_print.c vrrp_print(),
 * 2.x vrrp_data.c dump_vrrp()): "Advert interval" comes after the priorities, so its presence proves
 * the State, interface, VRID and priority lines above it were written whole.
 */
const STRICT_KEYS = ['State', 'Virtual Router ID', 'Priority', 'Advert interval']

function buildInstance(name: string, kv: Map<string, string>): VrrpInstanceState {
  const out: VrrpInstanceState = {
    instance: name,
    state: kv.has('State') ? stateFromText(kv.get('State') as string) : 'UNKNOWN',
  }
  const priority = toInt(kv.get('Priority'))
  if (priority !== undefined) out.priority = priority
  const eff = toInt(kv.get('Effective priority'))
  if (eff !== undefined) out.effectivePriority = eff
  for (const key of INTERFACE_KEYS) {
    const raw = kv.get(key)
    if (raw === undefined) continue
    // VMAC/ipvlan form: "vrrp.51, vmac on eth0, xmit base i/f"
    const ifname = raw.split(',')[0]?.trim()
    if (ifname && ifname !== 'not configured') out.interface = ifname
    break
  }
  const vrid = toInt(kv.get('Virtual Router ID'))
  if (vrid !== undefined) out.virtualRouterId = vrid
  return out
}

/** Options of {@link parseKeepalivedData}. */
export interface KeepalivedDataOptions {
  /**
   * The caller holds what should be a whole dump (e.g. read right after SIGUSR1): throw when it looks
   * cut short instead of returning what was read. Meant for the dump of a keepalived that has VRRP
   * instances (every lvslab director). Checks:
   * - a "VRRP Topology" section with at least one instance;
   * - every instance has its "State", "Virtual Router ID", "Priority" and "Advert interval" lines
   *   ("Advert interval" is printed after the others in every version, so the values above it are
   *   whole);
   * - a 2.x dump (one that starts with a "Global definitions" section, as 2.2.7 and 2.3.3 do) reaches
   *   its "Interfaces" section, which keepalived >= 1.4.0 writes after the topology.
   * keepalived writes the file through stdio, so a dump read while it is being written ends at a
   * 4 KiB boundary — for a 2.x dump typically inside the global or interface sections, which these
   * checks catch. Default false (lenient: an incomplete instance reads as state UNKNOWN, a dump without
   * instances as []).
   */
  strict?: boolean
}

/**
 * Parse the text dump keepalived writes to /tmp/keepalived.data on SIGUSR1 (layouts in the module
 * comment; keepalived 1.3.5 to 2.3.x).
 * @returns one entry per " VRRP Instance = " block of the VRRP Topology section, in dump order; []
 *   when the dump has no instances (lenient mode only).
 * @throws Error when the text has no "------< ... >------" section at all (empty text, `cat: ...: No
 *   such file or directory`, another command's output); with `strict`, also when it looks cut short
 *   (see {@link KeepalivedDataOptions.strict}).
 */
export function parseKeepalivedData(text: string, opts: KeepalivedDataOptions = {}): VrrpInstanceState[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  let sawSection = false
  let inTopology = false
  const sections = new Set<string>()
  const result: VrrpInstanceState[] = []
  const incomplete: string[] = []
  let name: string | undefined
  let kv = new Map<string, string>()
  let collecting = false

  const flush = (): void => {
    if (name !== undefined) {
      result.push(buildInstance(name, kv))
      if (STRICT_KEYS.some((k) => !kv.has(k))) incomplete.push(name)
    }
    name = undefined
    kv = new Map()
    collecting = false
  }

  for (const line of lines) {
    const sec = SECTION_RE.exec(line)
    if (sec) {
      sawSection = true
      // keepalived 1.x prints "------< NIC >------" for tracked interfaces inside
      // an instance; that is not the end of the topology section.
      if (sec[1] === 'NIC') {
        collecting = false
        continue
      }
      flush()
      sections.add(sec[1] as string)
      inTopology = sec[1] === 'VRRP Topology'
      continue
    }
    if (!inTopology) continue

    const inst = INSTANCE_RE.exec(line)
    if (inst) {
      flush()
      name = inst[1]
      collecting = true
      continue
    }
    if (OTHER_BLOCK_RE.test(line)) {
      collecting = false
      continue
    }
    if (!collecting) continue
    const m = INSTANCE_KEY_RE.exec(line)
    if (m && m[1] !== undefined && m[2] !== undefined && !kv.has(m[1])) {
      kv.set(m[1], m[2])
    }
  }
  flush()

  if (!sawSection) {
    throw new Error(
      text.trim() === ''
        ? 'keepalived.data: empty text'
        : `not a keepalived.data dump (no "------< ... >------" section): ${snippet(text)}`,
    )
  }
  if (opts.strict) {
    if (!sections.has('VRRP Topology')) {
      throw new Error(`keepalived.data: no "VRRP Topology" section (dump cut short?); sections: ${[...sections].join(', ')}`)
    }
    if (result.length === 0) {
      throw new Error('keepalived.data: a "VRRP Topology" section without any instance (dump cut short?)')
    }
    if (incomplete.length > 0) {
      throw new Error(
        `keepalived.data: instance ${incomplete.join(', ')} lacks one of the ${STRICT_KEYS.map((k) => `"${k}"`).join(', ')} lines (dump cut short?)`,
      )
    }
    if (sections.has('Global definitions') && !sections.has('Interfaces')) {
      throw new Error('keepalived.data: a keepalived 2.x dump without its "Interfaces" section (dump cut short?)')
    }
  }
  return result
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined
}

/** Parse /tmp/keepalived.json (written on the JSON signal). */
export function parseKeepalivedJson(text: string): VrrpInstanceState[] {
  if (text.trim() === '') throw new Error('keepalived.json: empty text')
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    throw new Error(`keepalived.json: not JSON (${reason}): ${snippet(text)}`)
  }
  let entries: unknown[]
  if (Array.isArray(data)) {
    entries = data
  } else if (isRecord(data) && Array.isArray(data['vrrp'])) {
    entries = data['vrrp'] // json_version 2
  } else {
    throw new Error('keepalived.json: expected an array of VRRP instances or {"vrrp": [...]}')
  }

  return entries.map((entry, i) => {
    const d = isRecord(entry) ? entry['data'] : undefined
    if (!isRecord(d) || typeof d['iname'] !== 'string') {
      throw new Error(`keepalived.json: entry ${i} has no data.iname`)
    }
    const stateNum = num(d['state'])
    const out: VrrpInstanceState = {
      instance: d['iname'],
      state: stateNum === undefined ? 'UNKNOWN' : stateFromNumber(stateNum),
    }
    const priority = num(d['base_priority'])
    if (priority !== undefined) out.priority = priority
    const eff = num(d['effective_priority'])
    if (eff !== undefined) out.effectivePriority = eff
    if (typeof d['ifp_ifname'] === 'string' && d['ifp_ifname'] !== '') {
      out.interface = d['ifp_ifname']
    }
    const vrid = num(d['vrid'])
    if (vrid !== undefined) out.virtualRouterId = vrid
    return out
  })
}

const VERSION_RE = /^Keepalived v(\d+)\.(\d+)\.(\d+)\b/

/**
 * Parse `keepalived --version` (or `-v`) output; only the banner line is read. Every version prints
 * this on *stderr* and exits 0 (keepalived/core/main.c parse_cmdline(), case 'v'), so capture 2>&1.
 * The banner is `PACKAGE_NAME " v" VERSION " (" VERSION_DATE ")"` plus `", git commit X"` when the
 * build had git-commit.h:
 *   1.3.5 (CentOS 7):  `Keepalived v1.3.5 (03/19,2017), git commit v1.3.5-6-g6fa32f2`
 *                      then "Copyright(C) 2001-2017 ..." and one "Build options:  ..." line.
 *   2.2.7 (Debian 12): `Keepalived v2.2.7 (01/16,2022)`
 *   2.2.8 (release tarball, e.g. Rocky 9 / Ubuntu 24.04): `Keepalived v2.2.8 (04/04,2023), git commit v2.2.7-154-g292b299e+`
 *   2.3.3 (Debian 13): `Keepalived v2.3.3 (03/30,2025)`
 *   2.x then prints "Copyright(C) ...", "Built with kernel headers for Linux X", "Running on ...",
 *   "Distro: ...", "configure options: ...", "Config options: ...", "System options: ...".
 * A bare `Keepalived v2.2.7` is accepted too (lvslab's own /etc/lvslab-keepalived-version).
 * @returns major/minor/patch and `raw`, the trimmed banner line.
 * @throws Error when no line starts with `Keepalived vX.Y.Z` (empty text — e.g. stdout captured
 *   without stderr —, "command not found", a cut banner such as `Keepalived v2.2`).
 */
export function parseKeepalivedVersion(text: string): KeepalivedVersion {
  for (const rawLine of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = rawLine.trim()
    const m = VERSION_RE.exec(line)
    if (m) {
      return {major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), raw: line}
    }
  }
  throw new Error(
    text.trim() === ''
      ? 'keepalived --version: empty output (note: keepalived prints its version on stderr)'
      : `unrecognised keepalived --version output: ${snippet(text)}`,
  )
}

/** What a keepalived binary's command line offers, as read from its `--help` text. */
export interface KeepalivedFeatures {
  /** `-t, --config-test[=LOG_FILE]`: check the configuration and exit (keepalived >= 2.0.4). */
  configTest: boolean
  /** `--signum=SIGFUNC`: print the number of the signal for STOP, RELOAD, DATA, STATS, ... (>= 1.3.8). */
  signum: boolean
  /** `-g, --log-file=FILE`: also log to a file (>= 1.4.0, and only when built with --enable-log-file). */
  logFile: boolean
  /** `--signum` lists JSON: the build has the JSON dump (--enable-json; >= 1.3.8). */
  json: boolean
}

const HELP_USAGE_RE = /^Usage: \S+ \[OPTION\.\.\.\]\s*$/m
const HELP_LAST_RE = /^\s+-h, --help\s+Display this help message\s*$/m

/**
 * Read which command-line features a keepalived build has from its `keepalived --help` (or `-h`)
 * text. keepalived prints the usage on *stderr* and exits 0 (main.c usage()), so capture 2>&1.
 *
 * Why read the help and not the version: two of these are build options, not versions. Per
 * keepalived's ChangeLog (acassen/keepalived, ChangeLog at 2.0.19, commit 6e3cf646):
 * - `--signum` came in 1.3.8 (2017-10-15: "Add --signum command line option to report signal
 *   numbers"), together with the JSON dump; the help lists ", JSON" in the --signum line only when
 *   built with _WITH_JSON_ (--enable-json).
 * - `-g, --log-file` came in 1.4.0 (2017-12-29: "Add log to file and no syslog options"); since then
 *   main.c prints it only `#ifdef ENABLE_LOG_TO_FILE` (configure --enable-log-file): Debian 12's 2.2.7
 *   lacks it, Debian 13's 2.3.3 has it.
 * - `-t, --config-test` came in 2.0.4 (2018-06-17: "Add -t config-test option", issue #389); 2.0.5
 *   made a failed check exit 1.
 * keepalived 1.3.5 (CentOS 7) has none of the three: its usage() ends "-i, --config_id id ...",
 * "-v, --version", "-h, --help", and its getopt loop treats any unknown option with
 * `default: exit(0);` — so `keepalived --signum=JSON` or `keepalived -t` there print getopt's
 * "unrecognized option" on stderr, print nothing on stdout and exit 0 without starting a daemon
 * (and without checking anything). Gate on these features, never on the exit code.
 *
 * @param helpText the usage text (`Usage: keepalived [OPTION...]` ... `-h, --help  Display this help message`).
 * @throws Error when the text is not keepalived's usage or is cut short: it must contain the
 *   `Usage: PROG [OPTION...]` line and end with the `-h, --help` line, which every version prints last.
 */
export function keepalivedFeatures(helpText: string): KeepalivedFeatures {
  const text = helpText.replace(/\r\n?/g, '\n')
  if (text.trim() === '') {
    throw new Error('keepalived --help: empty output (note: keepalived prints its usage on stderr)')
  }
  if (!HELP_USAGE_RE.test(text)) {
    throw new Error(`not keepalived --help output (no "Usage: keepalived [OPTION...]" line): ${snippet(text)}`)
  }
  if (!HELP_LAST_RE.test(text)) {
    throw new Error('keepalived --help: no "-h, --help" line, which keepalived prints last (output cut short?)')
  }
  const signumLine = /^\s+--signum=\S+\s+(.*)$/m.exec(text)
  return {
    configTest: /^\s+-t, --config-test\b/m.test(text),
    signum: signumLine !== null,
    logFile: /^\s+-g, --log-file\b/m.test(text),
    json: signumLine !== null && /\bJSON\b/.test(signumLine[1] ?? ''),
  }
}
