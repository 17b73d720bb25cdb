// How a container's namespaced sysctls reach the Docker engine, by the engine's API version. Pure: the
// Docker adapter calls it; the planner keeps writing plain names such as net.ipv4.conf.eth0.arp_ignore.

/** The endpoint driver option that carries per-interface sysctls (moby/moby PR 47686, Docker 27.0). */
export const ENDPOINT_SYSCTLS = 'com.docker.network.endpoint.sysctls'

/** The first engine API version that honours ENDPOINT_SYSCTLS: 1.46, Docker 27.0 (moby/moby PR 47686). */
export const ENDPOINT_SYSCTLS_API = '1.46'

// From API 1.48 (Docker 28.0) the engine refuses per-interface sysctls in HostConfig.Sysctls ("interface
// specific sysctl setting ... must be supplied using driver option"; moby/moby PR 48746); from 1.46 it
// honours the endpoint option, so lvslab uses that from 1.46 on.

/** A per-interface IPv4/IPv6 sysctl: net.ipv4.conf.<ifname>.<key> (not the "all" or "default" pseudo-interfaces). */
const PER_INTERFACE = /^net\.(ipv4|ipv6)\.(conf|neigh)\.([^.]+)\.(.+)$/

/**
 * Compares two engine API versions ("1.41" < "1.46" < "1.51").
 * @returns negative, 0 or positive, as a - b.
 */
export function compareApi(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number)
  const [bm = 0, bn = 0] = b.split('.').map(Number)
  return am - bm || an - bn
}

/** Where placeSysctls put a container's sysctls: HostConfig.Sysctls, and the endpoint driver option's value. */
export interface SysctlPlacement {
  /** What goes into HostConfig.Sysctls. */
  container: Record<string, string>
  /**
   * The value of the endpoint driver option ENDPOINT_SYSCTLS on the container's network, with the
   * interface replaced by IFNAME ("net.ipv4.conf.IFNAME.arp_ignore=1,..."); undefined when none.
   */
  endpoint?: string
}

/**
 * Splits a container's sysctls between HostConfig.Sysctls and the endpoint driver option, by the
 * engine's API version: from API 1.46 (Docker 27.0) every sysctl of `iface` goes to the endpoint
 * option (Docker 28.0, API 1.48, refuses them in HostConfig.Sysctls); before it, all stay in
 * HostConfig.Sysctls, the only place older engines read. "all" and "default" are not interfaces and
 * always stay in HostConfig.Sysctls. The engine applies both before the container's first process
 * runs, so the order "sysctls, then the VIP on lo" holds either way.
 * @param sysctls name to value, e.g. {"net.ipv4.conf.eth0.arp_ignore": "1"}
 * @param apiVersion the engine's API version as it reports it, e.g. "1.41"
 * @param iface the interface the container's network endpoint becomes inside it (Docker: eth0)
 * @throws Error when a sysctl names another interface than `iface` on an engine that only knows
 *   HostConfig.Sysctls (the engine would apply it to whichever interface has that name).
 */
export function placeSysctls(sysctls: Record<string, string>, apiVersion: string, iface = 'eth0'): SysctlPlacement {
  const container: Record<string, string> = {}
  const endpoint: string[] = []
  const modern = compareApi(apiVersion, ENDPOINT_SYSCTLS_API) >= 0
  for (const [name, value] of Object.entries(sysctls)) {
    const m = PER_INTERFACE.exec(name)
    const ifname = m?.[3]
    if (!m || ifname === 'all' || ifname === 'default') container[name] = value
    else if (ifname !== iface) throw new Error(`sysctl ${name}: only the container's ${iface} can be set`)
    else if (modern) endpoint.push(`net.${m[1]}.${m[2]}.IFNAME.${m[4]}=${value}`)
    else container[name] = value
  }
  return endpoint.length > 0 ? {container, endpoint: endpoint.join(',')} : {container}
}

/**
 * Engines known to fail per-interface sysctls at container creation: Docker 26.0.0 set them before
 * the interface existed ("open /proc/sys/net/ipv4/conf/eth0/arp_ignore: no such file or directory";
 * moby/moby issue 47619, docker/cli issue 4990). Returns why, or undefined.
 * @param engineVersion the engine's version string, e.g. "26.0.0" or "28.5.2+dfsg4"
 */
export function sysctlDefect(engineVersion: string): string | undefined {
  return /^26\.0\.0(\D|$)/.test(engineVersion)
    ? `Docker ${engineVersion} cannot set a container's per-interface sysctls at creation (moby/moby issue 47619)`
    : undefined
}
