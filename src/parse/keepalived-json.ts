/**
 * Parser of keepalived's JSON state dump.
 *
 * /tmp/keepalived.json (SIG of `keepalived --signum=JSON`, needs --enable-json, keepalived >= 1.3.8) —
 * vrrp_json.c: `[{"data": {"iname", "ifp_ifname", "vrid", "base_priority",
 * "effective_priority", "state", ...}, "stats": {...}}, ...]`. With `json_version 2`
 * (keepalived >= 2.3) the array is wrapped: `{"vrrp": [...], "track_process": [...]}`.
 */
import {isRecord, snippet} from './text.js'
import {stateFromNumber, type VrrpInstanceState} from './vrrp-state.js'

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined
}

/**
 * Parse /tmp/keepalived.json (written on the JSON signal): one entry per instance, in file order,
 * its state from the number in data.state (vrrp.h numbering), priorities, interface and VRID.
 * @throws Error on empty text, text that is not JSON, JSON that is neither an array nor
 *   `{"vrrp": [...]}`, and an entry without `data.iname`.
 */
export function parseKeepalivedJson(text: string): VrrpInstanceState[] {
  if (text.trim() === '') throw new Error('keepalived.json: empty text')
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    throw new Error(`keepalived.json: not JSON (${reason}): ${snippet(text)}`, {cause: err})
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
