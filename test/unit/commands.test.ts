// The commands as oclif runs them, in this process (@oclif/test's runCommand, set up by
// test/helpers/oclif.ts), for what needs no Docker: `render`, and every command's --help and its
// examples. The refusals of bad input are in commands-input.test.ts (README.md's contract: exit 2,
// one line per problem; src/cli/base.ts maps InputError and oclif's parse errors so).
//
// The commands are the built ones (package.json oclif.commands: ./dist/commands): run
// `npm run build` first, as test/run-all.sh does. Without a build this file fails, saying so.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Config} from '@oclif/core'
import {beforeAll, describe, expect, it} from 'vitest'
import {EXAMPLES, inProcessCli, lvslab, SOURCE_IDS} from '../helpers/oclif.js'

const {tmp, labFile, config: loaded} = inProcessCli('lvslab-commands-')
let config: Config
beforeAll(() => {
  config = loaded()
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

  it('says on stderr what it does beyond the lab file (nopreempt: every director BACKUP), and not with --json', async () => {
    const file = labFile('nopreempt.yaml', 'vrrp: {nopreempt: true}')
    const r = await lvslab('render', '--file', file)
    expect(r.exit).toBe(0)
    expect(r.stderr).toMatch(
      /^lvslab: note: vrrp\.nopreempt: keepalived honours it only on a BACKUP instance, so every director's keepalived\.conf says state BACKUP; lvs1 still becomes MASTER by its priority 100, unless another director is MASTER already$/m,
    )
    expect(r.stdout.match(/^ {4}state BACKUP$/gm)).toHaveLength(2)
    const j = await lvslab('render', '--json', '--file', file)
    expect(j.stderr).toBe('')
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
