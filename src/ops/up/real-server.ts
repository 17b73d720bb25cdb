// A real server of the lab, configured in the classic LVS-DR order.
import type {Lab, RealServer} from '../../lab/model.js'
import {containerName, type Mode, RS_SYSCTLS} from '../../plan/plan.js'
import {pagePaths, renderIndexHtml} from '../../render/index.js'
import type {Runtime} from '../../runtime/types.js'
import {sh} from './shell.js'

/**
 * A real server, in the classic order: the arp sysctls first (written in privileged mode, given at
 * creation otherwise) and read back from /proc/sys, then the VIP on lo:1 as /32, then its pages and
 * httpd. arp_ignore=1 (reply only for addresses of the receiving interface) and arp_announce=2 (the
 * best local address of the outgoing interface), on eth0 and all since the kernel applies the larger
 * of the two, keep it from answering or announcing ARP for the VIP it holds on lo (the kernel's
 * ip-sysctl.rst; the LVS-DR "ARP problem" of the LVS-HOWTO).
 * @throws StepError "configure real server <name>" naming the sysctl that is not as wanted (with
 *   the fix `--privileged` in least-privilege mode), or the failing command; "interrupted" when `signal` aborts a call
 */
export async function configureRealServer(rt: Runtime, lab: Lab, r: RealServer, mode: Mode, signal?: AbortSignal): Promise<void> {
  const c = containerName(lab, r.name)
  const step = `configure real server ${r.name}`
  const write = mode === 'privileged' ? RS_SYSCTLS.map(([k, v]) => `sysctl -q -w ${k}=${v}`).join('\n') : ''
  await sh(
    rt,
    c,
    `set -e
${write}
for kv in ${RS_SYSCTLS.map(([k, v]) => `${k}=${v}`).join(' ')}; do
  k=\${kv%=*}; want=\${kv#*=}; got=$(cat /proc/sys/$(echo "$k" | tr . /))
  [ "$got" = "$want" ] || { echo "$k is $got, not $want" >&2; exit 1; }
done
ip -o addr show dev lo | grep -q ' ${lab.vip}/32 ' || ip addr add ${lab.vip}/32 dev lo label lo:1`,
    step,
    mode === 'privileged' ? undefined : 'the engine must accept --sysctl net.ipv4.conf.*; try `lvslab up --privileged`',
    undefined,
    signal,
  )
  // putFile makes the page's folders itself
  for (const path of pagePaths(lab)) await rt.putFile(c, path, renderIndexHtml(r), undefined, {signal})
  await sh(rt, c, 'lvslab-svc start httpd', step, undefined, undefined, signal)
}
