// The lab schema's building blocks, each carrying its own wording through zod 4's `error`
// parameter (an error map: https://zod.dev/error-customization). Every message is one line,
// "<field>: <what is wrong> (fix: <how>)". The maps read only what zod documents of a raw issue:
// `code`, `input` and the code's own fields (`minimum`, `maximum`, `keys`). Two things only the lab
// loader knows are left as markers for it to fill in (fillIn): the field's path, and the value as
// the user wrote it in YAML (`1.50`, where zod saw the number 1.5).
import {z} from 'zod'

/** Marks where a message names the field (e.g. `vrrp.advert_int`); control characters, so no user text holds them. */
export const FIELD = '\u0001field\u0001'
/** Marks where a message shows the offending value, as the user wrote it. */
export const VALUE = '\u0001value\u0001'

/**
 * A message with its markers filled in: `field` for FIELD, `value()` for VALUE (called only when
 * the message shows the value). A message no map worded (one without its "(fix: ...)", such as
 * zod's own "Invalid input") gets the field in front and a pointer to the lab file reference as
 * its fix. Throws nothing.
 */
export function fillIn(message: string, field: string, value: () => string): string {
  if (!/\(fix: .+\)$/.test(message)) return `${field}: ${message} (fix: see the lab file reference in README.md)`
  const shown = message.includes(VALUE) ? value() : ''
  return message.replaceAll(FIELD, field).replaceAll(VALUE, shown)
}

type ErrorMap = (iss: z.core.$ZodRawIssue) => string | undefined

const REQUIRED = `${FIELD}: is required (fix: add ${FIELD})`
const expected = (kind: string) => `${FIELD}: expected ${kind}, got ${VALUE} (fix: write ${kind} there)`

/** The wording of a wrong type: "is required" when absent, else `kind` (e.g. "a YAML list") was expected. */
function wrongType(iss: z.core.$ZodRawIssue, kind: string): string {
  return iss.input === undefined ? REQUIRED : expected(kind)
}

/** What a value that is not text is, for "expected text, got ...": e.g. "the number 1111"; undefined for text, lists and mappings. */
function nonText(input: unknown): string | undefined {
  if (input === null) return 'null'
  if (typeof input === 'boolean') return `the boolean ${input}`
  if (typeof input === 'number' || typeof input === 'bigint') return `the number ${String(input)}`
  return undefined
}

/**
 * The wording of a text field: a value of another type (a number, a boolean or null: "expected
 * text"; a list or mapping: "expected a string"), and a string its format refuses, shown quoted
 * with `problem` (e.g. "is not an IPv4 address") and the `fix`.
 */
function textMap(problem: string, fix: string): ErrorMap {
  return (iss) => {
    if (iss.code === 'invalid_type') {
      const what = iss.input === undefined ? undefined : nonText(iss.input)
      return what ? `${FIELD}: expected text, got ${what} (fix: write text there)` : wrongType(iss, 'a string')
    }
    if (iss.code === 'invalid_format') return `${FIELD}: ${VALUE} ${problem} (fix: ${fix})`
    return undefined
  }
}

/** A text field matching `pattern`; any other string "is not allowed here (fix: <fix>)". */
export function text(pattern: RegExp, fix: string) {
  const error = textMap('is not allowed here', fix)
  return z.string({error}).regex(pattern, {error})
}

/** A dotted IPv4 address (zod's ipv4 format: four decimal octets 0-255). */
export const ipv4 = () => z.ipv4({error: textMap('is not an IPv4 address', 'write a dotted address such as 172.20.1.10')})

/** An IPv4 network in CIDR notation (zod's cidrv4 format: an address, "/" and a prefix length 0-32). */
export const cidrv4 = () => z.cidrv4({error: textMap('is not an IPv4 network', 'write an address and prefix length such as 172.20.0.0/16')})

/** A whole number from `min` to `max`, both included; the fix names the range. */
export function int(min: number, max: number) {
  const error: ErrorMap = (iss) => {
    switch (iss.code) {
      case 'invalid_type':
        // a fraction is a number but not a whole one; NaN, infinities, text and null are no number at all
        return wrongType(iss, typeof iss.input === 'number' && Number.isFinite(iss.input) ? 'a whole number' : 'a number')
      case 'too_small':
        return `${FIELD}: ${VALUE} is below the minimum ${String(iss.minimum)} (fix: use a whole number from ${min} to ${max})`
      case 'too_big':
        return `${FIELD}: ${VALUE} is above the maximum ${String(iss.maximum)} (fix: use a whole number from ${min} to ${max})`
      default:
        return undefined
    }
  }
  return z.int({error}).min(min, {error}).max(max, {error})
}

/**
 * A number of seconds from `min` to `max`, both included, fractions allowed (e.g. advert_int 0.5);
 * the fix names the range. Finer limits (whole seconds, units of 10 ms) are meaning.ts' business.
 */
export function seconds(min: number, max: number) {
  const fix = `use a number of seconds from ${min} to ${max}`
  const error: ErrorMap = (iss) => {
    switch (iss.code) {
      case 'invalid_type':
        return wrongType(iss, 'a number')
      case 'too_small':
        return `${FIELD}: ${VALUE} is below the minimum ${String(iss.minimum)} (fix: ${fix})`
      case 'too_big':
        return `${FIELD}: ${VALUE} is above the maximum ${String(iss.maximum)} (fix: ${fix})`
      default:
        return undefined
    }
  }
  return z.number({error}).min(min, {error}).max(max, {error})
}

/** One of the whole numbers `values` (e.g. a protocol version), written as a YAML number. */
export function oneOfInts<const T extends readonly [number, ...number[]]>(values: T) {
  const list = values.join(', ')
  const error: ErrorMap = (iss) =>
    iss.input === undefined && iss.code === 'invalid_type' ? REQUIRED : `${FIELD}: ${VALUE} is not one of ${list} (fix: use one of ${list})`
  return z.literal(values, {error})
}

/** true or false (YAML's booleans; no "yes"/"no" strings). */
export const boolean = () => z.boolean({error: (iss) => (iss.code === 'invalid_type' ? wrongType(iss, 'true or false') : undefined)})

/** One of `values`, written exactly (case matters). */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  const list = values.join(', ')
  return z.enum(values, {
    error: (iss) =>
      iss.code === 'invalid_value' || iss.code === 'invalid_type'
        ? `${FIELD}: ${VALUE} is not one of ${list} (fix: use one of ${list})`
        : undefined,
  })
}

/** A YAML list of `element`, with `min` to `max` entries. */
export function list<T extends z.ZodType>(element: T, min: number, max: number) {
  const error: ErrorMap = (iss) => {
    const got = Array.isArray(iss.input) ? iss.input.length : '?'
    switch (iss.code) {
      case 'invalid_type':
        return wrongType(iss, 'a YAML list')
      case 'too_small':
        return `${FIELD}: at least ${String(iss.minimum)} entries allowed, got ${got} (fix: add entries)`
      case 'too_big':
        return `${FIELD}: at most ${String(iss.maximum)} entries allowed, got ${got} (fix: remove entries)`
      default:
        return undefined
    }
  }
  return z.array(element, {error}).min(min, {error}).max(max, {error})
}

/**
 * A YAML mapping with exactly the keys of `shape` (zod's strictObject). An unknown key is refused
 * naming it, where it is (unless `root`: the lab file's top level) and the keys known there. Keys
 * are shown as JSON strings, so a key holding a quote or a newline stays on the one line.
 */
export function mapping<S extends z.core.$ZodLooseShape>(shape: S, root = false) {
  const known = Object.keys(shape).join(', ')
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === 'invalid_type') return wrongType(iss, 'a YAML mapping')
      if (iss.code !== 'unrecognized_keys') return undefined
      const many = iss.keys.length > 1
      return `unknown key${many ? 's' : ''} ${iss.keys.map((k) => JSON.stringify(k)).join(', ')}${root ? '' : ` in ${FIELD}`} (fix: remove ${many ? 'them' : 'it'} or correct the spelling; known keys here: ${known})`
    },
  })
}
