// The commands as oclif runs them, in this process (@oclif/test's runCommand), for what needs no
// Docker: `render`, every command's --help and its examples, and the refusals of bad input, which
// come before any engine call. README.md's contract: bad input exits 2 with one line per problem,
// "lvslab: <field or flag>: <what is wrong> (fix: <how>)" on stderr, or {error: {kind: "input",
// lines}} as JSON on stdout with --json (src/base.ts maps InputError and oclif's parse errors so).
//
// The commands are the built ones (package.json oclif.commands: ./dist/commands): run
// `npm run build` first, as test/run-all.sh does. Without a build this file fails, saying so.
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {Console} from 'node:console'
import {tmpdir} from 'node:os'
import {join, sep} from 'node:path'
import {Config} from '@oclif/core'
import {runCommand} from '@oclif/test'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

const ROOT = join(import.meta.dirname, '..', '..')
const EXAMPLES = join(ROOT, 'examples')
const tmp = mkdtempSync(join(tmpdir(), 'lvslab-commands-'))
const cwd = process.cwd()
/** The environment this file changes, as it was. */
const saved = {DEBUG: process.env.DEBUG, NODE_ENV: process.env.NODE_ENV, OCLIF_COLUMNS: process.env.OCLIF_COLUMNS}
const restore = (name: keyof typeof saved) => {
  if (saved[name] === undefined) Reflect.deleteProperty(process.env, name)
  else process.env[name] = saved[name]
}
const vitestConsole = globalThis.console
let config: Config

/** The command ids of src/commands, as oclif names them (chaos/all.ts -> chaos:all). */
const SOURCE_IDS = readdirSync(join(ROOT, 'src', 'commands'), {recursive: true, encoding: 'utf8'})
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, '').split(sep).join(':'))
  .sort()

/** A lab file in the temp folder. */
function labFile(name: string, text: string): string {
  const path = join(tmp, name)
  writeFileSync(path, text)
  return path
}

/**
 * Runs `lvslab <args>` in this process: its output, its result or error, and its exit code (0 on
 * success). Each run loads its own oclif Config from package.json, as bin/run.js does (a Config
 * that has shown a command's --help no longer takes that command's positional argument: oclif
 * then reads `chaos rs-down rs9` as the command chaos:rs-down:rs9), with NODE_ENV=production as
 * the tests of test/docker run the CLI: oclif then loads dist/ as it is, never looking for src/.
 */
async function lvslab(...args: string[]) {
  const r = await runCommand<unknown>(args, {root: ROOT}, {testNodeEnv: 'production'})
  return {...r, exit: r.error ? ((r.error as {oclif?: {exit?: number}}).oclif?.exit ?? 1) : 0}
}

/** The problem lines of a refusal on stderr, each checked against the contract. */
function refusalLines(stderr: string): string[] {
  const lines = stderr.split('\n').filter(Boolean)
  expect(lines.length).toBeGreaterThan(0)
  for (const line of lines) expect(line).toMatch(/^lvslab: .+ \(fix: .+\)$/)
  return lines
}

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

describe('render: the files `up` would install, with no Docker', () => {
  it('--json gives {lab, files: [{node, path, content}]} for the classic lab, and no SMTP unless asked', async () => {
    const r = await lvslab('render', '--json')
    expect(r.exit).toBe(0)
    const out = JSON.parse(r.stdout) as {lab: string; files: {node: string; path: string; content: string}[]}
    expect(r.result).toEqual(out)
    expect(out.lab).toBe('classic')
    for (const f of out.files) expect(Object.keys(f).sort()).toEqual(['content', 'node', 'path'])
    expect(out.files.map((f) => `${f.node}:${f.path}`)).toEqual([
      'lvs1:/etc/keepalived/keepalived.conf',
      'lvs2:/etc/keepalived/keepalived.conf',
      'rs1:/var/www/html/index.html',
      'rs2:/var/www/html/index.html',
    ])
    const conf = out.files.find((f) => f.node === 'lvs1')?.content ?? ''
    expect(conf).toContain('virtual_router_id 51')
    expect(conf).toMatch(/lb_kind DR|lvs_method DR/)
    for (const f of out.files) {
      expect(f.content).not.toContain('smtp_server')
      expect(f.content).not.toContain('notification_email')
    }
    expect(out.files.find((f) => f.node === 'rs2')?.content.trim()).toBe('from 172.20.1.11')
  })

  it('renders SMTP alerts when the lab file asks for them', async () => {
    const file = labFile('notify.yaml', 'notify: {smtp_server: 172.20.1.200, email: [ops@example.org], email_from: lvs@example.org}')
    const r = await lvslab('render', '--json', '--file', file)
    expect(r.exit).toBe(0)
    const conf = (JSON.parse(r.stdout) as {files: {content: string}[]}).files[0]?.content ?? ''
    expect(conf).toContain('smtp_server 172.20.1.200 25')
    expect(conf).toContain('notification_email_from lvs@example.org')
  })

  it('prints each file under its node and path, and the lab file picks the lab', async () => {
    const r = await lvslab('render', '-f', join(EXAMPLES, 'lab2.yaml'))
    expect(r.exit).toBe(0)
    expect(r.stdout).toContain('### lvs1:/etc/keepalived/keepalived.conf')
    expect(r.stdout).toContain('virtual_router_id 52')
    expect(r.stdout).toContain('auth_pass lab2pass')
  })

  it('--keepalived-version 1.3.5 uses the 1.x keywords', async () => {
    const r = await lvslab('render', '--json', '--keepalived-version', '1.3.5')
    expect(r.exit).toBe(0)
    const conf = (JSON.parse(r.stdout) as {files: {content: string}[]}).files[0]?.content ?? ''
    expect(conf).toContain('nb_get_retry')
    expect(conf).toContain('lb_kind DR')
  })

  it('--out writes the files into a folder per node', async () => {
    const out = join(tmp, 'render-out')
    const r = await lvslab('render', '--out', out)
    expect(r.exit).toBe(0)
    expect(readFileSync(join(out, 'lvs2', 'etc', 'keepalived', 'keepalived.conf'), 'utf8')).toContain('priority 50')
    expect(readFileSync(join(out, 'rs1', 'var', 'www', 'html', 'index.html'), 'utf8').trim()).toBe('from 172.20.1.10')
  })
})

describe('--help of every command shows its examples', () => {
  it('every command of src/commands is built, and has a summary and examples naming it', () => {
    const own = config.commands.filter((c) => c.pluginName === config.pjson.name)
    expect(own.map((c) => c.id).sort()).toEqual(SOURCE_IDS)
    for (const c of own) {
      expect(c.summary ?? c.description, c.id).toBeTruthy()
      expect(c.examples?.length ?? 0, c.id).toBeGreaterThanOrEqual(2)
      for (const e of c.examples ?? [])
        expect(typeof e === 'string' ? e : e.command).toMatch(new RegExp(`^<%= config\\.bin %> ${c.id.replaceAll(':', ' ')}( |$)`))
    }
  })

  it.each(SOURCE_IDS)('%s --help', async (id) => {
    const command = config.findCommand(id)
    const r = await lvslab(...id.split(':'), '--help')
    expect(r.error).toBeUndefined()
    const help = r.stdout.replace(/\s+/g, ' ')
    expect(help).toContain('EXAMPLES')
    for (const e of command?.examples ?? []) {
      const {command: line, description} = typeof e === 'string' ? {command: e, description: undefined} : e
      expect(help).toContain(`$ ${line.replace('<%= config.bin %>', 'lvslab')}`)
      if (description) expect(help).toContain(description.replace(/\s+/g, ' '))
    }
  })

  it('shell completion is there: autocomplete --help (@oclif/plugin-autocomplete)', async () => {
    const r = await lvslab('autocomplete', '--help')
    expect(r.error).toBeUndefined()
    expect(r.stdout).toContain('lvslab autocomplete')
    expect(r.stdout).toMatch(/bash/)
  })
})

describe('bad input: exit 2, one line per problem naming the field or flag and the fix', () => {
  it('a lab file with a VRID out of range', async () => {
    const file = labFile('vrid.yaml', 'vrrp: {virtual_router_id: 300}')
    const r = await lvslab('render', '--file', file)
    expect(r.exit).toBe(2)
    expect(refusalLines(r.stderr)).toEqual([
      `lvslab: ${file}: vrrp.virtual_router_id: 300 is above the maximum 255 (fix: use a whole number from 1 to 255)`,
    ])
    expect(r.stdout).toBe('')
  })

  it('an unknown key, a wrong type and a meaning error, one line each', async () => {
    const file = labFile('many.yaml', 'nmae: x\nvip: [1, 2]\n')
    const r = await lvslab('render', '--file', file)
    expect(r.exit).toBe(2)
    expect(refusalLines(r.stderr)).toEqual([
      `lvslab: ${file}: vip: expected a string, got [1,2] (fix: write a string there)`,
      `lvslab: ${file}: unknown key "nmae" (fix: remove it or correct the spelling; known keys here: name, image, network, vip, vrrp, directors, real_servers, virtual_server, notify)`,
    ])
    const meaning = labFile('vip.yaml', 'vip: 10.1.1.1')
    const m = await lvslab('render', '--file', meaning)
    expect(m.exit).toBe(2)
    expect(refusalLines(m.stderr)).toEqual([
      `lvslab: ${meaning}: vip: 10.1.1.1 is outside the lab network 172.20.0.0/16 (fix: choose an address inside 172.20.0.0/16, or change network.subnet)`,
    ])
  })

  it('a number YAML read where text was written shows the writing and the quoted fix', async () => {
    const file = labFile('pass.yaml', 'vrrp: {auth_pass: 00001111}')
    const r = await lvslab('status', '--file', file)
    expect(r.exit).toBe(2)
    expect(refusalLines(r.stderr)).toEqual([
      `lvslab: ${file}: vrrp.auth_pass: YAML reads 00001111 as the number 1111, not as the text written (fix: quote it: auth_pass: "00001111")`,
    ])
  })

  it('with --json, the lines come as {error: {kind: "input", lines}} on stdout', async () => {
    const file = labFile('json.yaml', 'name: 05')
    const r = await lvslab('verify', '--json', '--file', file)
    expect(r.exit).toBe(2)
    expect(JSON.parse(r.stdout)).toEqual({
      error: {kind: 'input', lines: [`${file}: name: YAML reads 05 as the number 5, not as the text written (fix: quote it: name: "05")`]},
    })
  })

  it('a lab file that does not exist, and a folder', async () => {
    const missing = join(tmp, 'nope.yaml')
    const r = await lvslab('doctor', '--file', missing)
    expect(r.exit).toBe(2)
    expect(refusalLines(r.stderr)[0]).toMatch(new RegExp(`^lvslab: --file ${missing}: no such file \\(fix: `))
    const dir = await lvslab('render', '--file', tmp)
    expect(dir.exit).toBe(2)
    expect(refusalLines(dir.stderr)[0]).toContain('not a regular file')
  })

  it.each([
    ['a keepalived version that is not one', ['render', '--keepalived-version', 'latest'], '--keepalived-version'],
    ['a number out of range', ['verify', '--requests', '0'], '--requests'],
    ['a flag value out of its options', ['verify', '--from', 'nowhere'], '--from'],
    ['an unknown flag', ['render', '--bogus'], '--bogus'],
    ['a lab name that is not a DNS label', ['down', '--name', 'Bad_Name'], '--name'],
  ])('%s', async (_what, args, flag) => {
    const r = await lvslab(...args)
    expect(r.exit).toBe(2)
    const lines = refusalLines(r.stderr)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(flag)
  })
})

describe('unknown drills and drill targets are refused', () => {
  it.each([
    ['rs-down', 'rs9', 'no real server rs9 in lab classic (fix: name one of rs1, rs2)'],
    ['director-down', 'lvs9', 'no director lvs9 in lab classic (fix: name one of lvs1, lvs2)'],
  ])('chaos %s %s: exit 2 before touching anything', async (drill, target, says) => {
    const r = await lvslab('chaos', drill, target)
    expect(r.exit).toBe(2)
    const lines = refusalLines(r.stderr)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(says)
  })

  it('a drill lvslab does not have is no command', async () => {
    const r = await lvslab('chaos', 'pull-the-plug')
    expect(r.exit).toBe(2)
    expect(r.error?.message).toContain('command chaos:pull-the-plug not found')
  })
})
