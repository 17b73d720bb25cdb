// The --json contract (README.md "JSON output"): schemas/*.schema.json are what bin/json-schemas.js
// makes from src/cli/json.ts (never stale), every command's real output validates against its schema
// (made on the memory runtime, and by the built CLI for render and the failures that need no engine),
// and every key is camelCase with its unit in its suffix (Ms, Seconds, Hz) where it has one.
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {Ajv, type ValidateFunction} from 'ajv'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {DRILLS} from '../../src/drills/drill.js'
import {doctor} from '../../src/ops/doctor.js'
import {downLab} from '../../src/ops/down.js'
import {buildLabImage, importLabImage} from '../../src/ops/image.js'
import {restoreLab} from '../../src/ops/restore.js'
import {labStatus} from '../../src/ops/status.js'
import {verifyLab} from '../../src/ops/verify.js'
import {LAB_PACE, MemoryRuntime, onVirtualClock} from '../helpers/memory/index.js'
import {chaos, classic, closeAll, memory, up} from './orchestration/lab.js'

const ROOT = join(import.meta.dirname, '..', '..')
const SCHEMAS_DIR = join(ROOT, 'schemas')
const tmp = mkdtempSync(join(tmpdir(), 'lvslab-schemas-'))

/** bin/json-schemas.js, a plain ESM script: its schema list and its generator. */
interface Generator {
  SCHEMAS: {file: string; type: string; commands: string[]}[]
  generateSchemas: () => Promise<Map<string, string>>
}
const gen = (await import(pathToFileURL(join(ROOT, 'bin', 'json-schemas.js')).href)) as Generator

/** Keys whose children are data (an IP, a sysctl's name), not names: not held to the naming rule. */
const DATA_MAPS = new Set(['perServer', 'sysctls'])

/** Every key of a JSON value with its path, skipping the children of data maps. */
function keysOf(value: unknown, path = '$'): {key: string; path: string}[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keysOf(v, `${path}[${i}]`))
  if (value === null || typeof value !== 'object') return []
  return Object.entries(value).flatMap(([k, v]) => [{key: k, path: `${path}.${k}`}, ...(DATA_MAPS.has(k) ? [] : keysOf(v, `${path}.${k}`))])
}

/** Every property name a schema declares, with where. */
function schemaKeys(schema: unknown, path = '#'): {key: string; path: string}[] {
  if (Array.isArray(schema)) return schema.flatMap((v, i) => schemaKeys(v, `${path}/${i}`))
  if (schema === null || typeof schema !== 'object') return []
  const s = schema as Record<string, unknown>
  const own = s.properties && typeof s.properties === 'object' ? Object.keys(s.properties).map((key) => ({key, path})) : []
  return [...own, ...Object.entries(s).flatMap(([k, v]) => schemaKeys(v, `${path}/${k}`))]
}

/**
 * The naming rule, for one key: camelCase; a duration ends in Ms or Seconds (or is `seconds`), so a
 * key ending in "ms" or "seconds" any other way is refused; a rate ends in Hz.
 * @returns what is wrong, or undefined
 */
function badKey(key: string): string | undefined {
  if (!/^[a-z][a-zA-Z0-9]*$/.test(key)) return 'not camelCase'
  if (/ms$/i.test(key) && !/[a-z0-9]Ms$/.test(key)) return 'a duration in ms: end it in Ms, after what it measures'
  if (/seconds$/i.test(key) && key !== 'seconds' && !/[a-z0-9]Seconds$/.test(key)) return 'a duration in s: end it in Seconds'
  if (/hz$/i.test(key) && !/[a-z0-9]Hz$/.test(key)) return 'a rate: end it in Hz'
  return undefined
}

/** Runs the built CLI (bin/run.js) as a user would, in the temp folder (no lvslab.yaml: the classic lab). */
async function lvslab(args: string[], env: Record<string, string> = {}) {
  const r = await execa(process.execPath, [join(ROOT, 'bin', 'run.js'), ...args], {
    cwd: tmp,
    reject: false,
    timeout: 60_000,
    env: {NODE_ENV: 'production', CI: 'true', ...env},
  })
  return {exit: r.exitCode ?? -1, json: JSON.parse(r.stdout) as unknown, stderr: r.stderr}
}

describe('schemas/ is what `npm run schemas` makes', () => {
  it('each committed schema equals the generated one, and there is no other', async () => {
    const made = await gen.generateSchemas()
    const committed = readdirSync(SCHEMAS_DIR).filter((f) => f.endsWith('.schema.json'))
    expect(committed.sort(), 'schemas/ holds other files than bin/json-schemas.js makes: run `npm run schemas`').toEqual(
      [...made.keys()].sort(),
    )
    for (const [file, text] of made)
      expect(readFileSync(join(SCHEMAS_DIR, file), 'utf8'), `schemas/${file} is stale: run \`npm run schemas\``).toBe(text)
  })

  it('schemas/README.md names every schema and every command of src/commands', () => {
    const readme = readFileSync(join(SCHEMAS_DIR, 'README.md'), 'utf8')
    for (const s of gen.SCHEMAS) {
      expect(readme).toContain(`[${s.file}](${s.file})`)
      for (const c of s.commands) expect(readme).toContain(`\`${c}\``)
    }
    const ids = readdirSync(join(ROOT, 'src', 'commands'), {recursive: true, encoding: 'utf8'})
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `lvslab ${f.replace(/\.ts$/, '').split('/').join(' ')}`)
    expect(ids.filter((id) => !gen.SCHEMAS.some((s) => s.commands.includes(id)))).toEqual([])
  })

  it('every property a schema declares follows the naming rule', () => {
    for (const s of gen.SCHEMAS) {
      const schema = JSON.parse(readFileSync(join(SCHEMAS_DIR, s.file), 'utf8')) as unknown
      expect(schemaKeys(schema).flatMap(({key, path}) => (badKey(key) ? [`${s.file} ${path}: ${key}: ${badKey(key)}`] : []))).toEqual([])
    }
  })
})

describe('real --json outputs validate against their schemas, and their keys follow the naming rule', () => {
  const ajv = new Ajv({allErrors: true, strict: true})
  const validators = new Map<string, ValidateFunction>()
  /** [schema file, what made it, the output as --json prints it]. */
  const outputs: [file: string, label: string, json: unknown][] = []
  /** Adds an output as the CLI prints it (JSON.stringify: no undefined); with `error`, as a ResultError adds it. */
  const add = (file: string, label: string, value: object, error?: string) =>
    outputs.push([file, label, JSON.parse(JSON.stringify(error ? {...value, error} : value)) as unknown])

  beforeAll(async () => {
    for (const s of gen.SCHEMAS) validators.set(s.file, ajv.compile(JSON.parse(readFileSync(join(SCHEMAS_DIR, s.file), 'utf8'))))
    const virtual = <T>(work: () => Promise<T>) => onVirtualClock(work)

    // one lab through its life: up twice, verify, status, every drill, a drill left in place, restore, doctor, down
    const rt: MemoryRuntime = memory({timings: LAB_PACE})
    add('up.schema.json', 'up', await up(rt))
    add('up.schema.json', 'up again', await up(rt))
    add('verify.schema.json', 'verify', await virtual(() => verifyLab(rt, classic, {from: 'container'})))
    add('status.schema.json', 'status', await virtual(() => labStatus(rt, classic)))
    add(
      'chaos.schema.json',
      'chaos all',
      await chaos(
        rt,
        DRILLS.map((name) => ({name})),
      ),
    )
    const left = await chaos(rt, [{name: 'kill-master'}], {restore: false})
    add('chaos.schema.json', 'chaos kill-master --no-restore', left)
    const failed = await virtual(() => verifyLab(rt, classic, {from: 'container'}))
    expect(failed.ok).toBe(false)
    add('verify.schema.json', 'verify, failed', failed, 'lab classic: checks failed')
    add('chaos-restore.schema.json', 'chaos restore', await virtual(() => restoreLab(rt, classic)))
    // the simulation does not play doctor's throwaway `/bin/true` containers (a failed finding, still a finding),
    // so doctor runs on a runtime of its own that closeAll does not hold to knowing every command
    const engine = new MemoryRuntime({timings: LAB_PACE})
    const doc = await virtual(() => doctor(engine, classic)).finally(() => engine.close())
    add('doctor.schema.json', 'doctor', doc, doc.ok ? undefined : 'problems found')
    add('down.schema.json', 'down', await downLab(rt, classic.name))
    add('status.schema.json', 'status, not running', await virtual(() => labStatus(rt, classic)))

    // the image commands, on an engine without the lab image
    const images = memory({images: []})
    add('image.schema.json', 'image build', await virtual(() => buildLabImage(images, {base: 'rocky9'})))
    const rootfs = join(tmp, 'rootfs.tar')
    writeFileSync(rootfs, '')
    add('image.schema.json', 'image import', await virtual(() => importLabImage(images, {rootfs})))
    add('image.schema.json', 'image import, reused', await virtual(() => importLabImage(images, {rootfs})))

    // the built CLI: render, and failures that need no engine (one that is not there)
    if (!existsSync(join(ROOT, 'dist', 'commands', 'render.js')))
      throw new Error('dist/commands/render.js is missing: these tests run the built CLI, so run `npm run build` first')
    mkdirSync(join(tmp, 'out'))
    const noEngine = {DOCKER_HOST: `unix://${join(tmp, 'no-engine.sock')}`}
    writeFileSync(join(tmp, 'bad.yaml'), 'name: 05\n')
    const runs = await Promise.all([
      lvslab(['render', '--json']),
      lvslab(['render', '--json', '--out', join(tmp, 'out')]),
      lvslab(['verify', '--json', '--file', join(tmp, 'bad.yaml')]),
      lvslab(['up', '--json', '--from', 'nowhere']),
      lvslab(['doctor', '--json'], noEngine),
      lvslab(['status', '--json'], noEngine),
    ])
    const [render, written, badFile, badFlag, doctorFailed, statusFailed] = runs
    expect(runs.map((r) => r.exit)).toEqual([0, 0, 2, 2, 1, 1])
    add('render.schema.json', 'render --json', render!.json as object)
    add('render.schema.json', 'render --json --out', written!.json as object)
    add('error.schema.json', 'verify --json, a bad lab file', badFile!.json as object)
    add('error.schema.json', 'up --json, a bad flag', badFlag!.json as object)
    add('doctor.schema.json', 'doctor --json, no engine', doctorFailed!.json as object)
    add('error.schema.json', 'status --json, no engine', statusFailed!.json as object)
  }, 120_000)

  afterAll(() => {
    closeAll()
    rmSync(tmp, {recursive: true, force: true})
  })

  it('every schema is exercised by an output', () => {
    expect(gen.SCHEMAS.map((s) => s.file).filter((f) => !outputs.some(([file]) => file === f))).toEqual([])
  })

  it('each output validates against its schema', () => {
    const problems = outputs.flatMap(([file, label, json]) => {
      const validate = validators.get(file)
      if (!validate) return [`${label}: no schema ${file}`]
      return validate(json) ? [] : [`${label} against ${file}: ${ajv.errorsText(validate.errors)}`]
    })
    expect(problems).toEqual([])
  })

  it('the error shapes: a bad input, a failed step, a failure with its result', () => {
    const byLabel = new Map(outputs.map(([, label, json]) => [label, json]))
    expect(byLabel.get('verify --json, a bad lab file')).toMatchObject({error: {kind: 'input', lines: [expect.stringContaining('name:')]}})
    expect(byLabel.get('up --json, a bad flag')).toMatchObject({error: {kind: 'input', lines: [expect.stringContaining('--from')]}})
    expect(byLabel.get('status --json, no engine')).toMatchObject({error: {kind: 'step', fix: expect.stringContaining('DOCKER_HOST')}})
    expect(byLabel.get('doctor --json, no engine')).toMatchObject({ok: false, error: expect.any(String)})
  })

  it('no key is snake_case, and every unit is in its suffix (the children of perServer and sysctls are data)', () => {
    const problems = outputs.flatMap(([, label, json]) =>
      keysOf(json).flatMap(({key, path}) => (badKey(key) ? [`${label} ${path}: ${badKey(key)}`] : [])),
    )
    expect(problems).toEqual([])
    // the rule itself
    expect(['t_ms', 'ms', 'timeoutms', 'Seconds', 'rate_hz', 'ratehz'].map(badKey).every(Boolean)).toBe(true)
    expect(['convergedMs', 'seconds', 'timeoutSeconds', 'rateHz', 'perServer'].map(badKey).some(Boolean)).toBe(false)
  })
})
