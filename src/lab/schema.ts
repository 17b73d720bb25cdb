// The lab file's schema: every field optional, the defaults are the classic LVS-DR lab.
// Values that end up in generated files are constrained here to characters that cannot change the
// meaning of keepalived.conf, a Dockerfile or a shell command line. Every text field is a plain
// z.string: nothing is converted into text (the lab loader, load.ts, refuses a value that YAML read
// as a number, a boolean or null unless it is exactly what the user wrote). Each field carries its
// own wording, "<field>: <what is wrong> (fix: <how>)", from the builders of wording.ts. Limits
// come from VRRP and keepalived.conf(5) unless noted: virtual_router_id 1-255 and a backup's
// priority 1-254 (RFC 3768 sections 5.3.3 and 5.3.4: 255 belongs to the address owner), advert_int
// in seconds (whole for VRRP 2, RFC 3768 section 5.3.7; centiseconds for VRRP 3, RFC 5798 section 5.2.7:
// meaning.ts), a PASS password of at most 8 characters (RFC 2338
// section 5.3: two 32-bit Authentication Data words; keepalived logs "Truncating auth_pass to 8
// characters" for a longer one), a real server's weight 1-65535 (ipvsadm(8) --weight; 0 would
// quiesce it), the health check's timers in seconds (keepalived.conf(5) delay_loop, connect_timeout,
// delay_before_retry).
import type {z} from 'zod'
import {boolean, cidrv4, int, ipv4, list, mapping, oneOf, oneOfInts, seconds, text} from './wording.js'

// The health-check path's rule beyond its characters, kept importable from here (test/unit/render.test.ts).
export {type DocumentFile, documentFileOf, PAGE_CHAR} from './document-file.js'

/** A DNS label: what a lab or node name must be (it becomes a container name and a hostname). */
export const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/
/** What Docker accepts as a network name, kept short. */
export const NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/
/**
 * A URL path for the health check, as keepalived's HTTP_GET sends it: "/" then at most 200
 * characters, none of them blanks, quotes, braces or comment characters. Which paths Apache maps
 * to a file of the document root is the business of documentFileOf.
 */
export const URL_PATH = /^\/[A-Za-z0-9._~/%?&=+:@,;-]{0,200}$/
/** keepalived's PASS authentication: at most 8 characters, printable, none that keepalived.conf gives meaning to. */
export const AUTH_PASS = /^[A-Za-z0-9._+:@%^=-]{1,8}$/
/** A Docker image reference (repository[:tag]), lowercase repository as Docker requires. */
export const IMAGE_REF = /^[a-z0-9]+([._/-][a-z0-9]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/
/** The keepalived VRRP instance name. */
export const INSTANCE_NAME = /^[A-Za-z0-9_]{1,32}$/
/** An e-mail address keepalived.conf can hold as one word. */
export const EMAIL = /^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}$/

const nodeName = () => text(DNS_LABEL, 'use 1 to 63 lowercase letters, digits or "-", starting and ending with a letter or digit')
const email = () =>
  text(EMAIL, 'write one address such as ops@example.org: letters, digits and ._%+- before the "@", letters, digits, "." and "-" after it')

/**
 * A director: `name` (a DNS label), `ip`, and optionally its VRRP `state` and `priority` (1-254;
 * the loader derives both when absent, see meaning.ts resolveLab).
 */
export const DirectorSchema = mapping({
  name: nodeName(),
  ip: ipv4(),
  state: oneOf(['MASTER', 'BACKUP']).optional(),
  priority: int(1, 254).optional(),
})

/** A real server: `name`, `ip` and its IPVS `weight` (1-65535, default 1). */
export const RealServerSchema = mapping({
  name: nodeName(),
  ip: ipv4(),
  weight: int(1, 65535).default(1),
})

/**
 * The HTTP_GET check keepalived runs against each real server (keepalived.conf(5)): the URL `path`
 * and the `status_code` it must answer; `delay_loop` (s between checks), `connect_timeout` (s),
 * `retry` (failures before eviction; rendered as nb_get_retry for keepalived 1.x) and
 * `delay_before_retry` (s).
 */
export const HealthCheckSchema = mapping({
  type: oneOf(['HTTP_GET']).default('HTTP_GET'),
  path: text(
    URL_PATH,
    'start with "/" and use at most 200 letters, digits or ._~/%?&=+:@,;- (no blanks, quotes, braces, "#" or "!")',
  ).default('/'),
  status_code: int(100, 599).default(200),
  delay_loop: int(1, 3600).default(6),
  connect_timeout: int(1, 600).default(3),
  retry: int(0, 100).default(3),
  delay_before_retry: int(0, 600).default(3),
})

/** The lab file (README.md "The lab file" lists every key): parsing an empty mapping gives the classic lab. */
export const LabSchema = mapping(
  {
    name: nodeName().default('classic'),
    image: text(IMAGE_REF, 'write a lowercase image reference such as lvslab/lab:latest').default('lvslab/lab:latest'),
    network: mapping({
      name: text(NETWORK_NAME, 'use letters, digits, "_", "." or "-", starting with a letter or digit').default('lvs_dr'),
      subnet: cidrv4().default('172.20.0.0/16'),
      internal: boolean().default(false),
    }).prefault({}),
    vip: ipv4().default('172.20.1.100'),
    vrrp: mapping({
      instance: text(INSTANCE_NAME, 'use 1 to 32 letters, digits or "_"').default('VI_1'),
      virtual_router_id: int(1, 255).default(51),
      /** The VRRP version keepalived speaks (global_defs vrrp_version): 2 (RFC 3768), or 3 (RFC 5798); default 3 with strict, else 2. */
      version: oneOfInts([2, 3]).optional(),
      /** Seconds between the MASTER's adverts: whole seconds 1-255 for VRRP 2, units of 0.01 s up to 40.95 for VRRP 3 (meaning.ts). */
      advert_int: seconds(0.01, 255).default(1),
      /** PASS by default for VRRP 2; VRRP 3 has no authentication (RFC 5798 section 9), so NONE there. */
      auth_type: oneOf(['PASS', 'NONE']).optional(),
      /** Without it, `up` makes a random one per lab and keeps it on the lab's network (label lvslab.vrrp-auth). */
      auth_pass: text(AUTH_PASS, 'use 1 to 8 letters, digits or ._+:@%^=-').optional(),
      strict: boolean().default(false),
      /** keepalived.conf(5) nopreempt: a returning higher priority does not take the VIP back; every director then starts as BACKUP. */
      nopreempt: boolean().default(false),
      /** keepalived.conf(5) preempt_delay: seconds (0-1000) a returning higher priority waits before taking the VIP back. */
      preempt_delay: int(0, 1000).default(0),
      /**
       * A vrrp_script (keepalived.conf(5) track_script) lowering a director's priority below every other's
       * while its IPVS table for the VIP holds no real server: a returning MASTER whose checks evicted the
       * real servers while it was away then takes the VIP back only once one is re-added. Default false
       * (the classic lab's keepalived.conf has none).
       */
      track_table: boolean().default(false),
      unicast: boolean().optional(),
    }).prefault({}),
    directors: list(DirectorSchema, 1, 8).default([
      {name: 'lvs1', ip: '172.20.1.1', state: 'MASTER', priority: 100},
      {name: 'lvs2', ip: '172.20.1.2', state: 'BACKUP', priority: 50},
    ]),
    real_servers: list(RealServerSchema, 1, 32).default([
      {name: 'rs1', ip: '172.20.1.10', weight: 1},
      {name: 'rs2', ip: '172.20.1.11', weight: 1},
    ]),
    virtual_server: mapping({
      port: int(1, 65535).default(80),
      protocol: oneOf(['TCP']).default('TCP'),
      scheduler: oneOf(['rr', 'wrr', 'lc', 'wlc', 'sh']).default('rr'),
      forwarding: oneOf(['DR']).default('DR'),
      health_check: HealthCheckSchema.prefault({}),
    }).prefault({}),
    /** keepalived's SMTP alerts (global_defs smtp_server, notification_email, notification_email_from): rendered only when present. */
    notify: mapping({
      smtp_server: ipv4(),
      smtp_port: int(1, 65535).default(25),
      email: list(email(), 1, 16),
      email_from: email(),
    }).optional(),
  },
  true,
)

/** What a lab file may hold: every key optional. */
export type LabInput = z.input<typeof LabSchema>
/** A lab file once parsed: every default filled in (the derived values come with model.ts Lab). */
export type LabFile = z.output<typeof LabSchema>
