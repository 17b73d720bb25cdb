// The VRRP state of a keepalived instance, as lvslab reads it from keepalived's dumps
// (keepalived-data.ts, keepalived-json.ts): the states of RFC 3768 section 6.4 (Initialize, Backup,
// Master) plus keepalived's own FAULT and STOP, numbered as keepalived's vrrp.h numbers them.

/** A VRRP instance's state; UNKNOWN for what keepalived printed that lvslab does not know. */
export type VrrpState = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'STOP' | 'UNKNOWN'

/** One VRRP instance of a keepalived dump, each field as keepalived printed it (absent when it did not). */
export interface VrrpInstanceState {
  /** The vrrp_instance name, e.g. VI_1. */
  instance: string
  state: VrrpState
  /** The configured priority (1-255). */
  priority?: number
  /** The priority after tracked scripts and interfaces changed it (keepalived 2.x only). */
  effectivePriority?: number
  /** The interface VRRP runs on, e.g. eth0. */
  interface?: string
  /** virtual_router_id (1-255). */
  virtualRouterId?: number
  /**
   * The source address of the last MASTER advert this instance heard ("Master router = ..."), which
   * keepalived prints for a BACKUP instance only (1.x vrrp_print.c vrrp_print(), 2.x vrrp_data.c
   * dump_vrrp()): a lab director's address, or a foreign speaker's on the same virtual_router_id.
   */
  masterRouter?: string
  /** That MASTER's advertised priority ("Master priority = ..."), printed beside it. */
  masterPriority?: number
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

/** The state keepalived numbers `n` (vrrp.h VRRP_STATE_*); UNKNOWN for any other number. */
export function stateFromNumber(n: number): VrrpState {
  return STATE_BY_NUMBER[n] ?? 'UNKNOWN'
}

/**
 * The state of a dump's "State = ..." value: a word (2.x get_state_str(), 1.x for BACKUP, MASTER,
 * FAULT) or a number (1.x for the others); UNKNOWN for anything else.
 */
export function stateFromText(s: string): VrrpState {
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
