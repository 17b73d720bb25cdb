// The drills' commands that use tc (iproute2's traffic control) on a node's eth0, pure data like the
// rest of src/drills/drill.ts: a director's VRRP adverts dropped (partition), a node's packets delayed or
// lost (netem), a director's slow or cut link and their ends, and what `chaos restore` runs to clear them.
import type {Director, Lab, RealServer} from '../lab/model.js'
import {containerName} from '../plan/plan.js'
import type {Command} from './drill.js'

/** The tc match of VRRP's packets: IP protocol 112 (RFC 3768 section 5.2.4, RFC 5798 section 5.1.1.4). */
const VRRP_MATCH = 'protocol ip prio 1 u32 match ip protocol 112 0xff action drop'

/**
 * Stops a director's VRRP adverts on the wire with tc (iproute2; NET_ADMIN, which the directors have):
 * a prio qdisc on eth0 whose u32 filter drops outgoing IP protocol 112, so the peers stop hearing it,
 * and with `both` an ingress qdisc dropping incoming ones too, so it stops hearing them. Every other
 * packet passes. tc-u32(8), tc-prio(8).
 */
export function dropVrrp(lab: Lab, d: Director, both: boolean): Command {
  const out = `tc qdisc add dev eth0 root handle 1: prio && tc filter add dev eth0 parent 1: ${VRRP_MATCH}`
  const into = `tc qdisc add dev eth0 handle ffff: ingress && tc filter add dev eth0 parent ffff: ${VRRP_MATCH}`
  return {
    container: containerName(lab, d.name),
    cmd: both ? `${out} && ${into}` : out,
    step: `drop VRRP ${both ? 'to and from' : 'from'} ${d.name} (tc)`,
  }
}

/** Removes what dropVrrp added (the root and ingress qdiscs of eth0, each when there) with `chaos restore`'s own script, CLEAR_DIRECTOR_TC; exit 0 either way. */
export function passVrrp(lab: Lab, d: Director): Command {
  return {
    container: containerName(lab, d.name),
    cmd: CLEAR_DIRECTOR_TC,
    step: `let VRRP through on ${d.name} again (tc)`,
  }
}

/**
 * Delays and drops the packets a node (a real server or a director) sends on its eth0 with tc netem
 * (tc-netem(8); NET_ADMIN, which lvslab gives every lab node): every packet waits `delayMs` ms, and
 * `lossPercent` % are lost.
 */
export function impair(lab: Lab, node: RealServer | Director, delayMs: number, lossPercent: number): Command {
  return {
    container: containerName(lab, node.name),
    cmd: `tc qdisc add dev eth0 root netem delay ${delayMs}ms loss ${lossPercent}%`,
    step: `netem on ${node.name}: delay ${delayMs} ms, loss ${lossPercent} %`,
  }
}

/** How a slow link's script finds the adverts a MASTER received: the packets its ingress VRRP filter passed (tc -s: "Sent N bytes P pkt"). */
const PASSED_PKTS = "tc -s filter show dev eth0 parent ffff: | sed -n 's/.*Sent [0-9]* bytes \\([0-9]*\\) pkt.*/\\1/p' | head -1"

/**
 * A director's slow link (netem delay on its eth0's egress, tc-netem(8)) held `holdSeconds`, with
 * proof that no other director took over meanwhile: a MASTER hears no VRRP advert while it is the one
 * MASTER (BACKUPs are silent, RFC 3768 and RFC 5798 section 6.4.2), so an ingress u32 filter that
 * counts IP protocol 112 (action pass, tc-u32(8)) must have passed none by the end; else the command
 * fails (exit 1) naming how many came. An unreadable counter fails it too.
 */
export function slowLink(lab: Lab, d: Director, delayMs: number, holdSeconds: number): Command {
  return {
    container: containerName(lab, d.name),
    cmd: [
      `tc qdisc add dev eth0 root netem delay ${delayMs}ms loss 0%`,
      `tc qdisc add dev eth0 handle ffff: ingress && tc filter add dev eth0 parent ffff: protocol ip prio 1 u32 match ip protocol 112 0xff action pass`,
      `sleep ${Number(holdSeconds.toFixed(2))}`,
      `n=$(${PASSED_PKTS})`,
      `{ [ -n "$n" ] || { echo "could not read the VRRP counter of eth0's ingress filter (tc -s filter show dev eth0 parent ffff:)" >&2; exit 1; }; }`,
      `{ [ "$n" -eq 0 ] || { echo "${d.name} heard $n VRRP adverts while its link was slow: another director took over meanwhile (fix: a smaller --delay)" >&2; exit 1; }; }`,
    ].join(' && '),
    step: `netem on ${d.name}: delay ${delayMs} ms for ${Number(holdSeconds.toFixed(2))} s, counting the adverts it hears`,
  }
}

/** Removes slowLink's qdiscs (netem on root, the counting ingress). */
export function unslowLink(lab: Lab, d: Director): Command {
  return {
    container: containerName(lab, d.name),
    cmd: 'tc qdisc del dev eth0 root && { tc qdisc del dev eth0 ingress 2>/dev/null; true; }',
    step: `remove netem on ${d.name}`,
  }
}

/**
 * Ends a director's cut link (impair with 100 % loss) in two steps: first everything but its VRRP
 * adverts passes for `seconds` (1.5 x advert_int, so that the other MASTER's next advert comes), so
 * that keepalived, a MASTER that hears a lower priority, answers it with an advert and gratuitous ARPs
 * (vrrp.c vrrp_state_master_rx: "refresh remote ARP cache") that now reach the clients, whose ARP
 * caches still name the other director; then its adverts pass too and the other steps down. Removing
 * the qdisc at once could let the other step down unheard, leaving clients at a director without the VIP.
 */
export function uncutLink(lab: Lab, d: Director, seconds: number): Command {
  return {
    container: containerName(lab, d.name),
    cmd: `tc qdisc del dev eth0 root && tc qdisc add dev eth0 root handle 1: prio && tc filter add dev eth0 parent 1: ${VRRP_MATCH} && sleep ${Number(seconds.toFixed(2))} && tc qdisc del dev eth0 root`,
    step: `remove netem on ${d.name}, its adverts last (after ${Number(seconds.toFixed(2))} s)`,
  }
}

/** What `chaos restore` runs on every real server: removes a netem qdisc left there, printing "removed" when there was one. */
export const CLEAR_NETEM = 'tc qdisc del dev eth0 root 2>/dev/null && echo removed; true'

/**
 * What `chaos restore` runs on every director: removes what a partition (a prio root qdisc and an
 * ingress qdisc, dropVrrp) or a netem drill (a netem root qdisc, impair) left on eth0, printing
 * "netem", "vrrp" or nothing for what it removed; exit 0 either way.
 */
export const CLEAR_DIRECTOR_TC = [
  // `tc qdisc show dev eth0 root` is iproute2 5.8 and later (CentOS 7's 4.11 has not got it): every qdisc of eth0 is shown
  'r=; q=$(tc qdisc show dev eth0 2>/dev/null)',
  'if tc qdisc del dev eth0 root 2>/dev/null; then case "$q" in *"qdisc netem"*) r=netem ;; *) r=vrrp ;; esac; fi',
  'tc qdisc del dev eth0 ingress 2>/dev/null && r=${r:-vrrp}',
  'echo "$r"',
].join('; ')

/** Removes impair's netem qdisc. */
export function unimpair(lab: Lab, node: RealServer | Director): Command {
  return {container: containerName(lab, node.name), cmd: 'tc qdisc del dev eth0 root', step: `remove netem on ${node.name}`}
}
