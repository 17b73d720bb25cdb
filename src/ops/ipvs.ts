// Whether the ENGINE's kernel has IPVS: checked inside the engine, in a short-lived container of the
// lab image, never on the machine lvslab runs on (with DOCKER_HOST or Docker Desktop that machine's
// kernel is not the one the lab runs on).
import {release} from 'node:os'
import {StepError} from '../errors.js'
import type {EngineInfo, Runtime} from '../runtime/types.js'

/**
 * What a container sees of its kernel's IPVS: the module in sysfs (loaded or built in) or its /proc
 * file. ipvsadm runs first, as in a director: its generic-netlink lookup of the IPVS family may make
 * the kernel load an available module (genetlink's request_module), which a director would also get.
 */
export const IPVS_PROBE =
  'ipvsadm -Ln >/dev/null 2>&1; if [ -d /sys/module/ip_vs ] || [ -e /proc/net/ip_vs ]; then echo ip_vs=yes; else echo ip_vs=no; fi; uname -r'

/** What checkEngineIpvs found: whether ip_vs is there, which kernel and where, in words, and the fix when it is not. */
export interface IpvsCheck {
  ok: boolean
  /** The kernel that was checked, as the container saw it (uname -r), e.g. "6.1.0-28-amd64". */
  kernel: string
  /** Which engine's kernel that is, in words, e.g. "the engine's host (remote, Debian GNU/Linux 12)". */
  where: string
  detail: string
  fix?: string
}

/**
 * Whether the engine's containers run on this machine's own kernel: a local socket on Linux whose
 * engine reports this kernel's release. A local socket alone is not enough: colima, OrbStack,
 * Rancher Desktop or a Podman machine put a VM behind one.
 */
export function engineOnThisKernel(info: EngineInfo): boolean {
  return info.local && process.platform === 'linux' && info.kernel === release()
}

/** Words for where the engine's kernel lives: Docker Desktop's VM, this host, a VM behind a local socket, or a remote host. */
export function engineKernelPlace(info: EngineInfo): string {
  if (info.desktop) return `Docker Desktop's VM (${info.os})`
  if (engineOnThisKernel(info)) return `the engine's host (this machine, ${info.os || 'Linux'})`
  return info.local ? `the engine's VM behind a local socket (${info.os || 'Linux'})` : `the engine's host (remote, ${info.os || 'Linux'})`
}

/**
 * The fix when the engine's kernel lacks ip_vs, by where that kernel is (engineKernelPlace). A container
 * cannot load a kernel module; the engine's host must (without it keepalived logs "IPVS: Can't
 * initialize ipvs" and programs no table).
 */
export function ipvsFix(info: EngineInfo): string {
  if (info.desktop)
    return "Docker Desktop's kernel offers no ip_vs module to load: run the lab on a Linux engine (a Linux host, or a Linux VM reached with DOCKER_HOST=ssh://user@host)"
  if (engineOnThisKernel(info)) return 'load the module on this host: `sudo modprobe ip_vs`'
  if (info.local)
    return 'load the module inside the VM that runs the engine (e.g. `colima ssh -- sudo modprobe ip_vs`), or use a Linux engine'
  return "load the module on the engine's host (the machine DOCKER_HOST points at): `sudo modprobe ip_vs`"
}

/** The words for an engine kernel without ip_vs (the throwaway check's and the directors' alike). */
function notLoaded(info: EngineInfo, kernel: string): string {
  return `the ip_vs kernel module is not loaded in ${engineKernelPlace(info)}, kernel ${kernel}, so keepalived cannot program IPVS`
}

/**
 * What a director's `ipvsadm -Ln` refusal means, with its fix: "Protocol not available" (and its "Are
 * you sure that IP Virtual Server is built in the kernel") is a kernel without ip_vs, which the
 * engine's host can fix (ipvsFix); any other refusal (e.g. "Permission denied" on a rootless engine,
 * whose containers lack CAP_NET_ADMIN in the host's user namespace) is said as ipvsadm said it.
 * @param director the director's node name; why: ipvsadm's first line of error
 * @returns the refusal's detail and fix, for the caller's StepError
 */
export function ipvsadmRefusal(info: EngineInfo, director: string, why: string): {detail: string; fix: string} {
  if (/Protocol not available|IP Virtual Server is built/i.test(why))
    return {detail: `${notLoaded(info, info.kernel)} (ipvsadm in ${director}: ${why})`, fix: ipvsFix(info)}
  return {
    detail: `ipvsadm fails in ${director}, in ${engineKernelPlace(info)} with kernel ${info.kernel}: ${why}`,
    fix: "the directors need CAP_NET_ADMIN in the engine's own user namespace (a rootless engine cannot program IPVS): use a rootful engine, or try `lvslab up --privileged`",
  }
}

/**
 * Checks IPVS in a throwaway container of `image` (no network, removed afterwards, 60 000 ms at most)
 * running IPVS_PROBE.
 * @returns whether the engine's kernel has ip_vs, which kernel that was, and the fix when not.
 * @param signal aborts the run
 * @throws StepError when the container cannot run at all (the engine's own words); "interrupted" when the signal aborts
 */
export async function checkEngineIpvs(rt: Runtime, image: string, info: EngineInfo, signal?: AbortSignal): Promise<IpvsCheck> {
  const res = await rt.runOnce(image, ['sh', '-c', IPVS_PROBE], {timeoutMs: 60_000, signal})
  if (res.exitCode !== 0)
    throw new StepError(
      'check IPVS',
      `a container of ${image} could not run the check: ${(res.stderr || res.stdout).trim().split('\n')[0] ?? `exit ${res.exitCode}`}`,
    )
  const [verdict, kernel = info.kernel] = res.stdout
    .trim()
    .split('\n')
    .map((l) => l.trim())
  const where = engineKernelPlace(info)
  const ok = verdict === 'ip_vs=yes'
  return ok
    ? {ok, kernel, where, detail: `ip_vs is available in ${where}, kernel ${kernel}`}
    : {
        ok,
        kernel,
        where,
        detail: notLoaded(info, kernel),
        fix: ipvsFix(info),
      }
}
