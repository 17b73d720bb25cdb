// The commands as oclif runs them, in the test's own process (@oclif/test's runCommand), on the built
// CLI (dist/commands): what test/unit/commands*.test.ts share.
import {existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {Console} from 'node:console'
import {tmpdir} from 'node:os'
import {join, sep} from 'node:path'
import {Config} from '@oclif/core'
import {runCommand} from '@oclif/test'
import {afterAll, afterEach, beforeAll, expect} from 'vitest'

/** The repository's root. */
export const ROOT = join(import.meta.dirname, '..', '..')
/** examples/: the sample lab files. */
export const EXAMPLES = join(ROOT, 'examples')

/** The command ids of src/commands, as oclif names them (chaos/all.ts -> chaos:all). */
export const SOURCE_IDS = readdirSync(join(ROOT, 'src', 'commands'), {recursive: true, encoding: 'utf8'})
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, '').split(sep).join(':'))
  .sort()

/**
 * Runs `lvslab <args>` in this process: its output, its result or error, and its exit code (0 on
 * success). Each run loads its own oclif Config from package.json, as bin/run.js does (a Config
 * that has shown a command's --help no longer takes that command's positional argument: oclif
 * then reads `chaos rs-down rs9` as the command chaos:rs-down:rs9), with NODE_ENV=production as
 * the tests of test/docker run the CLI: oclif then loads dist/ as it is, never looking for src/.
 */
export async function lvslab(...args: string[]) {
  const r = await runCommand<unknown>(args, {root: ROOT}, {testNodeEnv: 'production'})
  return {...r, exit: r.error ? ((r.error as {oclif?: {exit?: number}}).oclif?.exit ?? 1) : 0}
}

/** The problem lines of a refusal on stderr, each checked against the contract "lvslab: ... (fix: ...)". */
export function refusalLines(stderr: string): string[] {
  const lines = stderr.split('\n').filter(Boolean)
  expect(lines.length).toBeGreaterThan(0)
  for (const line of lines) expect(line).toMatch(/^lvslab: .+ \(fix: .+\)$/)
  return lines
}

/** A test file's in-process CLI: its temp folder (the working directory), lab files there, and oclif's Config once loaded. */
export interface InProcessCli {
  tmp: string
  /** A lab file in the temp folder. */
  labFile(name: string, text: string): string
  /** The Config loaded before the tests (package.json's oclif section). */
  config(): Config
}

/**
 * Prepares the calling test file for `lvslab()`: before its tests, checks dist/commands holds every
 * command of src/commands (else fails, saying to build), loads oclif's Config, moves into a temp folder
 * (no ./lvslab.yaml: without --file the commands read the classic lab), unsets DEBUG, sets wide help
 * (OCLIF_COLUMNS=200) and gives oclif a console on the process' streams; after each test, removes the
 * SIGINT/SIGTERM listeners a command added; after all, puts everything back and removes the folder.
 */
export function inProcessCli(prefix: string): InProcessCli {
  const tmp = mkdtempSync(join(tmpdir(), prefix))
  const cwd = process.cwd()
  /** The environment this file changes, as it was. */
  const saved = {DEBUG: process.env.DEBUG, NODE_ENV: process.env.NODE_ENV, OCLIF_COLUMNS: process.env.OCLIF_COLUMNS}
  const restore = (name: keyof typeof saved) => {
    if (saved[name] === undefined) Reflect.deleteProperty(process.env, name)
    else process.env[name] = saved[name]
  }
  const vitestConsole = globalThis.console
  let config: Config | undefined

  beforeAll(async () => {
    const missing = SOURCE_IDS.filter((id) => !existsSync(join(ROOT, 'dist', 'commands', `${id.split(':').join(sep)}.js`)))
    if (missing.length > 0)
      throw new Error(
        `dist/commands lacks ${missing.join(', ')}: these tests run the built CLI, so run \`npm run build\` first (test/run-all.sh does)`,
      )
    process.env.NODE_ENV = 'production'
    config = await Config.load({root: ROOT})
    restore('NODE_ENV')
    // no ./lvslab.yaml here: without --file, the commands read the classic lab
    process.chdir(tmp)
    delete process.env.DEBUG
    // wide help, so no example is wrapped
    process.env.OCLIF_COLUMNS = '200'
    // oclif prints through console.log, which vitest takes over; runCommand captures the process' streams
    globalThis.console = new Console({stdout: process.stdout, stderr: process.stderr})
  })

  /** What a command added to SIGINT/SIGTERM (the chaos commands' interrupt handling) is removed after it. */
  const signalListeners = {SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM')}
  afterEach(() => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const)
      for (const l of process.listeners(sig)) if (!signalListeners[sig].includes(l)) process.off(sig, l)
  })

  afterAll(() => {
    globalThis.console = vitestConsole
    process.chdir(cwd)
    restore('DEBUG')
    restore('OCLIF_COLUMNS')
    rmSync(tmp, {recursive: true, force: true})
  })

  return {
    tmp,
    labFile: (name, text) => {
      const path = join(tmp, name)
      writeFileSync(path, text)
      return path
    },
    config: () => {
      if (!config) throw new Error('the oclif Config is loaded before the tests (beforeAll)')
      return config
    },
  }
}
