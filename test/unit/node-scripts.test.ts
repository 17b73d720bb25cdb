// The shell functions of the lab image's own scripts (templates/lvslab-facts.hbs, lvslab-svc.hbs) that
// run on every read of a node, run here by bash on files made for them: their output must stay what
// lvslab parses (src/ops/facts.ts) while they spawn no process for the common case.
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {renderImageContext} from '../../src/render/index.js'

const context = renderImageContext('debian12')
const dir = mkdtempSync(join(tmpdir(), 'lvslab-node-scripts-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

/** One shell function of a rendered script, by its name (from `name() {` to the first line that is `}`). */
function fn(script: string, name: string): string {
  const m =
    new RegExp(`^${name}\\(\\) \\{\\n[\\s\\S]*?\\n\\}$`, 'm').exec(script) ?? new RegExp(`^${name}\\(\\) \\{.*\\}$`, 'm').exec(script)
  if (!m) throw new Error(`no function ${name} in the script`)
  return m[0]
}

/** Runs bash (LC_ALL=C, as the scripts set it) with `code`, in `dir`; its stdout. */
const bash = (code: string) => execFileSync('bash', ['-c', code], {cwd: dir, env: {...process.env, LC_ALL: 'C'}, encoding: 'latin1'})

let n = 0
function file(content: Buffer | string): string {
  const path = join(dir, `f${n++}`)
  writeFileSync(path, content)
  return path
}

describe('lvslab-facts json_str', () => {
  const jsonStr = fn(context['lvslab-facts']!, 'json_str')
  const of = (content: Buffer | string) => JSON.parse(bash(`${jsonStr}\njson_str v '${file(content)}'; printf %s "$v"`)) as string

  it('escapes backslash, quote, tab, CR and LF, and cuts the trailing newlines as $(...) does', () => {
    expect(of('a "q" \\ b\tc\r\nd\n\n\n')).toBe('a "q" \\ b\tc\r\nd')
    expect(of('\n\n')).toBe('')
    expect(of('')).toBe('')
    expect(of('x')).toBe('x')
  })

  it('drops every other control character, a NUL byte too (through tr), and keeps other bytes', () => {
    expect(of('a\u0001b\u007fc\u001bd\n')).toBe('abcd')
    expect(of(Buffer.from([0x61, 0x00, 0x62, 0x0a]))).toBe('ab')
    expect(of(Buffer.from('é\n', 'utf8'))).toBe(Buffer.from('é', 'utf8').toString('latin1'))
  })

  it('takes a whole keepalived dump (several KiB) as it is', () => {
    const dump = Array.from({length: 200}, (_, i) => ` VRRP Instance = VI_${i}\n   State = BACKUP\n`).join('')
    expect(of(dump)).toBe(dump.trimEnd())
  })
})

describe('lvslab-svc ready ipvs VIP:PORT (vrrp.track_table)', () => {
  const svc = file(context['lvslab-svc']!)
  const table = readFileSync(new URL('../fixtures/userland/debian12/ipvsadm-Ln.txt', import.meta.url), 'utf8')
  /** lvslab-svc's exit code with ipvsadm printing `out` (as `ipvsadm -Ln -t VIP:PORT` would). */
  const ready = (out: string, target = '172.20.1.100:80') =>
    spawnSync('bash', ['-c', `ipvsadm() { printf '%s' "$OUT"; }; export -f ipvsadm; bash '${svc}' ready ipvs ${target}`], {
      env: {...process.env, OUT: out},
      encoding: 'utf8',
    }).status

  it('0 while a real server of weight above 0 is listed, 1 when none is (or every weight is 0), 2 without a service', () => {
    expect(ready(table)).toBe(0)
    const header = table
      .split('\n')
      .filter((l) => !/^\s+-> \d/.test(l))
      .join('\n')
    expect(ready(header)).toBe(1)
    expect(ready(table.replace(/(Route\s+)1(\s)/g, '$10$2'))).toBe(1)
    expect(ready('')).toBe(1)
    expect(ready(table, '')).toBe(2)
  })
})

describe('lvslab-svc readpid and alive', () => {
  const svc = context['lvslab-svc']!
  const code = `${fn(svc, 'alive')}\n${fn(svc, 'readpid')}`

  it('readpid: the digits of a pid file, with or without its newline; exit 1 for a missing or empty file', () => {
    expect(bash(`${code}\nreadpid '${file('1234\n')}'; echo " $?"`)).toBe('1234 0\n')
    expect(bash(`${code}\nreadpid '${file(' 42x')}'; echo " $?"`)).toBe('42 0\n')
    expect(bash(`${code}\nreadpid '${file('')}'; echo " $?"`)).toBe(' 1\n')
    expect(bash(`${code}\nreadpid '${join(dir, 'none')}'; echo " $?"`)).toBe(' 1\n')
  })

  it('alive: this shell is, no pid and a pid that ended are not; a zombie is not', () => {
    expect(bash(`${code}\nalive $$ && echo yes || echo no`)).toBe('yes\n')
    expect(bash(`${code}\nalive '' && echo yes || echo no`)).toBe('no\n')
    expect(bash(`${code}\nsleep 0 & p=$!; wait $p; alive $p && echo yes || echo no`)).toBe('no\n')
    // no /proc entry to read (a pid reaped while it was looked at) is not alive, whatever kill -0 said before
    expect(bash(`${code}\nkill() { return 0; }\nalive 2147483647 && echo yes || echo no`)).toBe('no\n')
    // a child that ended under a parent that never reaps it (sleep): a zombie, which kill -0 still finds
    const zombie = join(dir, 'zombie.pid')
    expect(
      bash(
        // perl's child ends at once and perl never reaps it; SIGCHLD is set to its default first, so an
        // ignored SIGCHLD inherited from whatever started the tests cannot have the kernel reap it; a
        // second is left for it to become a zombie even on a loaded machine
        `${code}\nperl -e '$|=1; $SIG{CHLD}="DEFAULT"; my $p=fork(); exit 0 unless $p; print "$p\\n"; sleep 5' > '${zombie}' & sleep 1; z=$(cat '${zombie}'); kill -0 $z && echo found; alive $z && echo yes || echo no; wait`,
      ),
    ).toBe('found\nno\n')
  })
})
