// Every label lvslab puts on a resource, in one place. A resource without LAB is never touched.
/**
 * The label keys lvslab puts on its networks, containers and images (values are strings, as Docker
 * labels are); `down`, the neighbour check and `up`'s idempotence read them back.
 */
export const LABELS = {
  /** The lab's name: `down` finds everything of a lab by this label alone. */
  LAB: 'lvslab.lab',
  /** The node's name within the lab (lvs1, rs1, ...); absent on the network. */
  NODE: 'lvslab.node',
  /** director | realserver | client */
  ROLE: 'lvslab.role',
  /** A hash of what the resource was created from: a changed lab file shows up as a different hash. */
  SPEC: 'lvslab.spec',
  /** least-privilege | privileged */
  MODE: 'lvslab.mode',
  /** On images: which recipe made it (rocky9, centos7, debian12, import). */
  IMAGE: 'lvslab.image',
  /** On the network: the lab's random VRRP password, when the lab file sets none. */
  AUTH: 'lvslab.vrrp-auth',
  /** On a container that configures itself at its first start (src/ops/up/boot.ts): "true". */
  BOOT: 'lvslab.boot',
  /** On imported images: the fingerprint of the rootfs it came from. */
  ROOTFS: 'lvslab.rootfs',
} as const

/**
 * The engine's list filter for containers of exactly these names: {name: ["^/?<name>$", ...]}. Docker
 * matches each value as a regular expression against a container's name with and without its leading
 * slash, and keeps a container when any value matches (moby daemon/list.go, the "name" filter); the
 * names are escaped, so that a dot in a lab's name matches a dot alone.
 */
export function namesFilter(names: string[]): {name: string[]} {
  return {name: names.map((n) => `^/?${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)}
}

/** The engine's list filter for a lab's resources: {label: ["lvslab.lab=<lab>"]} (Docker's `label=key=value` filter). */
export function labFilter(lab: string): {label: string[]} {
  return {label: [`${LABELS.LAB}=${lab}`]}
}
