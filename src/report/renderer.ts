// Which listr2 renderer to use, as lint-staged chooses it: a small pure function with its own tests.
export type RendererName = 'default' | 'simple' | 'silent'

export interface RendererEnv {
  isTTY: boolean
  ci: boolean
  json: boolean
  term?: string
  /** The terminal's width: a serial console reports 0, and the live renderer then wraps every character. */
  columns?: number
}

export function chooseRenderer(env: RendererEnv): RendererName {
  if (env.json) return 'silent'
  if (env.ci || !env.isTTY || env.term === 'dumb' || !env.columns || env.columns < 40) return 'simple'
  return 'default'
}

export function rendererFromProcess(json: boolean): RendererName {
  const ci = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0'
  return chooseRenderer({isTTY: Boolean(process.stdout.isTTY), ci, json, term: process.env.TERM, columns: process.stdout.columns})
}
