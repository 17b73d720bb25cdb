/**
 * Parsers for keepalived's runtime state dumps and version string.
 *
 * /tmp/keepalived.data (SIGUSR1) — keepalived 2.2.x, vrrp_data.c dump_data_vrrp():
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
 *   ------< VRRP Sockpool >------ / ------< VRRP Sync groups >------ /
 *   ------< VRRP Scripts >------ / ------< Interfaces >------ ...
 *
 * Every section uses the same " Key = value" shape (the Interfaces and VRRP Scripts
 * sections also have "   State = ..." lines), so only the VRRP Topology section is read,
 * and only 3-space-indented keys directly under a " VRRP Instance = " line.
 * keepalived 1.x wrote the interface as "Listening device" and, in 2.0.x, as
 * "Running on device"; 1.x printed non-BACKUP/MASTER/FAULT states as numbers.
 *
 * /tmp/keepalived.json (SIG of `keepalived --signum=JSON`, needs --enable-json) —
 * vrrp_json.c: `[{"data": {"iname", "ifp_ifname", "vrid", "base_priority",
 * "effective_priority", "state", ...}, "stats": {...}}, ...]`. With `json_version 2`
 * (keepalived >= 2.3) the array is wrapped: `{"vrrp": [...], "track_process": [...]}`.
 */

export type VrrpState = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'STOP' | 'UNKNOWN';

export interface VrrpInstanceState {
  instance: string;
  state: VrrpState;
  priority?: number;
  effectivePriority?: number;
  interface?: string;
  virtualRouterId?: number;
}

export interface KeepalivedVersion {
  major: number;
  minor: number;
  patch: number;
  raw: string;
}

/** keepalived's vrrp.h state numbers. */
const STATE_BY_NUMBER: Record<number, VrrpState> = {
  0: 'INIT',
  1: 'BACKUP',
  2: 'MASTER',
  3: 'FAULT',
  97: 'UNKNOWN', // VRRP_STATE_DELETED (internal)
  98: 'STOP', // VRRP_STATE_STOP (internal)
};

function stateFromNumber(n: number): VrrpState {
  return STATE_BY_NUMBER[n] ?? 'UNKNOWN';
}

function stateFromText(s: string): VrrpState {
  const v = s.trim();
  if (/^\d+$/.test(v)) return stateFromNumber(Number(v));
  switch (v.toUpperCase()) {
    case 'INIT':
    case 'BACKUP':
    case 'MASTER':
    case 'FAULT':
    case 'STOP':
      return v.toUpperCase() as VrrpState;
    default:
      return 'UNKNOWN';
  }
}

function snippet(text: string): string {
  const first = text.trim().split('\n')[0] ?? '';
  return first.length > 120 ? `${first.slice(0, 117)}...` : first;
}

function toInt(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^\s*(-?\d+)/.exec(v);
  return m && m[1] !== undefined ? Number(m[1]) : undefined;
}

const SECTION_RE = /^-+<\s*(.+?)\s*>-+\s*$/;
const INSTANCE_RE = /^ VRRP Instance = (.+?)\s*$/;
const INSTANCE_KEY_RE = /^ {3}(\S[^=]*?) = (.*?)\s*$/;
/** 1-space lines that start a non-instance block inside the 1.x topology section. */
const OTHER_BLOCK_RE = /^ VRRP (Script|Track|Sync Group)\b/;

const INTERFACE_KEYS = ['Interface', 'Listening device', 'Running on device'];

function buildInstance(name: string, kv: Map<string, string>): VrrpInstanceState {
  const out: VrrpInstanceState = {
    instance: name,
    state: kv.has('State') ? stateFromText(kv.get('State') as string) : 'UNKNOWN',
  };
  const priority = toInt(kv.get('Priority'));
  if (priority !== undefined) out.priority = priority;
  const eff = toInt(kv.get('Effective priority'));
  if (eff !== undefined) out.effectivePriority = eff;
  for (const key of INTERFACE_KEYS) {
    const raw = kv.get(key);
    if (raw === undefined) continue;
    // VMAC/ipvlan form: "vrrp.51, vmac on eth0, xmit base i/f"
    const ifname = raw.split(',')[0]?.trim();
    if (ifname && ifname !== 'not configured') out.interface = ifname;
    break;
  }
  const vrid = toInt(kv.get('Virtual Router ID'));
  if (vrid !== undefined) out.virtualRouterId = vrid;
  return out;
}

/** Parse the text dump keepalived writes to /tmp/keepalived.data on SIGUSR1. */
export function parseKeepalivedData(text: string): VrrpInstanceState[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let sawSection = false;
  let inTopology = false;
  const result: VrrpInstanceState[] = [];
  let name: string | undefined;
  let kv = new Map<string, string>();
  let collecting = false;

  const flush = (): void => {
    if (name !== undefined) result.push(buildInstance(name, kv));
    name = undefined;
    kv = new Map();
    collecting = false;
  };

  for (const line of lines) {
    const sec = SECTION_RE.exec(line);
    if (sec) {
      sawSection = true;
      // keepalived 1.x prints "------< NIC >------" for tracked interfaces inside
      // an instance; that is not the end of the topology section.
      if (sec[1] === 'NIC') {
        collecting = false;
        continue;
      }
      flush();
      inTopology = sec[1] === 'VRRP Topology';
      continue;
    }
    if (!inTopology) continue;

    const inst = INSTANCE_RE.exec(line);
    if (inst) {
      flush();
      name = inst[1];
      collecting = true;
      continue;
    }
    if (OTHER_BLOCK_RE.test(line)) {
      collecting = false;
      continue;
    }
    if (!collecting) continue;
    const m = INSTANCE_KEY_RE.exec(line);
    if (m && m[1] !== undefined && m[2] !== undefined && !kv.has(m[1])) {
      kv.set(m[1], m[2]);
    }
  }
  flush();

  if (!sawSection) {
    throw new Error(
      text.trim() === ''
        ? 'keepalived.data: empty text'
        : `not a keepalived.data dump (no "------< ... >------" section): ${snippet(text)}`,
    );
  }
  return result;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Parse /tmp/keepalived.json (written on the JSON signal). */
export function parseKeepalivedJson(text: string): VrrpInstanceState[] {
  if (text.trim() === '') throw new Error('keepalived.json: empty text');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`keepalived.json: not JSON (${reason}): ${snippet(text)}`);
  }
  let entries: unknown[];
  if (Array.isArray(data)) {
    entries = data;
  } else if (isRecord(data) && Array.isArray(data['vrrp'])) {
    entries = data['vrrp']; // json_version 2
  } else {
    throw new Error('keepalived.json: expected an array of VRRP instances or {"vrrp": [...]}');
  }

  return entries.map((entry, i) => {
    const d = isRecord(entry) ? entry['data'] : undefined;
    if (!isRecord(d) || typeof d['iname'] !== 'string') {
      throw new Error(`keepalived.json: entry ${i} has no data.iname`);
    }
    const stateNum = num(d['state']);
    const out: VrrpInstanceState = {
      instance: d['iname'],
      state: stateNum === undefined ? 'UNKNOWN' : stateFromNumber(stateNum),
    };
    const priority = num(d['base_priority']);
    if (priority !== undefined) out.priority = priority;
    const eff = num(d['effective_priority']);
    if (eff !== undefined) out.effectivePriority = eff;
    if (typeof d['ifp_ifname'] === 'string' && d['ifp_ifname'] !== '') {
      out.interface = d['ifp_ifname'];
    }
    const vrid = num(d['vrid']);
    if (vrid !== undefined) out.virtualRouterId = vrid;
    return out;
  });
}

const VERSION_RE = /^Keepalived v(\d+)\.(\d+)\.(\d+)\b/;

/**
 * Parse `keepalived --version` output. Note keepalived prints this to *stderr*.
 * The first line looks like `Keepalived v2.2.7 (01/16,2022)` or
 * `Keepalived v2.2.8 (04/04,2023), git commit v2.2.7-154-g292b299e+`.
 */
export function parseKeepalivedVersion(text: string): KeepalivedVersion {
  for (const rawLine of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = rawLine.trim();
    const m = VERSION_RE.exec(line);
    if (m) {
      return {major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), raw: line};
    }
  }
  throw new Error(
    text.trim() === ''
      ? 'keepalived --version: empty output (note: keepalived prints its version on stderr)'
      : `unrecognised keepalived --version output: ${snippet(text)}`,
  );
}
