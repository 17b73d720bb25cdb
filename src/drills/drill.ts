// What a drill is, as data (pure): the fault and its restore as commands to run in a container, and
// the states expected after each as checks over a snapshot of the nodes they name. The use case
// (src/ops/drill/run.ts) runs the commands through the Runtime and polls the snapshots.
import type {Director, Lab, RealServer} from '../lab/model.js'
import {containerName} from '../plan/plan.js'
import type {SnapshotCheck} from '../state/predicates.js'
import type {SnapshotScope} from '../state/snapshot.js'

/** The drills lvslab knows, each a command of `lvslab chaos`. */
export type DrillName = 'rs-down' | 'director-down' | 'kill-master' | 'hard-kill' | 'pause' | 'partition' | 'netem' | 'flap'
/** The drills in the classic order (what `chaos all` runs). */
export const DRILLS: DrillName[] = ['rs-down', 'director-down', 'kill-master']

/**
 * What a drill does to a container: a command run as `bash -c cmd` in it (a non-zero exit fails the
 * step named `step`), or the engine pausing (`pause: true`, docker pause) or unpausing it.
 */
export type Command = {
  container: string
  /** The step's name in messages, e.g. "stop httpd on rs1". */
  step: string
} & ({cmd: string} | {pause: boolean})

/** A state expected after a fault or its restore, waited for within a bound derived from the lab's timers. */
export interface Expectation {
  /** What is expected, e.g. "lvs2 holds the VIP as eth0:1 and reports MASTER". */
  name: string
  /** The timeline event recorded when it holds, e.g. "VIP moved". */
  event: string
  /** Seconds from the lab's timers (before the host's slowness factor). */
  boundSeconds: number
  /** The nodes read for each poll (only those: a director's check does not read the real servers). */
  reads: SnapshotScope
  /** Whether the expected state holds in a snapshot of `reads`, and what was seen. */
  check: SnapshotCheck
}

/** A fault phase's or a restore phase's measured window: what is bounded, and by what (seconds). */
export interface DrillWindow {
  measure: 'longest gap' | 'degraded'
  boundSeconds: number
  /** The bound as a formula of the lab's timers, for the report. */
  bound: string
}

/** A drill as data: the fault and restore commands, the expected states, the servers and windows the report judges. */
export interface Drill {
  name: DrillName
  target: string
  description: string
  /** The servers that must answer while the fault is in place, and after the restore (IPs). */
  faultServers: string[]
  restoredServers: string[]
  /** The VIP holder expected while the fault is in place, and after the restore. */
  faultHolder: string
  restoredHolder: string
  /** Which measure of the fault phase is bounded, and by what (seconds). */
  faultWindow: DrillWindow
  restoreWindow: DrillWindow & {measure: 'longest gap'}
  inject: Command
  expectFault: Expectation[]
  restore: Command
  expectRestored: Expectation[]
}

/** The scope of a snapshot reading only these directors and real servers (by name). */
export function reads(directors: string[], realServers: string[] = []): SnapshotScope {
  return {directors, realServers}
}

/** Starts httpd on a real server (as `systemctl start httpd`, through the image's lvslab-svc). */
export function startHttpd(lab: Lab, r: RealServer): Command {
  return {container: containerName(lab, r.name), cmd: 'lvslab-svc start httpd', step: `start httpd on ${r.name}`}
}

/** Stops httpd on a real server (as `systemctl stop httpd`). */
export function stopHttpd(lab: Lab, r: RealServer): Command {
  return {container: containerName(lab, r.name), cmd: 'lvslab-svc stop httpd', step: `stop httpd on ${r.name}`}
}

/** Takes a director's eth0 down (as `ifconfig eth0 down`): its VRRP adverts stop. */
export function takeEth0Down(lab: Lab, d: Director): Command {
  return {container: containerName(lab, d.name), cmd: 'ip link set eth0 down', step: `eth0 down on ${d.name}`}
}

/** Brings a director's eth0 back up. */
export function bringEth0Up(lab: Lab, d: Director): Command {
  return {container: containerName(lab, d.name), cmd: 'ip link set eth0 up', step: `eth0 up on ${d.name}`}
}

/**
 * Kills a director's keepalived main process with SIGKILL (the classic walkthrough's `kill -9`). Its
 * children outlive it for a moment and the VRRP one still steps down: measured in the kernel VM
 * (keepalived 2.2.7, the classic lab), lvs2 served again 0.8-1.2 s after the kill, about its
 * Skew_Time (0.80 s) as after a priority-0 advert (RFC 3768 section 6.4.3), not its
 * Master_Down_Interval (3.8 s), and lvs1's VIP was gone. hardKillKeepalived kills them all at once.
 */
export function killKeepalived(lab: Lab, d: Director): Command {
  return {container: containerName(lab, d.name), cmd: 'lvslab-svc kill keepalived', step: `kill -9 keepalived on ${d.name}`}
}

/**
 * SIGKILLs every keepalived process of a director at once, its children (highest pids) before its
 * main process, so that none cleans up: the VRRP child cannot remove the VIP from eth0 (SIGKILL is
 * neither caught nor ignored, signal(7)) and the IPVS service stays in the kernel. Exit 3 when no
 * keepalived runs; non-zero when one is still alive 5 s later (zombies are not counted).
 */
export function hardKillKeepalived(lab: Lab, d: Director): Command {
  return {
    container: containerName(lab, d.name),
    cmd: HARD_KILL,
    step: `kill -9 every keepalived process on ${d.name}`,
  }
}

/**
 * The hard kill's script (hardKillKeepalived): the live (not zombie) keepalived processes are all
 * stopped (SIGSTOP: the main process can no longer start a child again) and SIGKILLed, highest pid
 * first, again until none is left (at most 100 rounds); one still alive then is named on stderr (exit 1).
 */
export const HARD_KILL = [
  'live() { local p s; while read -r p s; do [ "${s:0:1}" = Z ] || echo "$p"; done < <(ps -C keepalived -o pid=,stat=); }',
  'pids=$(live); [ -n "$pids" ] || { echo "keepalived is not running (fix: lvslab chaos restore starts it)" >&2; exit 3; }',
  'i=0; while [ -n "$pids" ] && [ $i -lt 100 ]; do',
  '  kill -STOP $pids 2>/dev/null; kill -9 $(sort -rn <<< "$pids") 2>/dev/null; sleep 0.05; pids=$(live); i=$((i+1))',
  'done',
  '[ -z "$pids" ] || { echo "keepalived still alive after SIGKILL:" $(ps -o pid=,stat=,args= -p "$(echo $pids | tr " " ,)") "(fix: look at the director with docker top, then run lvslab chaos restore)" >&2; exit 1; }',
].join('\n')

/**
 * What a hard kill left behind, undone, then keepalived started: the VIP removed from eth0 (when it
 * is there) and the IPVS table cleared (`ipvsadm -C`), so the new keepalived starts from a clean
 * director as after a reboot.
 */
export function cleanStartKeepalived(lab: Lab, d: Director): Command {
  return {
    container: containerName(lab, d.name),
    cmd: `ip addr del ${lab.vip}/32 dev eth0 2>/dev/null; ipvsadm -C && lvslab-svc start keepalived`,
    step: `remove the stale VIP, clear IPVS and start keepalived on ${d.name}`,
  }
}

/** Pauses a director's container (docker pause): a hung director, its processes frozen, its VIP and kernel state kept. */
export function pauseDirector(lab: Lab, d: Director): Command {
  return {container: containerName(lab, d.name), pause: true, step: `docker pause ${containerName(lab, d.name)}`}
}

/** Unpauses a director's container: its keepalived resumes where it stopped. */
export function unpauseDirector(lab: Lab, d: Director): Command {
  return {container: containerName(lab, d.name), pause: false, step: `docker unpause ${containerName(lab, d.name)}`}
}

/**
 * Takes a director's eth0 down and up `count` times, `periodSeconds` s down and as long up between
 * two downs, in one command that ends with eth0 up (it runs about 2 x count x periodSeconds s).
 */
export function flapEth0(lab: Lab, d: Director, count: number, periodSeconds: number): Command {
  return {
    container: containerName(lab, d.name),
    cmd: `for i in $(seq ${count}); do ip link set eth0 down; sleep ${periodSeconds}; ip link set eth0 up; [ $i -lt ${count} ] && sleep ${periodSeconds}; done; ip link set eth0 up`,
    step: `flap eth0 of ${d.name} ${count} times every ${periodSeconds} s`,
  }
}

/** Starts keepalived on a director. */
export function startKeepalived(lab: Lab, d: Director): Command {
  return {container: containerName(lab, d.name), cmd: 'lvslab-svc start keepalived', step: `start keepalived on ${d.name}`}
}

// The commands that use tc on a node's eth0 (partition, netem), in src/drills/tc.ts.
export * from './tc.js'
