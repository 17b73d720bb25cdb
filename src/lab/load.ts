// The lab file becomes a validated Lab: schema errors and meaning errors, each one line that names
// the field, says what is wrong and gives the fix. Nothing here touches Docker.
import {readFileSync, statSync} from 'node:fs'
import ipaddr from 'ipaddr.js'
import {type Document, isAlias, isMap, isScalar, LineCounter, parseDocument, Scalar} from 'yaml'
import {z} from 'zod'
import {InputError} from './errors.js'
import type {Director, Lab} from './model.js'
import {documentFileOf, LabSchema, type LabFile} from './schema.js'

export const DEFAULT_LAB_FILE = 'lvslab.yaml'
const MAX_BYTES = 256 * 1024
const DEFAULT_PRIORITIES = [100, 50, 40, 30, 20, 10, 5, 1]

/** Reads and validates a lab file. With no explicit path and no lvslab.yaml, the classic lab. */
export function loadLab(file?: string): Lab {
  const explicit = file !== undefined
  const path = file ?? DEFAULT_LAB_FILE
  let st
  try {
    st = statSync(path)
  } catch {
    if (!explicit) return validateLab({}, 'defaults')
    throw new InputError(
      `--file ${path}: no such file (fix: give the path of an existing lab file, or leave --file out to use ./${DEFAULT_LAB_FILE} or the classic lab)`,
    )
  }
  if (!st.isFile()) throw new InputError(`--file ${path}: not a regular file (fix: give the path of a YAML lab file)`)
  if (st.size > MAX_BYTES)
    throw new InputError(
      `${path}: ${st.size} bytes is far larger than any lab file (limit ${MAX_BYTES}) (fix: give the lab's YAML file, not another file)`,
    )
  let buf: Buffer
  try {
    buf = readFileSync(path)
  } catch (error) {
    throw new InputError(
      `${path}: cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)} (fix: make the file readable by this user)`,
    )
  }
  return parseLab(buf, path)
}

/**
 * Parses YAML text (or bytes) into a validated Lab. Throws InputError, one line per problem naming
 * the field and the fix: binary content, YAML syntax, a top level that is not a mapping, and every
 * problem validateLab finds. A text field (every z.string of the schema) holds exactly what the
 * user wrote: a plain scalar YAML reads as a number or a boolean is taken as its written text when
 * that is exactly how the value prints (`auth_pass: 1111` is "1111"), and refused otherwise
 * (`auth_pass: 00001111` would be the number 1111; null is always refused), naming the field and
 * showing the written text and the quoted fix.
 */
export function parseLab(content: Buffer | string, source = 'lab file'): Lab {
  const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content
  if (buf.includes(0) || !isUtf8(buf)) throw new InputError(`${source}: not a text file (binary content) (fix: give a YAML lab file)`)
  const lineCounter = new LineCounter()
  const doc = parseDocument(buf.toString('utf8'), {lineCounter, prettyErrors: false, uniqueKeys: true})
  if (doc.errors.length > 0) {
    throw new InputError(
      doc.errors.slice(0, 5).map((e) => {
        const pos = e.pos ? lineCounter.linePos(e.pos[0]) : undefined
        const where = pos ? `line ${pos.line} column ${pos.col}` : 'YAML'
        return `${source}: ${where}: ${e.message.split('\n')[0]} (fix: correct the YAML syntax there)`
      }),
    )
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new InputError(
      `${source}: the top level must be a mapping of keys such as name, vip, directors (fix: write "key: value" lines; an empty file means the classic lab)`,
    )
  }
  return validateLab(doc.toJS() ?? {}, source, doc)
}

function isUtf8(buf: Buffer): boolean {
  try {
    new TextDecoder('utf-8', {fatal: true}).decode(buf)
    return true
  } catch {
    return false
  }
}

/**
 * Validates an already parsed object (schema, then meaning) into a Lab. Throws InputError, one line
 * per problem, each "<source>: <field>: <what is wrong> (fix: <how>)". With `doc`, the YAML document
 * `raw` was made from (doc.toJS()), a text field YAML read as a number or boolean is kept as the
 * user's writing when it prints exactly so (raw is changed in place), and the refusals of the
 * others show the user's source text; without it, such a value is refused as not text.
 */
export function validateLab(raw: unknown, source = 'lab file', doc?: Document): Lab {
  let result = LabSchema.safeParse(raw)
  if (!result.success && doc && keepWrittenText(raw, result.error.issues, doc)) result = LabSchema.safeParse(raw)
  if (!result.success) {
    throw new InputError(result.error.issues.map((issue) => `${source}: ${describeIssue(issue, raw, doc)}`))
  }
  const lab = resolve(result.data, source)
  const problems = meaningErrors(lab)
  if (problems.length > 0) throw new InputError(problems.map((p) => `${source}: ${p}`))
  return lab
}

/** A field's path as the messages name it: `vrrp.auth_pass`, `directors[0].name`; "(top level)" for none. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`
  return out || '(top level)'
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let cur = raw
  for (const part of path) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<PropertyKey, unknown>)[part]
  }
  return cur
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value))
  return text.length > 40 ? `${text.slice(0, 37)}...` : text
}

const TYPE_WORDS: Record<string, string> = {
  array: 'a YAML list',
  object: 'a YAML mapping',
  int: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
}

/** The YAML scalar a path of the parsed object came from (through an alias to its anchor), if it is one. */
function scalarAt(doc: Document, path: readonly PropertyKey[]): Scalar | undefined {
  let node: unknown = doc.getIn(
    path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    true,
  )
  if (isAlias(node)) node = node.resolve(doc)
  return isScalar(node) ? node : undefined
}

/** A non-text value where the schema wants text (zod's invalid_type issue, expected "string"). */
function isNotText(issue: z.core.$ZodIssue, value: unknown): value is number | boolean | bigint | null {
  return (
    issue.code === 'invalid_type' &&
    issue.expected === 'string' &&
    (value === null || ['number', 'boolean', 'bigint'].includes(typeof value))
  )
}

/** What the user wrote for a plain, untagged scalar (the yaml library keeps it as `source`); else undefined. */
function writtenText(node: Scalar | undefined): string | undefined {
  return node && node.type === Scalar.PLAIN && node.tag === undefined && typeof node.source === 'string' ? node.source : undefined
}

/**
 * Where the schema wants text and YAML read a plain scalar as a number or boolean that prints
 * exactly as written (1111, -5, 1.5, true), puts the written text into `raw` in its place.
 * Returns how many values it replaced.
 */
function keepWrittenText(raw: unknown, issues: readonly z.core.$ZodIssue[], doc: Document): number {
  let kept = 0
  for (const issue of issues) {
    const value = valueAt(raw, issue.path)
    if (!isNotText(issue, value) || value === null) continue
    const written = writtenText(scalarAt(doc, issue.path))
    const parent = valueAt(raw, issue.path.slice(0, -1))
    const key = issue.path.at(-1)
    if (written === undefined || written !== String(value) || parent === null || typeof parent !== 'object' || key === undefined) continue
    ;(parent as Record<PropertyKey, unknown>)[key] = written
    kept++
  }
  return kept
}

/**
 * The refusal of a number, boolean or null where text is wanted, showing the user's writing, e.g.
 * `vrrp.auth_pass: YAML reads 00001111 as the number 1111, not as the text written (fix: quote it: auth_pass: "00001111")`.
 */
function notTextMessage(field: string, path: readonly PropertyKey[], value: number | boolean | bigint | null, doc?: Document): string {
  const what = value === null ? 'null' : typeof value === 'boolean' ? `the boolean ${value}` : `the number ${String(value)}`
  const key = path.at(-1)
  if (!doc) return `${field}: expected text, got ${what} (fix: write text there)`
  const node = scalarAt(doc, path)
  const written = writtenText(node)
  if (written === '')
    return `${field}: YAML reads the empty value as null, not as text (fix: write the text${typeof key === 'string' ? ` after "${key}:"` : ''}, in quotes)`
  if (written === undefined) {
    const tag = node?.tag ? `, tagged ${node.tag},` : ''
    return `${field}: YAML reads the value${tag} as ${what}, not as text (fix: write it as quoted text${tag ? ', without the tag' : ''})`
  }
  const quoted = JSON.stringify(written)
  return `${field}: YAML reads ${written} as ${what}, not as the text written (fix: quote it: ${typeof key === 'string' ? `${key}: ${quoted}` : quoted})`
}

/** The keys an object schema allows at a path, for "unknown key" messages. */
function knownKeys(path: readonly PropertyKey[]): string[] {
  let schema: z.ZodType = LabSchema
  for (const part of path) {
    schema = unwrap(schema)
    if (schema instanceof z.ZodObject) schema = (schema.shape as Record<string, z.ZodType>)[String(part)] ?? schema
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType
  }
  schema = unwrap(schema)
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : []
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional || s instanceof z.ZodPrefault) s = s.unwrap() as z.ZodType
  return s
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown, doc?: Document): string {
  const field = fieldPath(issue.path)
  const value = valueAt(raw, issue.path)
  // a value YAML converted (a number, a boolean) is shown as the user wrote it: 1.50, not 1.5
  const written = doc && typeof value !== 'string' ? writtenText(scalarAt(doc, issue.path)) : undefined
  const shown = written ? (written.length > 40 ? `${written.slice(0, 37)}...` : written) : show(value)
  switch (issue.code) {
    case 'unrecognized_keys': {
      const keys = knownKeys(issue.path)
      const where = issue.path.length > 0 ? ` in ${field}` : ''
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${where} (fix: remove ${issue.keys.length > 1 ? 'them' : 'it'} or correct the spelling; known keys here: ${keys.join(', ')})`
    }
    case 'invalid_type': {
      if (value === undefined) return `${field}: is required (fix: add ${field})`
      if (isNotText(issue, value)) return notTextMessage(field, issue.path, value, doc)
      const kind = TYPE_WORDS[issue.expected] ?? `a ${issue.expected}`
      return `${field}: expected ${kind}, got ${shown} (fix: write ${kind} there)`
    }
    case 'too_small':
    case 'too_big': {
      const limit = issue.code === 'too_small' ? issue.minimum : issue.maximum
      if (issue.origin === 'array')
        return `${field}: ${issue.code === 'too_small' ? 'at least' : 'at most'} ${limit} entries allowed, got ${Array.isArray(value) ? value.length : '?'} (fix: ${issue.code === 'too_small' ? 'add entries' : 'remove entries'})`
      if (issue.origin === 'string')
        return `${field}: ${issue.code === 'too_small' ? 'too short' : 'too long'} (fix: use ${issue.code === 'too_small' ? 'at least' : 'at most'} ${limit} characters)`
      const range = describeRange(issue.path)
      return `${field}: ${shown} is ${issue.code === 'too_small' ? 'below' : 'above'} the ${issue.code === 'too_small' ? 'minimum' : 'maximum'} ${limit} (fix: use a whole number ${range})`
    }
    case 'invalid_value':
      return `${field}: ${shown} is not one of ${issue.values.map(String).join(', ')} (fix: use one of ${issue.values.map(String).join(', ')})`
    case 'invalid_format': {
      // the schema words its own checks: "what is wrong (fix: how)"
      if (issue.message.includes('(fix: ')) return `${field}: ${show(value)} ${issue.message}`
      return `${field}: ${show(value)} is not allowed here (fix: see the lab file reference in README.md)`
    }
    default:
      return `${field}: ${issue.message} (fix: see the lab file reference in README.md)`
  }
}

function describeRange(path: readonly PropertyKey[]): string {
  let schema: z.ZodType = LabSchema
  for (const part of path) {
    schema = unwrap(schema)
    if (schema instanceof z.ZodObject) schema = (schema.shape as Record<string, z.ZodType>)[String(part)] ?? schema
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType
  }
  const inner = unwrap(schema)
  if (inner instanceof z.ZodNumber) return `from ${inner.minValue ?? '-inf'} to ${inner.maxValue ?? 'inf'}`
  return 'in range'
}

/** Fills in the derived values: directors' priorities and states, unicast, the gateway. */
function resolve(file: LabFile, source: string): Lab {
  const directors: Director[] = file.directors.map((d, i) => ({
    name: d.name,
    ip: d.ip,
    priority: d.priority ?? DEFAULT_PRIORITIES[i] ?? 1,
    state: d.state ?? 'BACKUP',
  }))
  if (!file.directors.some((d) => d.state === 'MASTER')) {
    const top = [...directors].sort((a, b) => b.priority - a.priority)[0]
    const explicitBackup = file.directors.find((d) => d.name === top?.name)?.state === 'BACKUP'
    if (top && !explicitBackup) top.state = 'MASTER'
  }
  let gateway = ''
  try {
    const [addr, prefix] = ipaddr.IPv4.parseCIDR(file.network.subnet)
    const net = ipaddr.IPv4.networkAddressFromCIDR(`${addr.toString()}/${prefix}`).toByteArray()
    net[3] = (net[3] ?? 0) + 1
    gateway = ipaddr.fromByteArray(net).toString()
  } catch {
    // reported by meaningErrors
  }
  return {
    ...file,
    directors,
    real_servers: file.real_servers.map((r) => ({name: r.name, ip: r.ip, weight: r.weight})),
    vrrp: {...file.vrrp, unicast: file.vrrp.unicast ?? file.network.internal},
    gateway,
    source,
  }
}

/**
 * Errors of meaning, one line each ("<field>: <what is wrong> (fix: <how>)"), none when the lab
 * holds: addresses, uniqueness, VRRP roles, timers, strict VRRP's limits, and a health-check path
 * Apache maps to a plain file of the document root (documentFileOf in schema.ts).
 */
export function meaningErrors(lab: Lab): string[] {
  const out: string[] = []
  const [subnetAddr, prefix] = ipaddr.IPv4.parseCIDR(lab.network.subnet)
  const network = ipaddr.IPv4.networkAddressFromCIDR(lab.network.subnet).toString()
  const broadcast = ipaddr.IPv4.broadcastAddressFromCIDR(lab.network.subnet).toString()
  if (subnetAddr.toString() !== network) {
    out.push(`network.subnet: ${lab.network.subnet} has host bits set (fix: write ${network}/${prefix})`)
  }
  if (prefix < 8 || prefix > 28) {
    out.push(`network.subnet: a /${prefix} network does not fit a lab (fix: use a prefix length from 8 to 28, such as /16)`)
  }
  const addresses: {field: string; ip: string}[] = [
    {field: 'vip', ip: lab.vip},
    ...lab.directors.map((d, i) => ({field: `directors[${i}].ip`, ip: d.ip})),
    ...lab.real_servers.map((r, i) => ({field: `real_servers[${i}].ip`, ip: r.ip})),
  ]
  const seen = new Map<string, string>()
  for (const {field, ip} of addresses) {
    const addr = ipaddr.IPv4.parse(ip)
    if (!addr.match(subnetAddr, prefix))
      out.push(
        `${field}: ${ip} is outside the lab network ${lab.network.subnet} (fix: choose an address inside ${lab.network.subnet}, or change network.subnet)`,
      )
    else if (ip === network || ip === broadcast)
      out.push(
        `${field}: ${ip} is the ${ip === network ? 'network' : 'broadcast'} address of ${lab.network.subnet} (fix: choose a host address inside it)`,
      )
    else if (ip === lab.gateway)
      out.push(
        `${field}: ${ip} is the Docker bridge's own address in ${lab.network.subnet} (fix: choose another address; the engine takes the first host address)`,
      )
    const other = seen.get(ip)
    if (other !== undefined) {
      out.push(
        other === 'vip' || field === 'vip'
          ? `${field === 'vip' ? other : field}: ${ip} equals the VIP (fix: give the node its own address; the VIP is shared by the directors)`
          : `${field}: ${ip} is already used by ${other} (fix: give every node its own address)`,
      )
    } else seen.set(ip, field)
  }
  const names = new Map<string, string>()
  const allNodes = [
    ...lab.directors.map((d, i) => ({field: `directors[${i}].name`, name: d.name})),
    ...lab.real_servers.map((r, i) => ({field: `real_servers[${i}].name`, name: r.name})),
  ]
  for (const {field, name} of allNodes) {
    const other = names.get(name)
    if (name === 'client') out.push(`${field}: "client" is the name of lvslab's own probe container (fix: choose another name)`)
    else if (other) out.push(`${field}: "${name}" is already the name of ${other} (fix: give every node its own name)`)
    else names.set(name, field)
    if (lab.name.length + 1 + name.length > 63)
      out.push(`${field}: "${lab.name}-${name}" would be longer than 63 characters (fix: shorten the lab name or the node name)`)
  }
  const masters = lab.directors.filter((d) => d.state === 'MASTER')
  if (masters.length > 1)
    out.push(
      `directors: ${masters.map((m) => m.name).join(' and ')} are all MASTER (fix: make exactly one director MASTER and the others BACKUP)`,
    )
  if (masters.length === 0) out.push('directors: no director is MASTER (fix: set state: MASTER on the director with the highest priority)')
  for (const [i, d] of lab.directors.entries()) {
    for (const [j, e] of lab.directors.entries()) {
      if (j > i && d.priority === e.priority)
        out.push(`directors[${j}].priority: ${e.priority} equals the priority of ${d.name} (fix: give every director its own priority)`)
    }
  }
  const top = Math.max(...lab.directors.map((d) => d.priority))
  for (const m of masters) {
    if (m.priority !== top) {
      const i = lab.directors.indexOf(m)
      out.push(
        `directors[${i}].priority: MASTER ${m.name} has priority ${m.priority} but another director has ${top} (fix: give the MASTER the highest priority, or make it BACKUP)`,
      )
    }
  }
  const hc = lab.virtual_server.health_check
  if (lab.virtual_server.port !== 80)
    out.push(
      `virtual_server.port: ${lab.virtual_server.port}: the real servers' httpd listens on port 80, and direct routing keeps the port (fix: use port 80)`,
    )
  const page = documentFileOf(hc.path)
  if (!page.ok) out.push(`virtual_server.health_check.path: ${JSON.stringify(hc.path)} ${page.problem} (fix: ${page.fix})`)
  if (hc.status_code !== 200)
    out.push(`virtual_server.health_check.status_code: ${hc.status_code}: the real servers' page answers 200 (fix: use 200)`)
  if (hc.delay_loop < hc.connect_timeout)
    out.push(
      `virtual_server.health_check.delay_loop: ${hc.delay_loop} s is shorter than connect_timeout ${hc.connect_timeout} s, so checks would overlap (fix: make delay_loop at least connect_timeout)`,
    )
  if (lab.vrrp.strict && lab.vrrp.unicast)
    out.push(
      'vrrp.strict: strict VRRP forbids unicast peers, which an internal network needs (fix: set vrrp.strict to false, or network.internal to false)',
    )
  // RFC 5798 section 5.2.7: VRRP version 3's Max Adver Int is 12 bits of centiseconds (at most
  // 40.95 s); keepalived refuses a longer advert_int under vrrp_version 3, which vrrp_strict renders.
  if (lab.vrrp.strict && lab.vrrp.advert_int > 40)
    out.push(
      `vrrp.advert_int: ${lab.vrrp.advert_int} s is longer than VRRP version 3 allows (40.95 s), and strict VRRP uses version 3 (fix: use at most 40, or set vrrp.strict to false)`,
    )
  if (lab.vrrp.strict && lab.vrrp.auth_type !== 'NONE')
    out.push('vrrp.strict: strict VRRP does not allow authentication (fix: set vrrp.auth_type to NONE, or vrrp.strict to false)')
  return out
}
