import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {InputError} from '../../src/errors.js'
import {loadLab, parseLab} from '../../src/lab/load.js'

function errorLines(text: string | Buffer): string[] {
  try {
    parseLab(text, 'lab.yaml')
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return (error as InputError).lines
  }
  throw new Error('expected the lab file to be refused')
}

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
  ['strict VRRP with authentication', 'vrrp: {strict: true}', 'vrrp.strict'],
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
  it.each(['classic.yaml', 'weighted.yaml', 'lab2.yaml'])('examples/%s is valid', (name) => {
    expect(() => loadLab(join(import.meta.dirname, '..', '..', 'examples', name))).not.toThrow()
  })

  it('examples/classic.yaml is exactly the defaults', () => {
    const fromFile = loadLab(join(import.meta.dirname, '..', '..', 'examples', 'classic.yaml'))
    const defaults = parseLab('')
    expect({...fromFile, source: undefined}).toEqual({...defaults, source: undefined})
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
describe('text fields hold what the user wrote', () => {
  it('the refusal that named the fault, word for word', () => {
    expect(errorLines('vrrp: {auth_pass: 00001111}')).toEqual([
      'lab.yaml: vrrp.auth_pass: YAML reads 00001111 as the number 1111, not as the text written (fix: quote it: auth_pass: "00001111")',
    ])
  })

  /** [field, lab file, the written text, what YAML made of it] for every text field of the schema */
  const converted: [string, string, string, string][] = [
    ['name', 'name: 0123', '0123', 'the number 123'],
    ['image', 'image: 1e3', '1e3', 'the number 1000'],
    ['network.name', 'network: {name: 0x1F}', '0x1F', 'the number 31'],
    ['network.subnet', 'network: {subnet: 1.50}', '1.50', 'the number 1.5'],
    ['vip', 'vip: 010', '010', 'the number 10'],
    ['vrrp.instance', 'vrrp: {instance: 007}', '007', 'the number 7'],
    ['vrrp.auth_pass', 'vrrp: {auth_pass: +1234}', '+1234', 'the number 1234'],
    ['vrrp.auth_pass', 'vrrp: {auth_pass: 1.0}', '1.0', 'the number 1'],
    ['vrrp.auth_pass', 'vrrp: {auth_pass: TRUE}', 'TRUE', 'the boolean true'],
    ['vrrp.auth_pass', 'vrrp: {auth_pass: ~}', '~', 'null'],
    ['vrrp.auth_pass', 'vrrp: {auth_pass: null}', 'null', 'null'],
    ['directors[0].name', 'directors: [{name: 01, ip: 172.20.1.1}]', '01', 'the number 1'],
    ['directors[0].ip', 'directors: [{name: lvs1, ip: 0o17}]', '0o17', 'the number 15'],
    ['real_servers[1].name', 'real_servers: [{name: rs1, ip: 172.20.1.10}, {name: True, ip: 172.20.1.11}]', 'True', 'the boolean true'],
    ['real_servers[0].ip', 'real_servers: [{name: rs1, ip: 1_0}]', '1_0', ''],
    ['virtual_server.health_check.path', 'virtual_server: {health_check: {path: .NaN}}', '.NaN', 'the number NaN'],
    ['notify.smtp_server', 'notify: {smtp_server: 0012, email: [a@b.c], email_from: a@b.c}', '0012', 'the number 12'],
    ['notify.email[0]', 'notify: {smtp_server: 172.20.1.200, email: [1e5], email_from: a@b.c}', '1e5', 'the number 100000'],
    ['notify.email_from', 'notify: {smtp_server: 172.20.1.200, email: [a@b.c], email_from: .inf}', '.inf', 'the number Infinity'],
  ]
  it.each(converted.filter(([, , , what]) => what !== ''))('%s: %s is refused, showing what was written', (field, text, written, what) => {
    const lines = errorLines(text)
    expect(lines).toHaveLength(1)
    const key = /(\w+)(\[\d+\])?$/.exec(field)![1]!
    const quoted = field.endsWith(']') ? JSON.stringify(written) : `${key}: ${JSON.stringify(written)}`
    expect(lines[0]).toBe(`lab.yaml: ${field}: YAML reads ${written} as ${what}, not as the text written (fix: quote it: ${quoted})`)
  })

  it('a YAML 1.1 spelling YAML 1.2 reads as text stays text (1_0 is not an address)', () => {
    expect(errorLines('real_servers: [{name: rs1, ip: 1_0}]')).toEqual([
      'lab.yaml: real_servers[0].ip: "1_0" is not an IPv4 address (fix: write a dotted address such as 172.20.1.10)',
    ])
  })

  it('an empty value is refused as null', () => {
    expect(errorLines('vrrp: {auth_pass: }')).toEqual([
      'lab.yaml: vrrp.auth_pass: YAML reads the empty value as null, not as text (fix: write the text after "auth_pass:", in quotes)',
    ])
    expect(errorLines('directors:\n  - name:\n    ip: 172.20.1.1\n')).toEqual([
      'lab.yaml: directors[0].name: YAML reads the empty value as null, not as text (fix: write the text after "name:", in quotes)',
    ])
  })

  it("an explicit tag is named, and an alias shows its anchor's text", () => {
    expect(errorLines('name: !!int 12')).toEqual([
      'lab.yaml: name: YAML reads the value, tagged tag:yaml.org,2002:int, as the number 12, not as text (fix: write it as quoted text, without the tag)',
    ])
    expect(errorLines('vrrp: {auth_pass: &p 0011, instance: *p}')).toEqual([
      'lab.yaml: vrrp.instance: YAML reads 0011 as the number 11, not as the text written (fix: quote it: instance: "0011")',
      'lab.yaml: vrrp.auth_pass: YAML reads 0011 as the number 11, not as the text written (fix: quote it: auth_pass: "0011")',
    ])
  })

  it('quoted, the same text is taken as written', () => {
    const lab = parseLab('name: "0123"\nimage: "lvslab/lab:1e3"\nvrrp: {auth_pass: "00001111", instance: "007"}\nnetwork: {name: "0x1F"}')
    expect(lab.vrrp.auth_pass).toBe('00001111')
    expect(lab.vrrp.instance).toBe('007')
    expect(lab.name).toBe('0123')
    expect(lab.network.name).toBe('0x1F')
  })

  it('a number or boolean that prints exactly as written is that text', () => {
    expect(parseLab('vrrp: {auth_pass: 1111}').vrrp.auth_pass).toBe('1111')
    expect(parseLab('vrrp: {auth_pass: -5}').vrrp.auth_pass).toBe('-5')
    expect(parseLab('vrrp: {auth_pass: 1.5}').vrrp.auth_pass).toBe('1.5')
    expect(parseLab('vrrp: {auth_pass: true, instance: 12}').vrrp).toMatchObject({auth_pass: 'true', instance: '12'})
    expect(parseLab('name: 2024').name).toBe('2024')
  })

  it('then the text meets its own rule: 12 is text, and not an address', () => {
    expect(errorLines('vip: 12')).toEqual(['lab.yaml: vip: "12" is not an IPv4 address (fix: write a dotted address such as 172.20.1.10)'])
  })

  it('other messages show what YAML converted as it was written too', () => {
    expect(errorLines('real_servers: [{name: rs1, ip: 172.20.1.10, weight: 1.50}]')).toEqual([
      'lab.yaml: real_servers[0].weight: expected a whole number, got 1.50 (fix: write a whole number there)',
    ])
    expect(errorLines('directors: [{name: lvs1, ip: 172.20.1.1, state: 01}]')).toEqual([
      'lab.yaml: directors[0].state: 01 is not one of MASTER, BACKUP (fix: use one of MASTER, BACKUP)',
    ])
  })

  it('an object that did not come from YAML: a number is not text', async () => {
    const {validateLab} = await import('../../src/lab/load.js')
    expect(() => validateLab({vrrp: {auth_pass: 1111}}, 'api')).toThrow(
      /^api: vrrp\.auth_pass: expected text, got the number 1111 \(fix: write text there\)$/,
    )
  })
})

describe('the health-check path: one line for a path Apache maps to no plain file of the document root', () => {
  /** [what, path, a text the line must hold] */
  const refused: [string, string, string][] = [
    ['an invalid escape', '/a%zzb', '"%zz", which is not a percent escape'],
    ['an escape cut short', '/a%2', 'not a percent escape'],
    ['a bare "%"', '/100%', 'not a percent escape'],
    ['an encoded slash', '/a%2Fb', 'encodes "/" as %2F: Apache answers 404 for it (AllowEncodedSlashes Off'],
    ['an encoded slash, lowercase', '/a%2fb', 'encodes "/" as %2f'],
    ['an encoded NUL', '/a%00', 'a NUL character'],
    ['an encoded newline', '/a%0A', 'a control character'],
    ['an encoded DEL', '/a%7F', 'a control character'],
    ['an encoded backslash', '/a%5Cb', 'a backslash'],
    ['an encoded single quote', '/a%27b', '%27 ("\'")'],
    ['an encoded double quote', '/a%22b', '%22'],
    ['an encoded blank', '/a%20b', '%20'],
    ['an encoded dollar', '/a%24b', '%24'],
    ['an encoded backtick', '/a%60b', '%60'],
    ['an encoded brace', '/a%7Bb', '%7B'],
    ['UTF-8', '/caf%C3%A9', 'a byte outside ASCII'],
    ['a "." segment', '/./x', 'a "." segment'],
    ['a ".." segment', '/a/../b', 'climb out of the document root'],
    ['an encoded ".." segment', '/a/%2E%2e/b', 'a ".." segment'],
    ['a half-encoded ".." segment', '/.%2E/x', 'a ".." segment'],
    ['an empty segment', '/a//b', 'an empty segment'],
    ['a .ht file', '/.htaccess', 'starting ".ht"'],
    ['an encoded .ht file', '/x/%2Ehtpasswd', 'starting ".ht"'],
    ['the icons alias', '/icons/x.png', 'Alias /icons/'],
    ['the CGI alias', '/cgi-bin/x', 'ScriptAlias /cgi-bin/'],
    ['mod_status', '/server-status', 'server-status'],
    ['a welcome.conf alias', '/.noindex.html', 'welcome.conf'],
    ['index.html made a folder', '/index.html/x', "index.html, the document root's own page, a folder"],
  ]
  it.each(refused)('%s: %s', (_what, path, names) => {
    const lines = errorLines(`virtual_server: {health_check: {path: ${JSON.stringify(path)}}}`)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(`lab.yaml: virtual_server.health_check.path: ${JSON.stringify(path)} `)
    expect(lines[0]).toContain(names)
    expect(lines[0]).toMatch(/\(fix: .+\)$/)
  })

  it('the query is no part of the file: an escape there is not checked', () => {
    expect(parseLab('virtual_server: {health_check: {path: "/ok?x=%zz&y=%2F"}}').virtual_server.health_check.path).toBe('/ok?x=%zz&y=%2F')
  })
})

describe('timers keepalived refuses', () => {
  it('strict VRRP (version 3) allows advert_int up to 40 s', () => {
    expect(parseLab('vrrp: {strict: true, auth_type: NONE, advert_int: 40}').vrrp.advert_int).toBe(40)
    const lines = errorLines('vrrp: {strict: true, auth_type: NONE, advert_int: 41}')
    expect(lines).toEqual([
      'lab.yaml: vrrp.advert_int: 41 s is longer than VRRP version 3 allows (40.95 s), and strict VRRP uses version 3 (fix: use at most 40, or set vrrp.strict to false)',
    ])
    expect(parseLab('vrrp: {advert_int: 255}').vrrp.advert_int).toBe(255)
  })
})
