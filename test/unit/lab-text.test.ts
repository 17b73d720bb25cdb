// Lab files refused one line each: text fields kept as the user wrote them (no YAML number or
// anchor games), the health-check path Apache must map to a plain file, timers keepalived refuses.
import {describe, expect, it} from 'vitest'
import {parseLab} from '../../src/lab/load.js'
import {errorLines} from '../helpers/lab.js'

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
  it('strict VRRP (version 3) allows advert_int up to 40.95 s', () => {
    expect(parseLab('vrrp: {strict: true, auth_type: NONE, advert_int: 40.95}').vrrp.advert_int).toBe(40.95)
    const lines = errorLines('vrrp: {strict: true, auth_type: NONE, advert_int: 41}')
    expect(lines).toEqual([
      'lab.yaml: vrrp.advert_int: 41 s is longer than VRRP version 3 allows (40.95 s), and strict VRRP uses version 3 (fix: use at most 40.95, or set vrrp.strict to false)',
    ])
    expect(parseLab('vrrp: {advert_int: 255}').vrrp.advert_int).toBe(255)
  })

  it('VRRP 2 takes whole seconds 1-255, VRRP 3 steps of 0.01 s up to 40.95 s; each refusal one line with the fix', () => {
    expect(parseLab('vrrp: {version: 3, advert_int: 0.25}').vrrp).toMatchObject({version: 3, advert_int: 0.25})
    expect(parseLab('vrrp: {version: 3, advert_int: 0.01}').vrrp.advert_int).toBe(0.01)
    expect(parseLab('').vrrp.version).toBe(2)
    expect(parseLab('vrrp: {strict: true, auth_type: NONE}').vrrp.version).toBe(3)
    expect(errorLines('vrrp: {advert_int: 0.5}')).toEqual([
      'lab.yaml: vrrp.advert_int: 0.5 s is not a whole number of seconds, which VRRP version 2 needs (keepalived would round it) (fix: use whole seconds, or set vrrp.version to 3 for steps of 0.01 s)',
    ])
    expect(errorLines('vrrp: {version: 3, advert_int: 0.125}')).toEqual([
      'lab.yaml: vrrp.advert_int: 0.125 s is not in steps of 0.01 s, which VRRP version 3 needs (keepalived would round it) (fix: use at most two decimals, such as 0.25)',
    ])
    expect(errorLines('vrrp: {version: 3, advert_int: 50}')).toEqual([
      'lab.yaml: vrrp.advert_int: 50 s is longer than VRRP version 3 allows (40.95 s) (fix: use at most 40.95, or set vrrp.version to 2)',
    ])
    expect(errorLines('vrrp: {version: 4}')).toEqual(['lab.yaml: vrrp.version: 4 is not one of 2, 3 (fix: use one of 2, 3)'])
    expect(errorLines('vrrp: {version: "3"}')).toEqual(['lab.yaml: vrrp.version: "3" is not one of 2, 3 (fix: use one of 2, 3)'])
    expect(errorLines('vrrp: {advert_int: 0}')).toEqual([
      'lab.yaml: vrrp.advert_int: 0 is below the minimum 0.01 (fix: use a number of seconds from 0.01 to 255)',
    ])
    expect(errorLines('vrrp: {advert_int: fast}')).toEqual([
      'lab.yaml: vrrp.advert_int: expected a number, got "fast" (fix: write a number there)',
    ])
  })

  it('nopreempt and preempt_delay: not both, and no preempt_delay under strict VRRP', () => {
    expect(parseLab('vrrp: {preempt_delay: 30}').vrrp).toMatchObject({preempt_delay: 30, nopreempt: false})
    expect(errorLines('vrrp: {nopreempt: true, preempt_delay: 5}')).toEqual([
      'lab.yaml: vrrp.preempt_delay: 5 s has no meaning with nopreempt, which never takes the VIP back (keepalived resets it) (fix: remove preempt_delay, or set nopreempt to false)',
    ])
    expect(errorLines('vrrp: {strict: true, auth_type: NONE, preempt_delay: 5}')).toEqual([
      'lab.yaml: vrrp.preempt_delay: strict VRRP does not allow a preemption delay (keepalived resets it) (fix: remove preempt_delay, or set vrrp.strict to false)',
    ])
    expect(errorLines('vrrp: {preempt_delay: 1001}')).toEqual([
      'lab.yaml: vrrp.preempt_delay: 1001 is above the maximum 1000 (fix: use a whole number from 0 to 1000)',
    ])
  })
})
