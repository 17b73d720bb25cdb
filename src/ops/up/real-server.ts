// A real server of the lab, configured in the classic LVS-DR order.
import type {Lab, RealServer} from '../../lab/model.js'
import {containerName, type Mode, RS_SYSCTLS} from '../../plan/plan.js'
import {pagePaths, renderIndexHtml} from '../../render/index.js'
import type {ExecResult, Runtime} from '../../runtime/types.js'
import {type Boot, bootOutcome} from './boot.js'
import {judged, sh} from './shell.js'

/** A path in single quotes for bash. */
const quoted = (path: string) => `'${path.replace(/'/g, `'\\''`)}'`

/**
 * The script that configures a real server in one exec (its page base64 in LVSLAB_PAGE), in the
 * classic order: the arp sysctls written (privileged mode only; given at creation otherwise) and read
 * back from /proc/sys (exit 5 when one is not as wanted; by bash's read, no process per value), then
 * the VIP on lo:1 as /32, then the pages (each by rename), then httpd.
 */
export function realServerScript(lab: Lab, mode: Mode): string {
  const write = mode === 'privileged' ? RS_SYSCTLS.map(([k, v]) => `sysctl -q -w ${k}=${v}`).join('\n') : ''
  return `set -e
${write}
for kv in ${RS_SYSCTLS.map(([k, v]) => `${k}=${v}`).join(' ')}; do
  k=\${kv%=*}; want=\${kv#*=}; got=; read -r got < /proc/sys/\${k//.//}
  [ "$got" = "$want" ] || { echo "$k is $got, not $want" >&2; exit 5; }
done
ip -o addr show dev lo | grep -q ' ${lab.vip}/32 ' || ip addr add ${lab.vip}/32 dev lo label lo:1
for p in ${pagePaths(lab).map(quoted).join(' ')}; do mkdir -p "\${p%/*}"; printf %s "$LVSLAB_PAGE" | base64 -d > "$p.lvslab-new"; mv -f "$p.lvslab-new" "$p"; done
unset LVSLAB_PAGE
lvslab-svc start httpd`
}

/** The fix of a real server's failed script, by its outcome (none in privileged mode, where lvslab writes the sysctls itself). */
function realServerFix(mode: Mode): (res: ExecResult) => string | undefined {
  // exit 5: a sysctl is not as wanted; in least privilege the engine set them at creation
  return (res) =>
    mode === 'privileged'
      ? undefined
      : res.exitCode === 5
        ? 'the engine must accept --sysctl net.ipv4.conf.*; try `lvslab up --privileged`'
        : /not permitted/i.test(res.stderr)
          ? 'the engine must grant the real servers NET_ADMIN; try `lvslab up --privileged`'
          : undefined
}

/** What a real server's container runs at its first start (src/ops/up/boot.ts): realServerScript, its page base64 in LVSLAB_PAGE. */
export function realServerBoot(lab: Lab, r: RealServer, mode: Mode): Boot {
  return {script: realServerScript(lab, mode), env: {LVSLAB_PAGE: Buffer.from(renderIndexHtml(r), 'utf8').toString('base64')}}
}

/**
 * A real server, in the classic order, in one exec (realServerScript): the arp sysctls first (written
 * in privileged mode, given at creation otherwise) and read back from /proc/sys, then the VIP on lo:1
 * as /32, then its pages and httpd. arp_ignore=1 (reply only for addresses of the receiving
 * interface) and arp_announce=2 (the best local address of the outgoing interface), on eth0 and all
 * since the kernel applies the larger of the two, keep it from answering or announcing ARP for the
 * VIP it holds on lo (the kernel's ip-sysctl.rst; the LVS-DR "ARP problem" of the LVS-HOWTO).
 * @throws StepError "configure real server <name>" naming the sysctl that is not as wanted (with
 *   the fix `--privileged` in least-privilege mode), or the failing command; "interrupted" when `signal` aborts the exec
 */
export async function configureRealServer(rt: Runtime, lab: Lab, r: RealServer, mode: Mode, signal?: AbortSignal): Promise<void> {
  const boot = realServerBoot(lab, r, mode)
  await sh(rt, containerName(lab, r.name), boot.script, `configure real server ${r.name}`, {
    env: boot.env,
    signal,
    fix: realServerFix(mode),
  })
}

/**
 * A real server that configured itself at its container's start (realServerBoot): its outcome read
 * from the container's log and judged as configureRealServer judges its exec.
 * @throws as configureRealServer; StepError "read the log of <container>" when the container stops
 *   before its script ends, or at BOOT_TIMEOUT_MS
 */
export async function bootedRealServer(rt: Runtime, lab: Lab, r: RealServer, mode: Mode, signal?: AbortSignal): Promise<void> {
  const c = containerName(lab, r.name)
  judged(await bootOutcome(rt, c, signal), c, `configure real server ${r.name}`, {fix: realServerFix(mode)})
}
