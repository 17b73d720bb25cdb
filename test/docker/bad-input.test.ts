// Bad input on the real engine: every case exits 2 with one line per problem that names the field
// or flag and the fix, prints no stack, and creates nothing (the engine's resources are listed
// before and after).
import {mkdtempSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {engineResources} from '../helpers/engine.js'
import {beforeAll, describe, expect, it} from 'vitest'

const dir = mkdtempSync('/tmp/lvslab-bad-')
const file = (name: string, content: string | Buffer) => {
  const p = join(dir, name)
  writeFileSync(p, content)
  return p
}

const cases: [string, string[]][] = [
  ['YAML syntax error', ['up', '--file', file('syntax.yaml', 'name: [x')]],
  ['unknown key', ['up', '--file', file('unknown.yaml', 'nmae: x')]],
  ['wrong type', ['up', '--file', file('type.yaml', 'vip: [1, 2]')]],
  ['VIP outside the subnet', ['up', '--file', file('vip.yaml', 'vip: 10.1.1.1')]],
  ['duplicate addresses', ['up', '--file', file('dup.yaml', 'real_servers: [{name: a, ip: 172.20.1.10}, {name: b, ip: 172.20.1.10}]')]],
  ['VRID out of range', ['up', '--file', file('vrid.yaml', 'vrrp: {virtual_router_id: 300}')]],
  [
    'MASTER without the highest priority',
    [
      'up',
      '--file',
      file('prio.yaml', 'directors: [{name: a, ip: 172.20.1.1, state: MASTER, priority: 10}, {name: b, ip: 172.20.1.2, priority: 20}]'),
    ],
  ],
  ['a name that is not a DNS label', ['up', '--file', file('name.yaml', 'name: Bad_Name')]],
  ['impossible timers', ['up', '--file', file('timers.yaml', 'virtual_server: {health_check: {delay_loop: 1, connect_timeout: 5}}')]],
  [
    'an injecting health-check path',
    ['up', '--file', file('inject.yaml', 'virtual_server: {health_check: {path: "/\\"\\n}\\nvirtual_server 1.1.1.1 80 {"}}')],
  ],
  ['binary garbage', ['up', '--file', file('garbage.yaml', Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0x7f]))]],
  ['a 10 MB file', ['up', '--file', file('big.yaml', `# ${'x'.repeat(10 * 1024 * 1024)}\n`)]],
  ['a file that does not exist', ['up', '--file', join(dir, 'nope.yaml')]],
  ['a folder as the lab file', ['verify', '--file', dir]],
  ['bad file for status', ['status', '--file', file('status.yaml', 'vip: 300.1.1.1')]],
  ['bad file for chaos', ['chaos', 'all', '--file', file('chaos.yaml', 'directors: []')]],
  ['an unknown flag', ['up', '--bogus']],
  ['a flag value out of its options', ['up', '--from', 'nowhere']],
  ['a number out of range', ['verify', '--requests', '0']],
  ['a prober rate below 20 Hz', ['chaos', 'kill-master', '--rate', '5']],
  ['conflicting flags', ['down', '--name', 'x', '--file', 'y']],
  ['a lab name that is not a DNS label', ['down', '--name', 'Not A Name']],
  ['a missing required flag', ['image', 'import']],
  ['a rootfs that does not exist', ['image', 'import', '--rootfs', join(dir, 'no-rootfs')]],
  ['a rootfs without the lab programs', ['image', 'import', '--rootfs', dir]],
  ['centos7 without --mirror', ['image', 'build', '--base', 'centos7']],
  ['a mirror that is not a URL', ['image', 'build', '--base', 'centos7', '--mirror', 'ftp://x y']],
  ['an unknown base', ['image', 'build', '--base', 'arch']],
  ['a bad keepalived version', ['render', '--keepalived-version', 'latest']],
  ['an unknown real server for rs-down', ['chaos', 'rs-down', 'rs9']],
  ['an unknown director for director-down', ['chaos', 'director-down', 'lvs9']],
  ['a top level that is a list', ['up', '--file', file('list.yaml', '- a\n- b\n')]],
  ['a subnet with host bits', ['up', '--file', file('hostbits.yaml', 'network: {subnet: 172.20.0.1/16}')]],
  ['the VIP equal to a node', ['up', '--file', file('vipnode.yaml', 'vip: 172.20.1.1')]],
  ['a node on the gateway address', ['up', '--file', file('gw.yaml', 'real_servers: [{name: rs1, ip: 172.20.0.1}]')]],
  ['a priority of 255', ['up', '--file', file('p255.yaml', 'directors: [{name: lvs1, ip: 172.20.1.1, priority: 255}]')]],
  [
    'two MASTERs',
    [
      'up',
      '--file',
      file(
        'masters.yaml',
        'directors: [{name: a, ip: 172.20.1.1, state: MASTER, priority: 100}, {name: b, ip: 172.20.1.2, state: MASTER, priority: 50}]',
      ),
    ],
  ],
  ['an unknown scheduler', ['up', '--file', file('sched.yaml', 'virtual_server: {scheduler: fair}')]],
  ['an injecting password', ['up', '--file', file('pass.yaml', 'vrrp: {auth_pass: "x}\\ny"}')]],
  ['an injecting image reference', ['up', '--file', file('image.yaml', 'image: "x; rm -rf /"')]],
  [
    'an injecting e-mail address',
    ['up', '--file', file('mail.yaml', 'notify: {smtp_server: 172.20.1.200, email: ["a@b.c\\n}"], email_from: a@b.c}')],
  ],
  ['strict VRRP with a password', ['up', '--file', file('strict.yaml', 'vrrp: {strict: true, auth_type: PASS}')]],
  ['a duplicate key', ['up', '--file', file('dupkey.yaml', 'vip: 172.20.1.100\nvip: 172.20.1.101\n')]],
  ['an unknown flag on down', ['down', '--all-labs']],
  ['json and a bad file together', ['verify', '--json', '--file', file('json.yaml', 'name: 05')]],
]

describe('bad input: exit 2, one line per problem with its fix, no stack, nothing created', () => {
  let before: string
  beforeAll(async () => {
    before = await engineResources()
  })

  it.each(cases)('%s', async (_what, args) => {
    const r = await execa('node', ['bin/run.js', ...args], {reject: false, env: {CI: 'true', NODE_ENV: 'production'}})
    expect(r.exitCode).toBe(2)
    // with --json the lines come as JSON on stdout
    const lines = args.includes('--json')
      ? JSON.parse(r.stdout).error.lines.map((l: string) => `lvslab: ${l}`)
      : r.stderr.split('\n').filter(Boolean)
    expect(lines.length).toBeGreaterThan(0)
    for (const line of lines) {
      expect(line).toMatch(/^lvslab: .+ \(fix: .+\)$/)
      expect(line).not.toMatch(/^\s+at /)
    }
    expect(await engineResources()).toBe(before)
  })
})
