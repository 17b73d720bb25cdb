#!/usr/bin/env node
// Writes schemas/<name>.schema.json: one JSON Schema (draft-07) per distinct `--json` output of the
// commands, generated with ts-json-schema-generator from the types of src/cli/json.ts (each a
// command's result type, e.g. UpJson = UpResult), every object closed (`additionalProperties: false`)
// unless its type has an index signature (`perServer`, `sysctls`: keys that are data). Formatted with
// the project's Prettier settings, so `prettier --check .` passes on them.
// `npm run schemas` runs it; test/unit/schemas.test.ts imports generateSchemas() and fails when a
// committed file differs from what it makes. A dev tool: not in the npm package (package.json "files").
import {mkdirSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import * as prettier from 'prettier'
import {createGenerator} from 'ts-json-schema-generator'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
/** The folder the schemas go in. */
export const SCHEMAS_DIR = join(ROOT, 'schemas')
/** The file (relative to the package root) whose types the schemas are generated from. */
export const SOURCE = 'src/cli/json.ts'

/**
 * Every schema: its file name under schemas/, the type of src/cli/json.ts it is made from, the
 * commands whose `--json` output it describes (as typed: `lvslab chaos all`), and its title when it is
 * not those commands' names.
 * @type {{file: string, type: string, commands: string[], title?: string}[]}
 */
export const SCHEMAS = [
  {file: 'up.schema.json', type: 'UpJson', commands: ['lvslab up']},
  {file: 'verify.schema.json', type: 'VerifyJson', commands: ['lvslab verify']},
  {file: 'status.schema.json', type: 'StatusJson', commands: ['lvslab status']},
  {file: 'down.schema.json', type: 'DownJson', commands: ['lvslab down']},
  {file: 'doctor.schema.json', type: 'DoctorJson', commands: ['lvslab doctor']},
  {file: 'render.schema.json', type: 'RenderJson', commands: ['lvslab render']},
  {
    file: 'chaos.schema.json',
    type: 'ChaosJson',
    commands: [
      'lvslab chaos all',
      'lvslab chaos rs-down',
      'lvslab chaos director-down',
      'lvslab chaos kill-master',
      'lvslab chaos hard-kill',
      'lvslab chaos pause',
      'lvslab chaos partition',
      'lvslab chaos netem',
      'lvslab chaos flap',
    ],
  },
  {file: 'chaos-restore.schema.json', type: 'RestoreJson', commands: ['lvslab chaos restore']},
  {file: 'image.schema.json', type: 'ImageJson', commands: ['lvslab image build', 'lvslab image import']},
  {file: 'error.schema.json', type: 'ErrorJson', commands: [], title: 'lvslab <any command> --json, failed without a result'},
]

/**
 * Generates every schema in memory (nothing is written).
 * @returns file name under schemas/ -> its text (formatted JSON, ending in a newline)
 * @throws what ts-json-schema-generator throws for a type it cannot express
 */
export async function generateSchemas() {
  const generator = createGenerator({
    path: join(ROOT, SOURCE),
    tsconfig: join(ROOT, 'tsconfig.json'),
    skipTypeCheck: true,
    jsDoc: 'extended',
    additionalProperties: false,
    sortProps: false,
  })
  const options = {...(await prettier.resolveConfig(join(SCHEMAS_DIR, 'x.json'))), parser: 'json'}
  /** @type {Map<string, string>} */
  const out = new Map()
  for (const s of SCHEMAS) {
    const {$schema, ...rest} = generator.createSchema(s.type)
    const schema = {
      $schema,
      title: s.title ?? `${s.commands.join(', ')} --json`,
      $comment: `Generated from the type ${s.type} of ${SOURCE} by bin/json-schemas.js (npm run schemas): do not edit.`,
      ...rest,
    }
    out.set(s.file, await prettier.format(JSON.stringify(schema), options))
  }
  return out
}

/** Writes the schemas into schemas/, removing any *.schema.json no longer made. */
async function main() {
  const schemas = await generateSchemas()
  mkdirSync(SCHEMAS_DIR, {recursive: true})
  for (const f of readdirSync(SCHEMAS_DIR)) if (f.endsWith('.schema.json') && !schemas.has(f)) rmSync(join(SCHEMAS_DIR, f))
  for (const [file, text] of schemas) writeFileSync(join(SCHEMAS_DIR, file), text)
  console.error(`wrote ${schemas.size} schemas to ${SCHEMAS_DIR}: ${[...schemas.keys()].join(', ')}`)
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main()
