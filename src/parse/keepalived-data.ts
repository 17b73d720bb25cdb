/**
 * Parser of keepalived's text state dump, for every keepalived lvslab supports: 1.3.5 (CentOS 7),
 * 2.2.7 (Debian 12), 2.2.8 (Rocky 9), 2.3.3 (Debian 13). Recorded and reconstructed outputs of each
 * are in test/fixtures/userland/ (see SOURCES.md there).
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
 */
import {snippet} from './text.js'
import {stateFromText, type VrrpInstanceState} from './vrrp-state.js'

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
  // a BACKUP's "Master router = 172.20.1.1" (keepalived prints the address alone)
  const router = /^[0-9a-fA-F.:]+$/.exec(kv.get('Master router') ?? '')?.[0]
  if (router) out.masterRouter = router
  const masterPriority = toInt(kv.get('Master priority'))
  if (masterPriority !== undefined) out.masterPriority = masterPriority
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
