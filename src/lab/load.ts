// The lab file becomes a validated Lab: schema errors and meaning errors, each one line that names
// the field, says what is wrong and gives the fix. Nothing here touches Docker.
import {readFileSync, statSync} from 'node:fs'
import ipaddr from 'ipaddr.js'
import {isMap, LineCounter, parseDocument} from 'yaml'
import {z} from 'zod'
import {InputError} from './errors.js'
import type {Director, Lab} from './model.js'
import {AUTH_PASS, DNS_LABEL, IMAGE_REF, LabSchema, NETWORK_NAME, URL_PATH, type LabFile} from './schema.js'

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
    throw new InputError(`--file ${path}: no such file (fix: give the path of an existing lab file, or leave --file out to use ./${DEFAULT_LAB_FILE} or the classic lab)`)
  }
  if (!st.isFile()) throw new InputError(`--file ${path}: not a regular file (fix: give the path of a YAML lab file)`)
  if (st.size > MAX_BYTES) throw new InputError(`${path}: ${st.size} bytes is far larger than any lab file (limit ${MAX_BYTES}) (fix: give the lab's YAML file, not another file)`)
  let buf: Buffer
  try {
    buf = readFileSync(path)
  } catch (error) {
    throw new InputError(`${path}: cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)} (fix: make the file readable by this user)`)
  }
  return parseLab(buf, path)
}

/** Parses YAML text (or bytes) into a validated Lab. */
export function parseLab(content: Buffer | string, source = 'lab file'): Lab {
  const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content
  if (buf.includes(0) || !isUtf8(buf)) throw new InputError(`${source}: not a text file (binary content) (fix: give a YAML lab file)`)
  const lineCounter = new LineCounter()
  const doc = parseDocument(buf.toString('utf8'), {lineCounter, prettyErrors: false, uniqueKeys: true})
  if (doc.errors.length > 0) {
    throw new InputError(doc.errors.slice(0, 5).map((e) => {
      const pos = e.pos ? lineCounter.linePos(e.pos[0]) : undefined
      const where = pos ? `line ${pos.line} column ${pos.col}` : 'YAML'
      return `${source}: ${where}: ${e.message.split('\n')[0]} (fix: correct the YAML syntax there)`
    }))
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new InputError(`${source}: the top level must be a mapping of keys such as name, vip, directors (fix: write "key: value" lines; an empty file means the classic lab)`)
  }
  return validateLab(doc.toJS() ?? {}, source)
}

function isUtf8(buf: Buffer): boolean {
  try {
    new TextDecoder('utf-8', {fatal: true}).decode(buf)
    return true
  } catch {
    return false
  }
}

/** Validates an already parsed object (schema, then meaning) into a Lab. */
export function validateLab(raw: unknown, source = 'lab file'): Lab {
  const result = LabSchema.safeParse(raw)
  if (!result.success) {
    throw new InputError(result.error.issues.map((issue) => `${source}: ${describeIssue(issue, raw)}`))
  }
  const lab = resolve(result.data, source)
  const problems = meaningErrors(lab)
  if (problems.length > 0) throw new InputError(problems.map((p) => `${source}: ${p}`))
  return lab
}

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
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value)
  return text.length > 40 ? `${text.slice(0, 37)}...` : text
}

const TYPE_WORDS: Record<string, string> = {array: 'a YAML list', object: 'a YAML mapping', int: 'a whole number', number: 'a number', string: 'a string', boolean: 'true or false'}

const PATTERN_FIXES: [RegExp, string][] = [
  [DNS_LABEL, 'use 1 to 63 lowercase letters, digits or "-", starting and ending with a letter or digit'],
  [NETWORK_NAME, 'use letters, digits, "_", "." or "-", starting with a letter or digit'],
  [URL_PATH, 'start with "/" and use no blanks, quotes, braces, "#" or "!"'],
  [AUTH_PASS, 'use 1 to 8 letters, digits or ._+:@%^=-'],
  [IMAGE_REF, 'write a lowercase image reference such as lvslab/lab:latest'],
]

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

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const field = fieldPath(issue.path)
  const value = valueAt(raw, issue.path)
  switch (issue.code) {
    case 'unrecognized_keys': {
      const keys = knownKeys(issue.path)
      const where = issue.path.length > 0 ? ` in ${field}` : ''
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${where} (fix: remove ${issue.keys.length > 1 ? 'them' : 'it'} or correct the spelling; known keys here: ${keys.join(', ')})`
    }
    case 'invalid_type': {
      if (value === undefined) return `${field}: is required (fix: add ${field})`
      const kind = TYPE_WORDS[issue.expected] ?? `a ${issue.expected}`
      return `${field}: expected ${kind}, got ${show(value)} (fix: write ${kind} there)`
    }
    case 'too_small':
    case 'too_big': {
      const limit = issue.code === 'too_small' ? issue.minimum : issue.maximum
      if (issue.origin === 'array') return `${field}: ${issue.code === 'too_small' ? 'at least' : 'at most'} ${limit} entries allowed, got ${Array.isArray(value) ? value.length : '?'} (fix: ${issue.code === 'too_small' ? 'add entries' : 'remove entries'})`
      if (issue.origin === 'string') return `${field}: ${issue.code === 'too_small' ? 'too short' : 'too long'} (fix: use ${issue.code === 'too_small' ? 'at least' : 'at most'} ${limit} characters)`
      const range = describeRange(issue.path)
      return `${field}: ${show(value)} is ${issue.code === 'too_small' ? 'below' : 'above'} the ${issue.code === 'too_small' ? 'minimum' : 'maximum'} ${limit} (fix: use a whole number ${range})`
    }
    case 'invalid_value':
      return `${field}: ${show(value)} is not one of ${issue.values.map(String).join(', ')} (fix: use one of ${issue.values.map(String).join(', ')})`
    case 'invalid_format': {
      if (issue.format === 'ipv4') return `${field}: ${show(value)} is not an IPv4 address (fix: write a dotted address such as 172.20.1.10)`
      if (issue.format === 'cidrv4') return `${field}: ${show(value)} is not an IPv4 network (fix: write an address and prefix length such as 172.20.0.0/16)`
      const fix = PATTERN_FIXES.find(([re]) => String(re) === issue.pattern)?.[1] ?? 'see the lab file reference in README.md'
      return `${field}: ${show(value)} is not allowed here (fix: ${fix})`
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

/** Errors of meaning: addresses, uniqueness, VRRP roles, timers. */
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
    if (!addr.match(subnetAddr, prefix)) out.push(`${field}: ${ip} is outside the lab network ${lab.network.subnet} (fix: choose an address inside ${lab.network.subnet}, or change network.subnet)`)
    else if (ip === network || ip === broadcast) out.push(`${field}: ${ip} is the ${ip === network ? 'network' : 'broadcast'} address of ${lab.network.subnet} (fix: choose a host address inside it)`)
    else if (ip === lab.gateway) out.push(`${field}: ${ip} is the Docker bridge's own address in ${lab.network.subnet} (fix: choose another address; the engine takes the first host address)`)
    const other = seen.get(ip)
    if (other !== undefined) {
      out.push(other === 'vip' || field === 'vip'
        ? `${field === 'vip' ? other : field}: ${ip} equals the VIP (fix: give the node its own address; the VIP is shared by the directors)`
        : `${field}: ${ip} is already used by ${other} (fix: give every node its own address)`)
    } else seen.set(ip, field)
  }
  const names = new Map<string, string>()
  const allNodes = [...lab.directors.map((d, i) => ({field: `directors[${i}].name`, name: d.name})), ...lab.real_servers.map((r, i) => ({field: `real_servers[${i}].name`, name: r.name}))]
  for (const {field, name} of allNodes) {
    const other = names.get(name)
    if (name === 'client') out.push(`${field}: "client" is the name of lvslab's own probe container (fix: choose another name)`)
    else if (other) out.push(`${field}: "${name}" is already the name of ${other} (fix: give every node its own name)`)
    else names.set(name, field)
    if (lab.name.length + 1 + name.length > 63) out.push(`${field}: "${lab.name}-${name}" would be longer than 63 characters (fix: shorten the lab name or the node name)`)
  }
  const masters = lab.directors.filter((d) => d.state === 'MASTER')
  if (masters.length > 1) out.push(`directors: ${masters.map((m) => m.name).join(' and ')} are all MASTER (fix: make exactly one director MASTER and the others BACKUP)`)
  if (masters.length === 0) out.push('directors: no director is MASTER (fix: set state: MASTER on the director with the highest priority)')
  for (const [i, d] of lab.directors.entries()) {
    for (const [j, e] of lab.directors.entries()) {
      if (j > i && d.priority === e.priority) out.push(`directors[${j}].priority: ${e.priority} equals the priority of ${d.name} (fix: give every director its own priority)`)
    }
  }
  const top = Math.max(...lab.directors.map((d) => d.priority))
  for (const m of masters) {
    if (m.priority !== top) {
      const i = lab.directors.indexOf(m)
      out.push(`directors[${i}].priority: MASTER ${m.name} has priority ${m.priority} but another director has ${top} (fix: give the MASTER the highest priority, or make it BACKUP)`)
    }
  }
  const hc = lab.virtual_server.health_check
  if (lab.virtual_server.port !== 80) out.push(`virtual_server.port: ${lab.virtual_server.port}: the real servers' httpd listens on port 80, and direct routing keeps the port (fix: use port 80)`)
  if (/(^|\/)\.\.(\/|$|\?)/.test(hc.path)) out.push(`virtual_server.health_check.path: ${JSON.stringify(hc.path)} climbs out of the document root (fix: use a path without "..")`)
  if (hc.status_code !== 200) out.push(`virtual_server.health_check.status_code: ${hc.status_code}: the real servers' page answers 200 (fix: use 200)`)
  if (hc.delay_loop < hc.connect_timeout) out.push(`virtual_server.health_check.delay_loop: ${hc.delay_loop} s is shorter than connect_timeout ${hc.connect_timeout} s, so checks would overlap (fix: make delay_loop at least connect_timeout)`)
  if (lab.vrrp.strict && lab.vrrp.unicast) out.push('vrrp.strict: strict VRRP forbids unicast peers, which an internal network needs (fix: set vrrp.strict to false, or network.internal to false)')
  if (lab.vrrp.strict && lab.vrrp.auth_type !== 'NONE') out.push('vrrp.strict: strict VRRP does not allow authentication (fix: set vrrp.auth_type to NONE, or vrrp.strict to false)')
  return out
}
