// The lab file becomes a validated Lab: schema errors and meaning errors, each one line that names
// the field, says what is wrong and gives the fix. The schema (schema.ts, worded by wording.ts)
// says what is wrong with a value; this module only adds where (the field's path) and the value as
// the user wrote it (yaml-text.ts). The meaning of a valid file is meaning.ts'. Nothing here
// touches Docker.
import {readFileSync, statSync} from 'node:fs'
import {type Document, isMap, LineCounter, parseDocument} from 'yaml'
import type {z} from 'zod'
import {InputError} from '../errors.js'
import {meaningErrors, resolveLab} from './meaning.js'
import type {Lab} from './model.js'
import {LabSchema} from './schema.js'
import {fillIn} from './wording.js'
import {isNotText, keepWrittenText, notTextMessage, scalarAt, valueAt, writtenText} from './yaml-text.js'

/** The lab file read when --file is not given, in the working directory. */
export const DEFAULT_LAB_FILE = 'lvslab.yaml'
/** The largest lab file read (bytes): far more than any lab needs, so another file given by mistake is refused. */
const MAX_BYTES = 256 * 1024

/**
 * Reads and validates a lab file: `file`, else ./lvslab.yaml, else (no explicit path and no
 * lvslab.yaml) the classic lab, with source "defaults". Throws InputError, one line per problem
 * naming the --file flag or the field and the fix: no such file, not a regular file, over 256 KiB,
 * unreadable, and every problem parseLab finds.
 */
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
    throw new InputError(result.error.issues.map((issue) => `${source}: ${issueLine(issue, raw, doc)}`))
  }
  const lab = resolveLab(result.data, source)
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

/** A text for a message, cut to 40 characters. */
const cut = (text: string) => (text.length > 40 ? `${text.slice(0, 37)}...` : text)

/** A value for a message: JSON (strings quoted), cut to 40 characters. */
const show = (value: unknown) => cut(typeof value === 'bigint' ? String(value) : (JSON.stringify(value) ?? String(value)))

/**
 * One schema problem as a line (without the source): the schema's own message (wording.ts) with
 * the field's path and the value filled in. The value is shown as the user wrote it when YAML
 * converted it (1.50, not 1.5), else as JSON. With `doc`, a number, boolean or null where text is
 * wanted is worded from what YAML did to the user's writing (yaml-text.ts notTextMessage).
 */
function issueLine(issue: z.core.$ZodIssue, raw: unknown, doc?: Document): string {
  const field = fieldPath(issue.path)
  const value = valueAt(raw, issue.path)
  if (doc && isNotText(issue, value)) return `${field}: ${notTextMessage(issue.path, value, doc)}`
  return fillIn(issue.message, field, () => {
    const written = doc && typeof value !== 'string' ? writtenText(scalarAt(doc, issue.path)) : undefined
    return written ? cut(written) : show(value)
  })
}
