// The lab file's schema: every field optional, the defaults are the classic LVS-DR lab.
// Values that end up in generated files are constrained here to characters that cannot change the
// meaning of keepalived.conf, a Dockerfile or a shell command line. Every text field is a plain
// z.string: nothing is converted into text (the lab loader, load.ts, refuses a value that YAML read
// as a number, a boolean or null unless it is exactly what the user wrote). Each check carries its
// own wording, "what is wrong (fix: how)", through zod's `error` parameter.
import {z} from 'zod'

/** A DNS label: what a lab or node name must be (it becomes a container name and a hostname). */
export const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/
/** What Docker accepts as a network name, kept short. */
export const NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/
/**
 * A URL path for the health check, as keepalived's HTTP_GET sends it: "/" then at most 200
 * characters, none of them blanks, quotes, braces or comment characters. Which paths Apache maps
 * to a file of the document root is the business of documentFileOf.
 */
export const URL_PATH = /^\/[A-Za-z0-9._~\/%?&=+:@,;-]{0,200}$/
/** keepalived's PASS authentication: at most 8 characters, printable, none that keepalived.conf gives meaning to. */
export const AUTH_PASS = /^[A-Za-z0-9._+:@%^=-]{1,8}$/
/** A Docker image reference (repository[:tag]), lowercase repository as Docker requires. */
export const IMAGE_REF = /^[a-z0-9]+([._\/-][a-z0-9]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/
/** The keepalived VRRP instance name. */
export const INSTANCE_NAME = /^[A-Za-z0-9_]{1,32}$/
/** An e-mail address keepalived.conf can hold as one word. */
export const EMAIL = /^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}$/

/**
 * A text field: a string matching `pattern`. A string that does not match is refused with the
 * message "is not allowed here (fix: <fix>)". A value of another type is refused by zod with its
 * invalid_type issue (expected "string"), which the lab loader words (load.ts describeIssue).
 */
const text = (pattern: RegExp, fix: string) => z.string().regex(pattern, {error: `is not allowed here (fix: ${fix})`})

/** The wording of a format check that is not a regex (ipv4, cidrv4): the type check keeps zod's. */
const formatError = (message: string) => (iss: z.core.$ZodRawIssue) => (iss.code === 'invalid_format' ? message : undefined)

const ipv4 = z.ipv4({error: formatError('is not an IPv4 address (fix: write a dotted address such as 172.20.1.10)')})
const cidrv4 = z.cidrv4({error: formatError('is not an IPv4 network (fix: write an address and prefix length such as 172.20.0.0/16)')})
const int = (min: number, max: number) => z.int().min(min).max(max)
const nodeName = () => text(DNS_LABEL, 'use 1 to 63 lowercase letters, digits or "-", starting and ending with a letter or digit')
const email = () =>
  text(EMAIL, 'write one address such as ops@example.org: letters, digits and ._%+- before the "@", letters, digits, "." and "-" after it')

export const DirectorSchema = z.strictObject({
  name: nodeName(),
  ip: ipv4,
  state: z.enum(['MASTER', 'BACKUP']).optional(),
  priority: int(1, 254).optional(),
})

export const RealServerSchema = z.strictObject({
  name: nodeName(),
  ip: ipv4,
  weight: int(1, 65535).default(1),
})

export const HealthCheckSchema = z.strictObject({
  type: z.enum(['HTTP_GET']).default('HTTP_GET'),
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

export const LabSchema = z.strictObject({
  name: nodeName().default('classic'),
  image: text(IMAGE_REF, 'write a lowercase image reference such as lvslab/lab:latest').default('lvslab/lab:latest'),
  network: z
    .strictObject({
      name: text(NETWORK_NAME, 'use letters, digits, "_", "." or "-", starting with a letter or digit').default('lvs_dr'),
      subnet: cidrv4.default('172.20.0.0/16'),
      internal: z.boolean().default(false),
    })
    .prefault({}),
  vip: ipv4.default('172.20.1.100'),
  vrrp: z
    .strictObject({
      instance: text(INSTANCE_NAME, 'use 1 to 32 letters, digits or "_"').default('VI_1'),
      virtual_router_id: int(1, 255).default(51),
      advert_int: int(1, 255).default(1),
      auth_type: z.enum(['PASS', 'NONE']).default('PASS'),
      /** Without it, `up` makes a random one per lab and keeps it on the lab's network (label lvslab.vrrp-auth). */
      auth_pass: text(AUTH_PASS, 'use 1 to 8 letters, digits or ._+:@%^=-').optional(),
      strict: z.boolean().default(false),
      unicast: z.boolean().optional(),
    })
    .prefault({}),
  directors: z
    .array(DirectorSchema)
    .min(1)
    .max(8)
    .default([
      {name: 'lvs1', ip: '172.20.1.1', state: 'MASTER', priority: 100},
      {name: 'lvs2', ip: '172.20.1.2', state: 'BACKUP', priority: 50},
    ]),
  real_servers: z
    .array(RealServerSchema)
    .min(1)
    .max(32)
    .default([
      {name: 'rs1', ip: '172.20.1.10', weight: 1},
      {name: 'rs2', ip: '172.20.1.11', weight: 1},
    ]),
  virtual_server: z
    .strictObject({
      port: int(1, 65535).default(80),
      protocol: z.enum(['TCP']).default('TCP'),
      scheduler: z.enum(['rr', 'wrr', 'lc', 'wlc', 'sh']).default('rr'),
      forwarding: z.enum(['DR']).default('DR'),
      health_check: HealthCheckSchema.prefault({}),
    })
    .prefault({}),
  notify: z
    .strictObject({
      smtp_server: ipv4,
      smtp_port: int(1, 65535).default(25),
      email: z.array(email()).min(1).max(16),
      email_from: email(),
    })
    .optional(),
})

export type LabInput = z.input<typeof LabSchema>
export type LabFile = z.output<typeof LabSchema>

/**
 * The characters a health-check path may hold in a file name once percent-decoded: ASCII letters,
 * digits and ._~-+:@,;=& (and "/" between segments). None has a meaning to a shell inside single
 * quotes (the page's path goes into shell commands in the real servers, e.g. `mkdir -p "$(dirname
 * '<path>')"`), to the file system, or to Apache's mapping of a URL path to a file.
 */
export const PAGE_CHAR = /^[A-Za-z0-9._~+:@,;=&-]$/

/**
 * First path segments that the lab images' default Apache configuration maps elsewhere than the
 * document root, with where it does so. Debian 12 (read in the lab image): mods-enabled/alias.conf
 * `Alias /icons/`, conf-enabled/serve-cgi-bin.conf `ScriptAlias /cgi-bin/`, mods-enabled/status.conf
 * `<Location /server-status>`. The Red Hat family's httpd (Rocky 9, CentOS 7): httpd.conf
 * `ScriptAlias /cgi-bin/`, conf.d/autoindex.conf `Alias /icons/`, conf.d/welcome.conf `Alias
 * /noindex/...` and the single files in RESERVED_FILES.
 */
const RESERVED_FIRST_SEGMENTS: Record<string, string> = {
  icons: 'Alias /icons/',
  'cgi-bin': 'ScriptAlias /cgi-bin/',
  'server-status': '<Location /server-status> (mod_status)',
  noindex: 'Alias /noindex/ (welcome.conf)',
}
/** Single files the Red Hat family's conf.d/welcome.conf aliases out of the document root. */
const RESERVED_FILES = new Set([
  '.noindex.html',
  'poweredby.png',
  'system_noindex_logo.png',
  'images/apache_pb.gif',
  'images/poweredby.png',
])

/** Where Apache finds a health-check path, or why it finds no plain file for it. */
export type DocumentFile =
  | {
      ok: true
      /** The file, relative to the document root: decoded segments joined by "/", "index.html" for a path ending in "/". */ file: string
    }
  | {ok: false; /** What is wrong, to follow the quoted path in a message. */ problem: string; /** How to write it instead. */ fix: string}

/**
 * The file under the document root that Apache httpd serves for a health-check URL path, the way
 * its default configuration maps it: the query (from the first "?") is no part of the file; every
 * segment is percent-decoded (RFC 3986 section 2.1: "%" and two hex digits give one byte); a path
 * ending in "/" is its folder's index.html (mod_dir's DirectoryIndex).
 *
 * Refused (ok false, one problem and its fix), as Apache would not serve a plain file of the
 * document root for them, or as the decoded name must stay safe in a shell's single quotes:
 * an invalid "%" escape (Apache answers 400); an encoded "/" (%2F: Apache's AllowEncodedSlashes is
 * Off by default and answers 404, see https://httpd.apache.org/docs/2.4/mod/core.html#allowencodedslashes);
 * NUL and other control characters; "\"; non-ASCII bytes; any other character outside PAGE_CHAR;
 * empty segments ("//"); "." and ".." segments (resolved before mapping; ".." leaves the document
 * root); names starting ".ht" (denied by the default `<Files ".ht*">` / `<FilesMatch "^\.ht">`);
 * the paths of RESERVED_FIRST_SEGMENTS and RESERVED_FILES; a folder named index.html (the document
 * root's own page). Pure: throws nothing.
 */
export function documentFileOf(urlPath: string): DocumentFile {
  const bad = (problem: string, fix: string): DocumentFile => ({ok: false, problem, fix})
  const query = urlPath.indexOf('?')
  const path = query < 0 ? urlPath : urlPath.slice(0, query)
  if (!path.startsWith('/')) return bad('does not start with "/"', 'start the path with "/"')
  const parts = path.slice(1).split('/')
  const folder = parts.at(-1) === ''
  if (folder) parts.pop()
  const segments: string[] = []
  const safeFix = 'use ASCII letters, digits or ._~-+:@,;=& in the path, written as they are or percent-encoded'
  for (const part of parts) {
    if (part === '') return bad('has an empty segment ("//")', 'write a single "/" between segments')
    let name = ''
    for (let i = 0; i < part.length; i++) {
      let ch = part[i]!
      let shown = JSON.stringify(ch)
      if (ch === '%') {
        const hex = part.slice(i + 1, i + 3)
        if (!/^[0-9A-Fa-f]{2}$/.test(hex))
          return bad(
            `has ${JSON.stringify(part.slice(i, i + 3))}, which is not a percent escape ("%" and two hex digits, RFC 3986 section 2.1): Apache answers 400`,
            'write "%" itself as %25, or complete the escape',
          )
        const code = Number.parseInt(hex, 16)
        const escape = part.slice(i, i + 3)
        i += 2
        if (code === 0x2f)
          return bad(
            `encodes "/" as ${escape}: Apache answers 404 for it (AllowEncodedSlashes Off, its default)`,
            'write "/" itself between segments, or leave it out of the name',
          )
        if (code >= 0x80) return bad(`has ${escape}, a byte outside ASCII, in a file name`, safeFix)
        ch = String.fromCharCode(code)
        shown = `${escape} (${JSON.stringify(ch)})`
      }
      const code = ch.charCodeAt(0)
      if (code === 0) return bad(`has ${shown}, a NUL character, which no file name can hold`, 'remove it')
      if (code < 0x20 || code === 0x7f) return bad(`has ${shown}, a control character`, 'remove it')
      if (ch === '\\')
        return bad(
          `has ${shown}, a backslash, which Apache does not treat as "/" on Linux and a shell treats specially`,
          'use "/" between segments and no "\\"',
        )
      if (code >= 0x80) return bad(`has ${shown}, a character outside ASCII`, safeFix)
      if (!PAGE_CHAR.test(ch)) return bad(`has ${shown}, which a page's file name must not hold`, safeFix)
      name += ch
    }
    if (name === '.' || name === '..')
      return bad(
        `has a "${name}" segment, which is resolved before Apache maps the path${name === '..' ? ' and would climb out of the document root' : ''}`,
        `remove the "${name}" segment`,
      )
    if (name.startsWith('.ht'))
      return bad(
        `names a file starting ".ht", which Apache's default configuration denies (403)`,
        'choose a name that does not start with ".ht"',
      )
    segments.push(name)
  }
  const first = segments[0]
  if (first !== undefined && segments.length + (folder ? 1 : 0) > 1 && first === 'index.html') {
    return bad("would make index.html, the document root's own page, a folder", 'choose another first segment')
  }
  if (first !== undefined && RESERVED_FIRST_SEGMENTS[first] !== undefined) {
    return bad(
      `starts with /${first}, which Apache maps elsewhere than the document root (${RESERVED_FIRST_SEGMENTS[first]})`,
      'choose another first segment',
    )
  }
  const file = [...segments, ...(folder || segments.length === 0 ? ['index.html'] : [])].join('/')
  if (RESERVED_FILES.has(file))
    return bad(
      `is /${file}, which Apache's default configuration maps elsewhere than the document root (Alias in welcome.conf)`,
      'choose another name',
    )
  return {ok: true, file}
}
