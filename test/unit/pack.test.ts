// `npm pack` makes a package that installs and runs: the tarball holds the build, the templates the
// CLI reads at run time and the oclif manifest, and nothing of test/; installed globally (into a
// temp prefix) its `lvslab` prints its version and help and renders the classic lab's files with no
// Docker, reading its commands from the manifest.
//
// npm pack runs on a copy of the work tree (its node_modules linked, not copied): prepack rebuilds
// dist/ and writes oclif.manifest.json, and doing that in the work tree itself would change the
// files that other runs of bin/run.js there use while this test runs. The installed package's
// dependencies come from the npm registry (npm's cache first, --prefer-offline).
import {cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, delimiter, dirname, join, relative, sep} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

const ROOT = join(import.meta.dirname, '..', '..')
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {name: string; version: string}
/** What is not copied from the work tree: installed or generated, never packed from here. */
const NOT_COPIED = new Set(['node_modules', 'dist', '.git', '.cache', 'oclif.manifest.json', 'lvslab-render', 'report.xml'])

const tmp = mkdtempSync(join(tmpdir(), 'lvslab-pack-'))
const tree = join(tmp, 'tree')
const prefix = join(tmp, 'prefix')
const work = join(tmp, 'work')
const installed = join(prefix, 'lib', 'node_modules', pkg.name)
const lvslabBin = join(prefix, 'bin', 'lvslab')

/** This Node first on PATH (the installed bin is `#!/usr/bin/env node`), and no npm_* variables from
 * an `npm run` or `npm test` around vitest: npm would read them as its own settings. */
const env: Record<string, string> = {}
for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^npm_/i.test(k)) env[k] = v
env.PATH = [dirname(process.execPath), env.PATH ?? ''].join(delimiter)
delete env.DEBUG
delete env.NODE_OPTIONS

const run = (file: string, args: string[], opts: {cwd: string; extraEnv?: Record<string, string>; timeout?: number}) =>
  execa(file, args, {
    cwd: opts.cwd,
    env: {...env, ...opts.extraEnv},
    extendEnv: false,
    reject: false,
    timeout: opts.timeout ?? 60_000,
    stdin: 'ignore',
  })

/** The command ids of src/commands, as oclif names them (chaos/all.ts -> chaos:all). */
function commandIds(dir = join(ROOT, 'src', 'commands')): string[] {
  return readdirSync(dir, {recursive: true, encoding: 'utf8'})
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => f.replace(/\.ts$/, '').split(sep).join(':'))
    .sort()
}

describe('npm pack: the tarball installs and runs', () => {
  let entries: string[] = []
  let tarball = ''
  let packSeconds = 0
  let installSeconds = 0

  beforeAll(async () => {
    cpSync(ROOT, tree, {
      recursive: true,
      filter: (src) => {
        const top = relative(ROOT, src).split(sep)[0] ?? ''
        return !NOT_COPIED.has(top) && !top.endsWith('.tgz')
      },
    })
    symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'), 'dir')
    const out = join(tmp, 'out')
    mkdirSync(out)
    mkdirSync(work)

    let t = Date.now()
    const pack = await run('npm', ['pack', '--pack-destination', out, '--loglevel=error'], {cwd: tree, timeout: 120_000})
    packSeconds = (Date.now() - t) / 1000
    if (pack.exitCode !== 0) throw new Error(`npm pack failed (${pack.exitCode}):\n${pack.stdout}\n${pack.stderr}`)
    const tgz = readdirSync(out).filter((f) => f.endsWith('.tgz'))
    expect(tgz).toEqual([`${pkg.name}-${pkg.version}.tgz`])
    tarball = join(out, tgz[0]!)
    entries = (await execa('tar', ['-tzf', tarball])).stdout
      .split('\n')
      .filter(Boolean)
      .map((e) => e.replace(/^package\//, ''))
      .sort()

    // --ignore-scripts: lvslab has no install script; its dependencies' optional native builds
    // (ssh2, cpu-features) are not needed, and would make the time of this test depend on a compiler.
    t = Date.now()
    const install = await run(
      'npm',
      [
        'install',
        '--global',
        '--prefix',
        prefix,
        '--prefer-offline',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        tarball,
      ],
      {cwd: work, timeout: 180_000},
    )
    installSeconds = (Date.now() - t) / 1000
    if (install.exitCode !== 0)
      throw new Error(`npm install --global ${basename(tarball)} failed (${install.exitCode}):\n${install.stdout}\n${install.stderr}`)
    console.log(
      `PACK: ${basename(tarball)} ${readFileSync(tarball).length} bytes, ${entries.length} files; npm pack ${packSeconds.toFixed(1)} s, npm install --global ${installSeconds.toFixed(1)} s`,
    )
  }, 300_000)

  afterAll(() => {
    rmSync(tmp, {recursive: true, force: true})
  })

  it('holds the build, every template, the examples and the manifest, and nothing of test/ or src/', () => {
    expect(entries).toContain('package.json')
    expect(entries).toContain('bin/run.js')
    expect(entries).toContain('dist/render/index.js')
    for (const id of commandIds()) expect(entries).toContain(`dist/commands/${id.split(':').join('/')}.js`)
    for (const t of readdirSync(join(ROOT, 'templates'))) expect(entries).toContain(`templates/${t}`)
    expect(entries).toContain('examples/github/lvs-failover.yml')
    expect(entries).toContain('oclif.manifest.json')
    expect(
      entries.filter(
        (e) => /^(test|src|node_modules|\.ci)\//.test(e) || e === 'bin/oclif-manifest.js' || e.endsWith('.test.js') || e.endsWith('.tgz'),
      ),
    ).toEqual([])
  })

  it('has a manifest naming every command, and postpack removed it from the packed tree', () => {
    const manifest = JSON.parse(readFileSync(join(installed, 'oclif.manifest.json'), 'utf8')) as {
      version: string
      commands: Record<string, unknown>
    }
    expect(manifest.version).toBe(pkg.version)
    expect(Object.keys(manifest.commands).sort()).toEqual(commandIds())
    expect(existsSync(join(tree, 'oclif.manifest.json'))).toBe(false)
  })

  it('lvslab --version', async () => {
    const r = await run(lvslabBin, ['--version'], {cwd: work})
    expect(r.stderr).toBe('')
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`^${pkg.name}/${pkg.version.replaceAll('.', '\\.')} linux-`))
  })

  it('lvslab --help lists the commands and topics, read from the manifest', async () => {
    const r = await run(lvslabBin, ['--help'], {cwd: work, extraEnv: {DEBUG: 'oclif:*'}})
    expect(r.exitCode).toBe(0)
    for (const word of ['TOPICS', 'chaos', 'image', 'COMMANDS', 'doctor', 'down', 'render', 'status', 'up', 'verify'])
      expect(r.stdout).toMatch(new RegExp(`^\\s+${word}\\b`, 'm'))
    expect(r.stderr).toContain(`using manifest from ${join(installed, 'oclif.manifest.json')}`)
  })

  it("lvslab render --out writes the classic lab's files from the packed templates (no Docker)", async () => {
    const out = join(work, 'render')
    const r = await run(lvslabBin, ['render', '--out', out], {cwd: work})
    expect(r.exitCode).toBe(0)
    const written = readdirSync(out, {recursive: true, encoding: 'utf8'})
      .filter((f) => statSync(join(out, f)).isFile())
      .sort()
    expect(written).toEqual([
      'lvs1/etc/keepalived/keepalived.conf',
      'lvs2/etc/keepalived/keepalived.conf',
      'rs1/var/www/html/index.html',
      'rs2/var/www/html/index.html',
    ])
    // as the golden files, but for the VRRP password: the CLI makes a random one when the lab sets none
    const noPass = (s: string) => s.replace(/^(\s*auth_pass ).*$/m, '$1<random>')
    for (const d of ['lvs1', 'lvs2']) {
      const conf = readFileSync(join(out, d, 'etc/keepalived/keepalived.conf'), 'utf8')
      expect(noPass(conf)).toBe(noPass(readFileSync(join(ROOT, 'test/golden/classic', d, 'etc/keepalived/keepalived.conf'), 'utf8')))
    }
    expect(readFileSync(join(out, 'rs1/var/www/html/index.html'), 'utf8')).toContain('from 172.20.1.10')
  })
})
