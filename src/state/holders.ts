// Who holds the VIP, judged on a snapshot (pure): the director expected to hold it (the MASTER, or
// under nopreempt whichever is MASTER), a returning director as BACKUP beside the holder, and the
// stale copy a hard kill leaves beside the new MASTER's.
import {type Lab, masterOf} from '../lab/model.js'
import {holdsVip, type Verdict} from './predicates.js'
import {type DirectorFacts, type LabSnapshot, unreadTail, vipHolders} from './snapshot.js'

const director = (snap: LabSnapshot, name: string): DirectorFacts | undefined => snap.directors.find((d) => d.name === name)

/**
 * `back` runs keepalived with eth0 up and reports BACKUP without the VIP, while `holder` holds the
 * VIP alone as MASTER (holdsVip): a returning director under nopreempt.
 */
export function backupBeside(snap: LabSnapshot, back: string, holder: string): Verdict {
  const b = director(snap, back)
  const h = holdsVip(snap, holder)
  return {
    ok: h.ok && b !== undefined && b.running && b.eth0Up && Boolean(b.keepalivedPid) && b.vrrpState === 'BACKUP' && !b.holdsVip,
    seen: h.seen,
  }
}

/**
 * What a hard kill leaves (two holders): `holder` holds the VIP as eth0:1 and reports MASTER, while
 * `stale`'s container runs without keepalived and still has the VIP on eth0; every director read.
 */
export function staleVipBeside(snap: LabSnapshot, stale: string, holder: string): Verdict {
  const s = director(snap, stale)
  const h = director(snap, holder)
  if (!s || !h) return {ok: false, seen: `${!s ? stale : holder}: not read`}
  return {
    ok:
      s.running &&
      !s.keepalivedPid &&
      s.holdsVip &&
      h.holdsVip &&
      h.vipLabel === 'eth0:1' &&
      h.vrrpState === 'MASTER' &&
      snap.directors.every((d) => d.unreadable.length === 0),
    seen: `${stale}: keepalived ${s.keepalivedPid ? `pid ${s.keepalivedPid}` : 'not running'}, ${s.holdsVip ? `VIP still on eth0 (${s.vipLabel})` : 'no VIP'}; ${holder}: ${h.vrrpState}${h.holdsVip ? ` holding the VIP (${h.vipLabel})` : ''}${unreadTail(snap.directors)}`,
  }
}

/** The directors whose container runs without keepalived and yet holds the VIP: left by a hard kill. */
export function staleVipHolders(snap: LabSnapshot): string[] {
  // a keepalived whose pid could not be read is not taken as gone
  return snap.directors
    .filter((d) => d.running && !d.keepalivedPid && d.holdsVip && !d.unreadable.some((u) => u.startsWith('keepalived')))
    .map((d) => d.name)
}

/**
 * The director expected to hold the VIP in this snapshot: the lab's MASTER; with vrrp.nopreempt, the
 * one director that reports MASTER holding the VIP when there is exactly one, since a MASTER that
 * returns does not take the VIP back there (keepalived.conf(5) nopreempt), and the first election
 * may go either way among directors that all start as BACKUP. Throws an Error for a lab without a
 * MASTER (masterOf).
 */
export function expectedHolder(snap: LabSnapshot, lab: Lab): string {
  if (lab.vrrp.nopreempt) {
    const holding = vipHolders(snap)
    const [only] = holding
    if (holding.length === 1 && only?.vrrpState === 'MASTER') return only.name
  }
  return masterOf(lab).name
}

/**
 * A hung director (`paused`, its container paused: docker pause) beside the one that took over:
 * `holder` holds the VIP as eth0:1 and reports MASTER, and every director but the paused one was read
 * and holds no VIP (the paused one cannot be read: its VIP is still on its eth0, frozen with it).
 */
export function holdsBesidePaused(snap: LabSnapshot, paused: string, holder: string): Verdict {
  const p = director(snap, paused)
  const h = director(snap, holder)
  const rest = snap.directors.filter((d) => d.name !== paused)
  const others = rest.filter((d) => d.name !== holder && d.holdsVip)
  return {
    ok:
      Boolean(p?.paused) &&
      h !== undefined &&
      h.holdsVip &&
      h.vipLabel === 'eth0:1' &&
      h.vrrpState === 'MASTER' &&
      others.length === 0 &&
      rest.every((d) => d.unreadable.length === 0),
    seen:
      `${paused}: ${p ? (p.paused ? 'paused' : `not paused (${p.vrrpState})`) : 'not read'}; ` +
      rest.map((d) => `${d.name}: ${d.vrrpState}${d.holdsVip ? ` holding the VIP (${d.vipLabel})` : ''}`).join(', ') +
      unreadTail(rest),
  }
}

/**
 * Every running real server still ignores ARP for the VIP on its lo, as `up` set it: the kernel applies
 * the larger of conf/all and conf/eth0 (ip-sysctl.rst), which must be at least 1 for arp_ignore (reply
 * only for addresses of the receiving interface) and 2 for arp_announce (never announce the VIP as a
 * source); otherwise a real server answers ARP for the VIP and clients may bypass the director (the
 * LVS-DR "ARP problem"). A real server whose sysctls were not read is not judged (allRead reports it).
 */
export function arpSuppressed(snap: LabSnapshot): Verdict {
  const bad: string[] = []
  for (const r of snap.realServers.filter((x) => x.running)) {
    const v = (k: string) => r.sysctls[`net.ipv4.conf.${k}`]
    const effective = (k: string) => Math.max(Number(v(`eth0.${k}`)), Number(v(`all.${k}`)))
    if (v('eth0.arp_ignore') === undefined || v('all.arp_ignore') === undefined) continue
    const ignore = effective('arp_ignore')
    const announce = effective('arp_announce')
    if (ignore < 1 || announce < 2)
      bad.push(
        `${r.name} has arp_ignore ${ignore} (eth0 ${v('eth0.arp_ignore')}, all ${v('all.arp_ignore')}) and arp_announce ${announce} (eth0 ${v('eth0.arp_announce')}, all ${v('all.arp_announce')})`,
      )
  }
  return {
    ok: bad.length === 0,
    seen:
      bad.length === 0
        ? 'every real server: arp_ignore >= 1, arp_announce 2'
        : `${bad.join('; ')}: it answers ARP for the VIP on its lo, so clients may reach it around the director (fix: \`lvslab down\` then \`lvslab up\`, which sets arp_ignore 1 and arp_announce 2 again)`,
  }
}

/**
 * Split brain between two directors that stopped hearing each other's adverts: both report MASTER
 * and both hold the VIP as eth0:1, every director read (RFC 3768 section 6.4.2: a BACKUP that hears
 * no advert for Master_Down_Interval becomes MASTER).
 */
export function bothMaster(snap: LabSnapshot, a: string, b: string): Verdict {
  const da = director(snap, a)
  const db = director(snap, b)
  const master = (d?: DirectorFacts) => d !== undefined && d.vrrpState === 'MASTER' && d.holdsVip && d.vipLabel === 'eth0:1'
  return {
    ok: master(da) && master(db) && snap.directors.every((d) => d.unreadable.length === 0),
    seen:
      snap.directors.map((d) => `${d.name}: ${d.vrrpState}${d.holdsVip ? ` holding the VIP (${d.vipLabel})` : ''}`).join(', ') +
      unreadTail(snap.directors),
  }
}
