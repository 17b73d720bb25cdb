// What YAML did to a value the user wrote: a plain scalar such as 00001111, 1.50 or TRUE is read as
// a number or a boolean (YAML 1.2 core schema, as the yaml library reads it by default), so the
// parsed object no longer holds the user's text. These helpers find the YAML node behind a path of
// the parsed object and say what was written there. Pure: they read the document, never a file.
import {type Document, isAlias, isScalar, Scalar} from 'yaml'
import type {z} from 'zod'

/** The value at a path of a parsed object (keys and list indexes, as zod's issue.path), or undefined. */
export function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let cur = raw
  for (const part of path) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<PropertyKey, unknown>)[part]
  }
  return cur
}

/** The YAML scalar a path of the parsed object came from (through an alias to its anchor), if it is one. */
export function scalarAt(doc: Document, path: readonly PropertyKey[]): Scalar | undefined {
  let node: unknown = doc.getIn(
    path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    true,
  )
  if (isAlias(node)) node = node.resolve(doc)
  return isScalar(node) ? node : undefined
}

/** What the user wrote for a plain, untagged scalar (the yaml library keeps it as `source`); else undefined. */
export function writtenText(node: Scalar | undefined): string | undefined {
  return node && node.type === Scalar.PLAIN && node.tag === undefined && typeof node.source === 'string' ? node.source : undefined
}

/**
 * A value that is not text where the schema wants text: zod's invalid_type issue expecting "string"
 * for a number, a boolean, a bigint or null (not for a list or a mapping, nor an absent value).
 */
export function isNotText(issue: z.core.$ZodIssue, value: unknown): value is number | boolean | bigint | null {
  return (
    issue.code === 'invalid_type' &&
    issue.expected === 'string' &&
    (value === null || ['number', 'boolean', 'bigint'].includes(typeof value))
  )
}

/**
 * Where the schema wants text and YAML read a plain scalar as a number or boolean that prints
 * exactly as written (1111, -5, 1.5, true), puts the written text into `raw` in its place (raw is
 * changed in place). Returns how many values it replaced; 0 means a new parse would change nothing.
 */
export function keepWrittenText(raw: unknown, issues: readonly z.core.$ZodIssue[], doc: Document): number {
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
 * The refusal of a number, boolean or null where text is wanted, showing the user's writing (one
 * line, without the field), e.g. `YAML reads 00001111 as the number 1111, not as the text written
 * (fix: quote it: auth_pass: "00001111")`; for an empty value, the key to write after; for a tagged
 * or otherwise unreadable scalar, the advice to write quoted text.
 */
export function notTextMessage(path: readonly PropertyKey[], value: number | boolean | bigint | null, doc: Document): string {
  const what = value === null ? 'null' : typeof value === 'boolean' ? `the boolean ${value}` : `the number ${String(value)}`
  const key = path.at(-1)
  const node = scalarAt(doc, path)
  const written = writtenText(node)
  if (written === '')
    return `YAML reads the empty value as null, not as text (fix: write the text${typeof key === 'string' ? ` after "${key}:"` : ''}, in quotes)`
  if (written === undefined) {
    const tag = node?.tag ? `, tagged ${node.tag},` : ''
    return `YAML reads the value${tag} as ${what}, not as text (fix: write it as quoted text${tag ? ', without the tag' : ''})`
  }
  const quoted = JSON.stringify(written)
  return `YAML reads ${written} as ${what}, not as the text written (fix: quote it: ${typeof key === 'string' ? `${key}: ${quoted}` : quoted})`
}
