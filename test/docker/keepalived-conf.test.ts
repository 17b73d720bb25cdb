// keepalived accepts every keepalived.conf lvslab renders: labs generated across the schema's
// ranges, a keepalived.conf per director rendered for the lab image's own keepalived, and
// `keepalived -t` run on each of them in ONE throwaway container of the lab image.
//
// The throwaway container has no network (Runtime.runOnce), so no eth0, and keepalived refuses a
// configuration naming an interface that does not exist ("Non-existent interface specified in
// configuration", exit 5) before it reports anything else. The loop therefore tests a copy of each
// file with `dynamic_interfaces` added to global_defs, which turns exactly that refusal into a
// warning and leaves every other check in place (measured on keepalived 2.2.7: the same verdicts,
// file by file, as in a container with an eth0). That eth0 exists is covered by test/docker/lab.test.ts,
// which runs keepalived -t inside a director.
import {stringify} from 'yaml'
import {beforeAll, describe, expect, it} from 'vitest'
import {parseLab} from '../../src/lab/load.js'
import type {Lab} from '../../src/lab/model.js'
import {parseKeepalivedVersion, type KeepalivedVersion} from '../../src/parse/keepalived.js'
import {keepalivedVersionText, renderKeepalivedConf} from '../../src/render/index.js'
import {DockerRuntime} from '../../src/runtime/docker/index.js'
import {ensureLabImage} from '../helpers/image.js'

const rt = new DockerRuntime()
const DIR = '/tmp/lvslab-kc'

const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'sh'] as const
/** Health-check paths: the root, a folder, and percent escapes of every kind the schema lets through. */
const PATHS = ['/', '/health%2Dcheck', '/check/', '/a%7Eb/c.d_e-f+g:h@i,j;k=l&m%41?x=%zz&y=/1', `/${'p'.repeat(200)}`]
/** Timers at both ends of their ranges (delay_loop never shorter than connect_timeout). */
const TIMERS = [
  {delay_loop: 6, connect_timeout: 3, retry: 3, delay_before_retry: 3},
  {delay_loop: 1, connect_timeout: 1, retry: 0, delay_before_retry: 0},
  {delay_loop: 3600, connect_timeout: 600, retry: 100, delay_before_retry: 600},
]
/** Passwords using every character AUTH_PASS allows; undefined: the random one. */
const PASSWORDS = [undefined, '%^=@:+._', 'AZaz09-.', '1111', 'x']

interface Case {
  /** A file name: letters, digits, "-" and "." only. */
  id: string
  lab: Lab
}

/** The labs: directors 1..8 x (multicast, unicast on an internal network, strict) x advert_int edges, the rest rotated through. */
function generatedLabs(): Case[] {
  const out: Case[] = []
  let i = 0
  const add = (id: string, file: object) => {
    // through YAML, as a user's lab file would come
    out.push({id: `${String(out.length).padStart(3, '0')}-${id}`, lab: parseLab(stringify(file), id)})
  }
  for (let n = 1; n <= 8; n++) {
    for (const mode of ['multicast', 'internal', 'strict'] as const) {
      for (const advert of mode === 'strict' ? [1, 40] : [1, 255]) {
        const scheduler = SCHEDULERS[i % SCHEDULERS.length]!
        const realServers = i % 9 === 4 ? 32 : i % 3 === 0 ? 1 : 2
        const strict = mode === 'strict'
        const password = strict ? undefined : PASSWORDS[i % PASSWORDS.length]
        const file: Record<string, unknown> = {
          name: i % 7 === 3 ? `l${'x'.repeat(50)}${String(i).padStart(3, '0')}` : `kc${i}`,
          network: {name: `kc_${i}`, subnet: SUBNETS[i % 3], internal: mode === 'internal'},
          vip: `${base(i)}.100`,
          vrrp: {
            instance: i % 4 === 1 ? 'V'.repeat(32) : 'VI_1',
            virtual_router_id: [51, 1, 255][i % 3],
            advert_int: advert,
            strict,
            auth_type: strict || i % 5 === 2 ? 'NONE' : 'PASS',
            ...(password !== undefined ? {auth_pass: password} : {}),
          },
          directors: Array.from({length: n}, (_, d) => ({name: `lvs${d + 1}`, ip: `${base(i)}.${d + 2}`})),
          real_servers: Array.from({length: realServers}, (_, r) => ({
            name: `rs${r + 1}`,
            ip: `${base(i)}.${10 + r}`,
            weight: [1, 65535, 2, 100][r % 4],
          })),
          virtual_server: {scheduler, health_check: {path: PATHS[i % PATHS.length], ...TIMERS[i % TIMERS.length]}},
        }
        if (i % 2 === 0) {
          file.notify = {
            smtp_server: `${base(i)}.200`,
            smtp_port: i % 4 === 0 ? 25 : 65535,
            email: i % 4 === 0 ? ['ops@example.org'] : Array.from({length: 16}, (_, k) => `a.b_c%d+e-${k}@mail-${k}.example.org`),
            email_from: 'lvs@example.org',
          }
        }
        add(`n${n}-${mode}-adv${advert}-${scheduler}-rs${realServers}${file.notify ? '-notify' : ''}`, file)
        i++
      }
    }
  }
  // every scheduler with 32 weighted real servers, and the priorities' edges with explicit roles
  for (const scheduler of SCHEDULERS) {
    add(`rs32-${scheduler}`, {
      virtual_server: {scheduler},
      real_servers: Array.from({length: 32}, (_, r) => ({name: `rs${r + 1}`, ip: `172.20.2.${r + 1}`, weight: r === 0 ? 65535 : r + 1})),
    })
  }
  add('priorities-254-1', {
    directors: [
      {name: 'a', ip: '172.20.1.1', state: 'MASTER', priority: 254},
      {name: 'b', ip: '172.20.1.2', state: 'BACKUP', priority: 1},
    ],
  })
  add('unicast-asked-single', {vrrp: {unicast: true}, directors: [{name: 'solo', ip: '172.20.1.1'}]})
  // VRRP 3's advert intervals at their edges (units of 10 ms, at most 40.95 s), and preemption's settings
  add('v3-adv0.01-nopreempt-internal', {network: {internal: true}, vrrp: {version: 3, advert_int: 0.01, nopreempt: true}})
  add('v3-adv0.25', {vrrp: {version: 3, advert_int: 0.25}})
  add('v3-adv40.95-preempt-delay', {vrrp: {version: 3, advert_int: 40.95, preempt_delay: 1000}})
  add('nopreempt', {vrrp: {nopreempt: true}})
  // the IPVS table tracked (vrrp_script and track_script), on the widest priority spread
  add('track-table', {vrrp: {track_table: true}})
  add('track-table-254-1-v3', {
    vrrp: {version: 3, advert_int: 0.1, track_table: true},
    directors: [
      {name: 'a', ip: '172.20.1.1', state: 'MASTER', priority: 254},
      {name: 'b', ip: '172.20.1.2', state: 'BACKUP', priority: 1},
    ],
  })
  return out
}

/** The first three octets of lab i's addresses, inside its subnet (SUBNETS[i % 3]). */
function base(i: number): string {
  return ['172.20.1', '10.0.1', '192.168.7'][i % 3]!
}
const SUBNETS = ['172.20.0.0/16', '10.0.0.0/8', '192.168.7.0/24']

interface Verdict {
  file: string
  exitCode: number
  output: string
}

/**
 * Runs `keepalived -t` on every file in one throwaway container of the image; one verdict per file.
 * Each file is tested as a copy with `dynamic_interfaces` in global_defs (see the top of this file).
 */
async function keepalivedTest(image: string, files: Record<string, string>): Promise<Verdict[]> {
  const script = `set -u
mkdir -p ${DIR}/t
for f in ${DIR}/*.conf; do
  n=\${f##*/}
  sed 's/^global_defs {$/global_defs {\\n    dynamic_interfaces/' "$f" > "${DIR}/t/$n"
  grep -q '^    dynamic_interfaces$' "${DIR}/t/$n" || { printf '%s\\t%s\\t%s\\n' "$n" 99 "$(printf 'no global_defs line to extend' | base64 -w0)"; continue; }
  out=$(keepalived -t -f "${DIR}/t/$n" 2>&1); rc=$?
  printf '%s\\t%s\\t%s\\n' "$n" "$rc" "$(printf %s "$out" | base64 -w0)"
done`
  const res = await rt.runOnce(image, ['bash', '-c', script], {
    files: Object.fromEntries(Object.entries(files).map(([name, content]) => [`${DIR}/${name}`, content])),
    timeoutMs: 600_000,
  })
  expect(res.stderr).toBe('')
  return res.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [file, code, b64] = line.split('\t')
      return {file: file!, exitCode: Number(code), output: Buffer.from(b64 ?? '', 'base64').toString('utf8')}
    })
}

let image = ''
let version: KeepalivedVersion

beforeAll(async () => {
  image = await ensureLabImage(rt)
  const res = await rt.runOnce(image, ['bash', '-c', 'cat /etc/lvslab-keepalived-version 2>/dev/null || keepalived --version 2>&1'])
  version = parseKeepalivedVersion(res.stdout)
})

describe("keepalived -t accepts every keepalived.conf of labs across the schema's ranges", () => {
  it('every director of every generated lab, and the deliberately broken ones fail', async () => {
    const cases = generatedLabs()
    const files: Record<string, string> = {}
    for (const c of cases) {
      for (const d of c.lab.directors) files[`ok-${c.id}-${d.name}.conf`] = renderKeepalivedConf(c.lab, d, version)
    }
    // the coverage the generator promises
    const labs = cases.map((c) => c.lab)
    expect(new Set(labs.map((l) => l.directors.length))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8]))
    expect(new Set(labs.map((l) => l.virtual_server.scheduler))).toEqual(new Set(SCHEDULERS))
    expect(new Set(labs.map((l) => l.real_servers.length))).toContain(32)
    expect(new Set(labs.map((l) => l.real_servers.length))).toContain(1)
    for (const [unicast, strict] of [
      [false, false],
      [true, false],
      [false, true],
    ]) {
      expect(labs.some((l) => l.vrrp.unicast === unicast && l.vrrp.strict === strict && l.directors.length === 1)).toBe(true)
    }
    expect(labs.some((l) => l.notify) && labs.some((l) => !l.notify)).toBe(true)
    expect(new Set(labs.map((l) => l.vrrp.advert_int))).toEqual(new Set([1, 40, 255, 0.01, 0.1, 0.25, 40.95]))
    expect(labs.some((l) => l.virtual_server.health_check.path.includes('%'))).toBe(true)
    const header = `! keepalived ${keepalivedVersionText(version)} syntax.`
    expect(Object.values(files).every((f) => f.split('\n')[1]!.startsWith(header))).toBe(true)

    // broken on purpose: what the renderer used to write for a lone director on an internal
    // network, a strict VRRP advert_int keepalived refuses, and a keyword keepalived does not know
    const lone = cases.find((c) => c.lab.directors.length === 1 && c.lab.vrrp.unicast)!
    const soloConf = files[`ok-${lone.id}-${lone.lab.directors[0]!.name}.conf`]!
    const broken: Record<string, string> = {
      'bad-empty-unicast-peer.conf': soloConf.replace(
        /^( {4}advert_int .*)$/m,
        `$1\n    unicast_src_ip ${lone.lab.directors[0]!.ip}\n    unicast_peer {\n    }`,
      ),
      'bad-strict-advert-41.conf': files[Object.keys(files).find((f) => f.includes('-strict-adv40-'))!]!.replace(
        /^( {4}advert_int) 40$/m,
        '$1 41',
      ),
      'bad-unknown-keyword.conf': soloConf.replace(/^( {4}delay_loop .*)$/m, '$1\n    no_such_keyword 1'),
      // VRRP 2 with a fraction of a second, which keepalived rounds (and meaning.ts refuses)
      'bad-v2-fractional-advert.conf': files[Object.keys(files).find((f) => f.includes('-nopreempt-lvs1'))!]!.replace(
        /^( {4}advert_int) 1$/m,
        '$1 0.5',
      ),
    }
    for (const [name, conf] of Object.entries(broken)) expect(conf, name).not.toBe(soloConf)

    const verdicts = await keepalivedTest(image, {...files, ...broken})
    expect(verdicts.map((v) => v.file).sort()).toEqual(Object.keys({...files, ...broken}).sort())
    const ok = verdicts.filter((v) => v.file.startsWith('ok-'))
    const failed = ok
      .filter((v) => v.exitCode !== 0)
      .map((v) => `${v.file}: exit ${v.exitCode}: ${v.output.trim().split('\n').join(' | ')}`)
    console.log(
      `keepalived ${keepalivedVersionText(version)} -t: ${ok.length} configs of ${cases.length} labs tested, ${failed.length} refused; ${verdicts.length - ok.length} broken on purpose`,
    )
    expect(failed).toEqual([])
    // warnings are findings too: keepalived -t prints nothing for a clean file
    expect(ok.filter((v) => v.output.trim() !== '').map((v) => `${v.file}: ${v.output.trim()}`)).toEqual([])

    const bad = Object.fromEntries(verdicts.filter((v) => v.file.startsWith('bad-')).map((v) => [v.file, v]))
    expect(bad['bad-empty-unicast-peer.conf']).toMatchObject({exitCode: 5, output: expect.stringContaining('without any unicast peers')})
    expect(bad['bad-strict-advert-41.conf']).toMatchObject({
      exitCode: 5,
      output: expect.stringContaining('advertisement interval 41.00s is out of range'),
    })
    expect(bad['bad-unknown-keyword.conf']).toMatchObject({
      exitCode: 5,
      output: expect.stringContaining("Unknown keyword 'no_such_keyword'"),
    })
    expect(bad['bad-v2-fractional-advert.conf']).toMatchObject({
      exitCode: 5,
      output: expect.stringContaining('must be an integer'),
    })
  })
})
