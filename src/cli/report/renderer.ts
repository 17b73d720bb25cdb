// Which listr2 renderer to use, as lint-staged chooses it: a small pure function with its own tests.
/** listr2's renderers: the live one, plain lines (CI, logs), or none (--json). */
export type RendererName = 'default' | 'simple' | 'silent'

/** What the renderer choice depends on. */
export interface RendererEnv {
  isTTY: boolean
  ci: boolean
  json: boolean
  term?: string
  /** The terminal's width: a serial console reports 0, and the live renderer then wraps every character. */
  columns?: number
}

/**
 * silent with --json (stdout is the JSON); simple in CI, without a TTY, on a dumb terminal or one
 * narrower than 40 columns (or of unknown width); else the live default renderer.
 */
export function chooseRenderer(env: RendererEnv): RendererName {
  if (env.json) return 'silent'
  if (env.ci || !env.isTTY || env.term === 'dumb' || !env.columns || env.columns < 40) return 'simple'
  return 'default'
}

/** chooseRenderer for this process: CI set (and not "false" or "0"), stdout's TTY and width, TERM. */
export function rendererFromProcess(json: boolean): RendererName {
  const ci = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0'
  return chooseRenderer({isTTY: Boolean(process.stdout.isTTY), ci, json, term: process.env.TERM, columns: process.stdout.columns})
}
