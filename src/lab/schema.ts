// The lab file's schema: every field optional, the defaults are the classic LVS-DR lab.
// Values that end up in generated files are constrained here to characters that cannot change the
// meaning of keepalived.conf, a Dockerfile or a shell command line.
import {z} from 'zod'

/** A DNS label: what a lab or node name must be (it becomes a container name and a hostname). */
export const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/
/** What Docker accepts as a network name, kept short. */
export const NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/
/** A URL path for the health check: no blanks, quotes, braces or comment characters. */
export const URL_PATH = /^\/[A-Za-z0-9._~\/%?&=+:@,;-]{0,200}$/
/** keepalived's PASS authentication: at most 8 characters, printable, none that keepalived.conf gives meaning to. */
export const AUTH_PASS = /^[A-Za-z0-9._+:@%^=-]{1,8}$/
/** A Docker image reference (repository[:tag]), lowercase repository as Docker requires. */
export const IMAGE_REF = /^[a-z0-9]+([._\/-][a-z0-9]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/
const EMAIL = /^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}$/

const ipv4 = z.ipv4()
const int = (min: number, max: number) => z.int().min(min).max(max)

export const DirectorSchema = z.strictObject({
  name: z.string().regex(DNS_LABEL),
  ip: ipv4,
  state: z.enum(['MASTER', 'BACKUP']).optional(),
  priority: int(1, 254).optional(),
})

export const RealServerSchema = z.strictObject({
  name: z.string().regex(DNS_LABEL),
  ip: ipv4,
  weight: int(1, 65535).default(1),
})

export const HealthCheckSchema = z.strictObject({
  type: z.enum(['HTTP_GET']).default('HTTP_GET'),
  path: z.string().regex(URL_PATH).default('/'),
  status_code: int(100, 599).default(200),
  delay_loop: int(1, 3600).default(6),
  connect_timeout: int(1, 600).default(3),
  retry: int(0, 100).default(3),
  delay_before_retry: int(0, 600).default(3),
})

export const LabSchema = z.strictObject({
  name: z.string().regex(DNS_LABEL).default('classic'),
  image: z.string().regex(IMAGE_REF).default('lvslab/lab:latest'),
  network: z.strictObject({
    name: z.string().regex(NETWORK_NAME).default('lvs_dr'),
    subnet: z.cidrv4().default('172.20.0.0/16'),
    internal: z.boolean().default(false),
  }).prefault({}),
  vip: ipv4.default('172.20.1.100'),
  vrrp: z.strictObject({
    instance: z.string().regex(/^[A-Za-z0-9_]{1,32}$/).default('VI_1'),
    virtual_router_id: int(1, 255).default(51),
    advert_int: int(1, 255).default(1),
    auth_type: z.enum(['PASS', 'NONE']).default('PASS'),
    /** Without it, `up` makes a random one per lab and keeps it on the lab's network (label lvslab.vrrp-auth). */
    auth_pass: z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string().regex(AUTH_PASS)).optional(),
    strict: z.boolean().default(false),
    unicast: z.boolean().optional(),
  }).prefault({}),
  directors: z.array(DirectorSchema).min(1).max(8).default([
    {name: 'lvs1', ip: '172.20.1.1', state: 'MASTER', priority: 100},
    {name: 'lvs2', ip: '172.20.1.2', state: 'BACKUP', priority: 50},
  ]),
  real_servers: z.array(RealServerSchema).min(1).max(32).default([
    {name: 'rs1', ip: '172.20.1.10', weight: 1},
    {name: 'rs2', ip: '172.20.1.11', weight: 1},
  ]),
  virtual_server: z.strictObject({
    port: int(1, 65535).default(80),
    protocol: z.enum(['TCP']).default('TCP'),
    scheduler: z.enum(['rr', 'wrr', 'lc', 'wlc', 'sh']).default('rr'),
    forwarding: z.enum(['DR']).default('DR'),
    health_check: HealthCheckSchema.prefault({}),
  }).prefault({}),
  notify: z.strictObject({
    smtp_server: ipv4,
    smtp_port: int(1, 65535).default(25),
    email: z.array(z.string().regex(EMAIL)).min(1).max(16),
    email_from: z.string().regex(EMAIL),
  }).optional(),
})

export type LabInput = z.input<typeof LabSchema>
export type LabFile = z.output<typeof LabSchema>
