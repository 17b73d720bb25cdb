import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {bounds} from '../../src/plan/plan.js'
import {describe, expect, it} from 'vitest'
import {loadLab, parseLab} from '../../src/lab/load.js'
import {errorLines} from '../helpers/lab.js'

describe('the classic defaults', () => {
  it('an empty file is the classic lab', () => {
    const lab = parseLab('')
    expect(lab.name).toBe('classic')
    expect(lab.network).toEqual({name: 'lvs_dr', subnet: '172.20.0.0/16', internal: false})
    expect(lab.vip).toBe('172.20.1.100')
    expect(lab.directors).toEqual([
      {name: 'lvs1', ip: '172.20.1.1', state: 'MASTER', priority: 100},
      {name: 'lvs2', ip: '172.20.1.2', state: 'BACKUP', priority: 50},
    ])
    expect(lab.real_servers).toEqual([
      {name: 'rs1', ip: '172.20.1.10', weight: 1},
      {name: 'rs2', ip: '172.20.1.11', weight: 1},
    ])
    expect(lab.vrrp).toMatchObject({virtual_router_id: 51, advert_int: 1, auth_type: 'PASS', strict: false, unicast: false})
    expect(lab.vrrp.auth_pass).toBeUndefined()
    expect(lab.virtual_server).toMatchObject({port: 80, scheduler: 'rr', forwarding: 'DR', health_check: {path: '/', status_code: 200}})
    expect(lab.gateway).toBe('172.20.0.1')
    expect(lab.notify).toBeUndefined()
  })

  it('without --file and without ./lvslab.yaml, loadLab gives the classic lab', () => {
    const cwd = process.cwd()
    process.chdir(mkdtempSync(join(tmpdir(), 'lvslab-')))
    try {
      expect(loadLab().name).toBe('classic')
    } finally {
      process.chdir(cwd)
    }
  })

  it('derives MASTER from the highest priority when no state is given', () => {
    const lab = parseLab('directors:\n  - {name: a, ip: 172.20.1.1, priority: 10}\n  - {name: b, ip: 172.20.1.2, priority: 90}\n')
    expect(lab.directors.map((d) => d.state)).toEqual(['BACKUP', 'MASTER'])
  })

  it('an internal network switches VRRP to unicast', () => {
    expect(parseLab('network: {internal: true}').vrrp.unicast).toBe(true)
  })
})

const good: [string, string][] = [
  [
    'three weighted real servers, wrr',
    'virtual_server: {scheduler: wrr}\nreal_servers:\n  - {name: rs1, ip: 172.20.1.10, weight: 3}\n  - {name: rs2, ip: 172.20.1.11, weight: 2}\n  - {name: rs3, ip: 172.20.1.12}\n',
  ],
  [
    'a second lab beside the classic one',
    'name: lab2\nnetwork: {name: lvs_dr2, subnet: 172.21.0.0/16}\nvip: 172.21.1.100\nvrrp: {virtual_router_id: 52}\ndirectors:\n  - {name: lvs1, ip: 172.21.1.1, state: MASTER, priority: 100}\n  - {name: lvs2, ip: 172.21.1.2, state: BACKUP, priority: 50}\nreal_servers:\n  - {name: rs1, ip: 172.21.1.10}\n  - {name: rs2, ip: 172.21.1.11}\n',
  ],
  ['each scheduler', 'virtual_server: {scheduler: sh}'],
  ['one real server', 'real_servers: [{name: only, ip: 172.20.1.50}]'],
  ['notification asked for', 'notify: {smtp_server: 172.20.1.200, email: [ops@example.org], email_from: lvs@example.org}'],
  ['strict VRRP without authentication', 'vrrp: {strict: true, auth_type: NONE}'],
  ['strict VRRP, authentication left out (VRRP 3 has none)', 'vrrp: {strict: true}'],
  ['VRRP 3 with a sub-second advert interval and nopreempt', 'vrrp: {version: 3, advert_int: 0.2, nopreempt: true}'],
  ['a preemption delay', 'vrrp: {preempt_delay: 30}'],
  ['a numeric password written as it reads', 'vrrp: {auth_pass: 1111}'],
  ['a health-check path with percent escapes', 'virtual_server: {health_check: {path: "/health%2Dcheck/st%61tus?x=%zz"}}'],
  ['strict VRRP at its longest advert_int', 'vrrp: {strict: true, auth_type: NONE, advert_int: 40}'],
  ['a single director on an internal network', 'network: {internal: true}\ndirectors: [{name: lvs1, ip: 172.20.1.1}]'],
  [
    'timers',
    'vrrp: {advert_int: 2}\nvirtual_server: {health_check: {delay_loop: 10, connect_timeout: 2, retry: 1, delay_before_retry: 1, path: /health?x=1}}',
  ],
]

describe('good lab files', () => {
  it.each(good)('%s', (_name, text) => {
    expect(() => parseLab(text)).not.toThrow()
  })
})

/** [what, lab file, a text every line of the error must name] */
const bad: [string, string, string][] = [
  ['YAML syntax error', 'name: [classic', 'line'],
  ['a list at the top level', '- a\n- b\n', 'top level'],
  ['unknown top-level key', 'nmae: x', 'nmae'],
  ['unknown key in a director', 'directors: [{name: lvs1, ip: 172.20.1.1, prio: 5}]', 'prio'],
  ['wrong type: vip is a number', 'vip: 12', 'vip'],
  ['wrong type: directors is a mapping', 'directors: {name: lvs1}', 'directors'],
  ['not an address', 'vip: 172.20.1.300', 'vip'],
  ['not a subnet', 'network: {subnet: 172.20.0.0}', 'network.subnet'],
  ['subnet with host bits', 'network: {subnet: 172.20.0.1/16}', 'network.subnet'],
  ['subnet too small', 'network: {subnet: 172.20.1.0/30}', 'network.subnet'],
  ['VIP outside the subnet', 'vip: 10.0.0.100', 'vip'],
  ['director outside the subnet', 'directors: [{name: lvs1, ip: 10.0.0.1, state: MASTER, priority: 100}]', 'directors[0].ip'],
  ['real server outside the subnet', 'real_servers: [{name: rs1, ip: 192.168.1.10}]', 'real_servers[0].ip'],
  ['duplicate addresses', 'real_servers: [{name: rs1, ip: 172.20.1.10}, {name: rs2, ip: 172.20.1.10}]', 'real_servers[1].ip'],
  ['the VIP equal to a node', 'vip: 172.20.1.10', '172.20.1.10'],
  ['a node on the gateway', 'real_servers: [{name: rs1, ip: 172.20.0.1}]', 'real_servers[0].ip'],
  ['a node on the broadcast address', 'real_servers: [{name: rs1, ip: 172.20.255.255}]', 'real_servers[0].ip'],
  ['VRID 0', 'vrrp: {virtual_router_id: 0}', 'vrrp.virtual_router_id'],
  ['VRID 256', 'vrrp: {virtual_router_id: 256}', 'vrrp.virtual_router_id'],
  ['priority 255', 'directors: [{name: lvs1, ip: 172.20.1.1, priority: 255}]', 'directors[0].priority'],
  ['priority 0', 'directors: [{name: lvs1, ip: 172.20.1.1, priority: 0}]', 'directors[0].priority'],
  [
    'a MASTER without the highest priority',
    'directors: [{name: lvs1, ip: 172.20.1.1, state: MASTER, priority: 50}, {name: lvs2, ip: 172.20.1.2, state: BACKUP, priority: 100}]',
    'directors[0].priority',
  ],
  [
    'two MASTERs',
    'directors: [{name: lvs1, ip: 172.20.1.1, state: MASTER, priority: 100}, {name: lvs2, ip: 172.20.1.2, state: MASTER, priority: 50}]',
    'directors',
  ],
  [
    'equal priorities',
    'directors: [{name: lvs1, ip: 172.20.1.1, priority: 100}, {name: lvs2, ip: 172.20.1.2, priority: 100}]',
    'directors[1].priority',
  ],
  ['a node name that is not a DNS label', 'real_servers: [{name: RS_1, ip: 172.20.1.10}]', 'real_servers[0].name'],
  ['a lab name that is not a DNS label', 'name: "my lab"', 'name'],
  ['duplicate node names', 'real_servers: [{name: lvs1, ip: 172.20.1.10}]', 'real_servers[0].name'],
  ['no real server', 'real_servers: []', 'real_servers'],
  [
    '33 real servers',
    `real_servers:\n${Array.from({length: 33}, (_, i) => `  - {name: rs${i}, ip: 172.20.2.${i + 1}}`).join('\n')}`,
    'real_servers',
  ],
  ['unknown scheduler', 'virtual_server: {scheduler: fair}', 'virtual_server.scheduler'],
  ['NAT forwarding', 'virtual_server: {forwarding: NAT}', 'virtual_server.forwarding'],
  ['weight 0', 'real_servers: [{name: rs1, ip: 172.20.1.10, weight: 0}]', 'real_servers[0].weight'],
  ['fractional weight', 'real_servers: [{name: rs1, ip: 172.20.1.10, weight: 1.5}]', 'real_servers[0].weight'],
  ['delay_loop shorter than connect_timeout', 'virtual_server: {health_check: {delay_loop: 2, connect_timeout: 5}}', 'delay_loop'],
  [
    'a health check path that would inject configuration',
    'virtual_server: {health_check: {path: "/ }\\n}\\nvirtual_server 1.2.3.4 80 {"}}',
    'virtual_server.health_check.path',
  ],
  ['a password that would inject configuration', 'vrrp: {auth_pass: "a}\\nb"}', 'vrrp.auth_pass'],
  ['a password longer than 8 characters', 'vrrp: {auth_pass: "123456789"}', 'vrrp.auth_pass'],
  ['an image reference with a shell character', 'image: "lvslab/lab:latest;rm"', 'image'],
  ['a network name that would inject', 'network: {name: "lvs dr"}', 'network.name'],
  ['strict VRRP with authentication', 'vrrp: {strict: true, auth_type: PASS}', 'vrrp.strict'],
  ['VRRP 3 with authentication', 'vrrp: {version: 3, auth_type: PASS}', 'vrrp.auth_type'],
  ['strict VRRP on an internal network', 'vrrp: {strict: true, auth_type: NONE}\nnetwork: {internal: true}', 'vrrp.strict'],
  ['an SMTP server that is a name', 'notify: {smtp_server: mail.example.org, email: [a@b.c], email_from: a@b.c}', 'notify.smtp_server'],
  ['notify without recipients', 'notify: {smtp_server: 172.20.1.200, email_from: a@b.c}', 'notify.email'],
  ['a boolean as a string', 'network: {internal: "yes"}', 'network.internal'],
  ['a duplicate key', 'vip: 172.20.1.100\nvip: 172.20.1.101', 'line'],
  ['a port the real servers do not listen on', 'virtual_server: {port: 8080}', 'virtual_server.port'],
  ['a status the page never answers', 'virtual_server: {health_check: {status_code: 204}}', 'virtual_server.health_check.status_code'],
  [
    'a health-check path out of the document root',
    'virtual_server: {health_check: {path: /../../etc/passwd}}',
    'virtual_server.health_check.path',
  ],
  ['a node named like the probe container', 'real_servers: [{name: client, ip: 172.20.1.10}]', 'real_servers[0].name'],
]

describe('bad lab files: one line each, naming the field and the fix', () => {
  it.each(bad)('%s', (_what, text, names) => {
    const lines = errorLines(text)
    expect(lines.length).toBeGreaterThan(0)
    expect(lines.some((l) => l.includes(names))).toBe(true)
    for (const line of lines) {
      expect(line).not.toContain('\n')
      expect(line).toMatch(/\(fix: .+\)$/)
      expect(line.startsWith('lab.yaml: ')).toBe(true)
    }
  })

  it('binary garbage', () => {
    const lines = errorLines(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0xff, 0xfe]))
    expect(lines[0]).toMatch(/not a text file.*fix:/)
  })

  it('a 10 MB file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvslab-'))
    const file = join(dir, 'big.yaml')
    writeFileSync(file, `name: classic\n# ${'x'.repeat(10 * 1024 * 1024)}\n`)
    expect(() => loadLab(file)).toThrow(/larger than any lab file.*fix:/)
  })

  it('a file that does not exist', () => {
    expect(() => loadLab('/nonexistent/lab.yaml')).toThrow(/--file \/nonexistent\/lab.yaml: no such file \(fix: /)
  })

  it('a folder instead of a file', () => {
    expect(() => loadLab(tmpdir())).toThrow(/not a regular file \(fix: /)
  })
})

describe('the examples', () => {
  it.each(['classic.yaml', 'weighted.yaml', 'lab2.yaml', 'fast.yaml'])('examples/%s is valid', (name) => {
    expect(() => loadLab(join(import.meta.dirname, '..', '..', 'examples', name))).not.toThrow()
  })

  it('examples/classic.yaml is exactly the defaults', () => {
    const fromFile = loadLab(join(import.meta.dirname, '..', '..', 'examples', 'classic.yaml'))
    const defaults = parseLab('')
    expect({...fromFile, source: undefined}).toEqual({...defaults, source: undefined})
  })

  it('fast.yaml: VRRP 3 at 0.1 s, so its BACKUP takes over after 0.38 s of silence (RFC 5798 section 6.1)', () => {
    const fast = loadLab(join(import.meta.dirname, '..', '..', 'examples', 'fast.yaml'))
    expect(fast.vrrp).toMatchObject({version: 3, advert_int: 0.1, auth_type: 'NONE'})
    expect(bounds(fast).failover).toBeCloseTo(0.3 + (206 / 256) * 0.1, 6)
    expect(bounds(fast).eviction).toBe(4)
  })

  it('lab2 can live beside the classic lab: other name, subnet and VRID', () => {
    const a = parseLab('')
    const b = loadLab(join(import.meta.dirname, '..', '..', 'examples', 'lab2.yaml'))
    expect(b.name).not.toBe(a.name)
    expect(b.network.subnet).not.toBe(a.network.subnet)
    expect(b.vrrp.virtual_router_id).not.toBe(a.vrrp.virtual_router_id)
  })
})

/**
 * Text fields: every z.string of the schema holds exactly what the user wrote. A plain scalar that
 * YAML reads as a number, a boolean or null is refused in one line, showing the written text, unless
 * it prints exactly as written.
 */
