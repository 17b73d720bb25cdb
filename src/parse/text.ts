// What every parser of src/parse shares: quoting a piece of the text it refused, and telling a JSON
// object from the other JSON values.

/** The longest quote of a refused text in a parser's error (characters; a longer one keeps 117 and "..."). */
export const QUOTE_MAX = 120

/** A text cut to QUOTE_MAX characters for an error message: its first 117 and "..." when longer, else as is. */
export function clip(text: string): string {
  return text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX - 3)}...` : text
}

/** The first line of a refused text (after trimming it), clipped: what a parser's error quotes. */
export function snippet(text: string): string {
  return clip(text.trim().split('\n')[0] ?? '')
}

/** Whether a parsed JSON value is an object (not null, not an array), whose keys may then be read. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
