// The engine commands (up, verify, status, chaos, down) as oclif runs them in this process, on the
// memory runtime instead of Docker: BaseCommand.runtimeFactory of the built CLI set to hand out the
// test's MemoryRuntime, each run on the virtual clock, and each --json output checked against its
// schema in schemas/. What test/unit/commands-engine.test.ts uses, beside test/helpers/oclif.ts.
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join} from 'node:path'
import type {Config} from '@oclif/core'
import {Ajv, type ValidateFunction} from 'ajv'
import {afterAll, beforeAll} from 'vitest'
import type {BaseCommand} from '../../src/cli/base.js'
import type {Runtime} from '../../src/runtime/types.js'
import {onVirtualClock, sleep} from './memory/index.js'
import {lvslab, ROOT} from './oclif.js'

/**
 * dist/cli/base.js's BaseCommand as Node itself loads it, which is the module the commands oclif
 * loads import. Vitest's own `import()` runs a second copy of a file outside node_modules, so a hook
 * set on that copy would never reach the commands; Node's require of an ES module shares Node's cache.
 */
function builtBaseCommand(): typeof BaseCommand {
  return (createRequire(import.meta.url)(join(ROOT, 'dist', 'cli', 'base.js')) as {BaseCommand: typeof BaseCommand}).BaseCommand
}

/** The in-process CLI's engine: which runtime the commands get now, and how often they asked for one. */
export interface EngineHook {
  /** Hands `rt` to every command run from now on (each call of runtime() gets it). */
  use(rt: Runtime): void
  /** How many times a command asked for its runtime (BaseCommand.runtime()) since the tests began. */
  made(): number
}

/**
 * Before the calling file's tests (after inProcessCli's setup, whose Config `config` gives), checks
 * that the built BaseCommand is the one oclif's commands extend and sets its runtimeFactory to hand
 * out the runtime given to `use` (failing when there is none); after them, puts the factory back.
 * @throws in beforeAll when the built class is not the one the commands extend (the hook would not reach them)
 */
export function memoryEngine(config: () => Config): EngineHook {
  let current: Runtime | undefined
  let made = 0
  let built: typeof BaseCommand | undefined
  let original: typeof BaseCommand.runtimeFactory | undefined
  beforeAll(async () => {
    const base = builtBaseCommand()
    const up = await config().findCommand('up')?.load()
    if (!up || !(up.prototype instanceof base) || typeof base.runtimeFactory !== 'function')
      throw new Error(
        'dist/commands/up.js does not extend the dist/cli/base.js this helper loaded, with its runtimeFactory: run `npm run build`',
      )
    built = base
    original = base.runtimeFactory
    base.runtimeFactory = () => {
      made++
      if (!current) throw new Error('no memory runtime: call use(rt) first')
      return current
    }
  })
  afterAll(() => {
    if (built && original) built.runtimeFactory = original
  })
  return {
    use: (rt) => {
      current = rt
    },
    made: () => made,
  }
}

/**
 * Runs `lvslab <args>` in this process on the virtual clock (so the lab's waits cost nothing), as
 * test/helpers/oclif.ts lvslab does; with --json, `json` is stdout parsed (else, or when it is empty, undefined).
 * @param opts.during runs beside the command, on the same clock (e.g. to interrupt it)
 */
export async function lvslabOnVirtualClock(args: string[], opts: {during?: () => Promise<void>} = {}) {
  const r = await onVirtualClock(async () => {
    const [run] = await Promise.all([lvslab(...args), opts.during?.()])
    return run
  })
  return {...r, json: args.includes('--json') && r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, unknown>) : undefined}
}

/** Waits on the clock in use, 10 ms at a time, until `cond` holds (at most `limitMs` of that clock, default 60 s). */
export async function until(cond: () => boolean, limitMs = 60_000): Promise<void> {
  for (let t = 0; !cond(); t += 10) {
    if (t > limitMs) throw new Error(`until: still false after ${limitMs} ms`)
    await sleep(10)
  }
}

const ajv = new Ajv({allErrors: true, strict: true})
const validators = new Map<string, ValidateFunction>()

/**
 * What is wrong with a --json output against schemas/<file> (README.md "JSON output"): ajv's
 * errors as text, or '' when it validates.
 */
export function schemaProblems(file: string, json: unknown): string {
  let validate = validators.get(file)
  if (!validate) {
    validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schemas', file), 'utf8')) as object)
    validators.set(file, validate)
  }
  return validate(json) ? '' : `${file}: ${ajv.errorsText(validate.errors)}`
}
