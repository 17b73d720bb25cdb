// What the renderer writes beyond the classic files: the real servers' pages and where Apache finds
// them, unicast VRRP towards peers, and keepalived.conf's header for each keepalived version.
import {describe, expect, it} from 'vitest'
import {parseLab} from '../../src/lab/load.js'
import {withAuthPass} from '../../src/lab/model.js'
import {renderKeepalivedConf} from '../../src/render/index.js'

const v1 = {major: 1, minor: 3, patch: 5, raw: 'v1.3.5'}

describe("the real servers' page", () => {
  it("lies at the document root and at the health check's path", async () => {
    const {pagePaths} = await import('../../src/render/index.js')
    expect(pagePaths(parseLab(''))).toEqual(['/var/www/html/index.html'])
    expect(pagePaths(parseLab('virtual_server: {health_check: {path: /healthz?full=1}}'))).toEqual([
      '/var/www/html/index.html',
      '/var/www/html/healthz',
    ])
    expect(pagePaths(parseLab('virtual_server: {health_check: {path: /check/}}'))).toEqual([
      '/var/www/html/index.html',
      '/var/www/html/check/index.html',
    ])
  })
})

describe('the health-check page lies where Apache maps its URL path', () => {
  const withPath = (path: string) => parseLab(`virtual_server: {health_check: {path: ${JSON.stringify(path)}}}`)

  it('percent-decoded per segment, the query dropped, index.html for a folder', async () => {
    const {pagePaths} = await import('../../src/render/index.js')
    expect(pagePaths(withPath('/health%2Dcheck'))).toEqual(['/var/www/html/index.html', '/var/www/html/health-check'])
    expect(pagePaths(withPath('/a%2Db/c%7ed/'))).toEqual(['/var/www/html/index.html', '/var/www/html/a-b/c~d/index.html'])
    expect(pagePaths(withPath('/st%61tus%3Aok?x=%zz'))).toEqual(['/var/www/html/index.html', '/var/www/html/status:ok'])
    expect(pagePaths(withPath('/a+b%2B'))).toEqual(['/var/www/html/index.html', '/var/www/html/a+b+'])
    expect(pagePaths(withPath('/%69ndex.html'))).toEqual(['/var/www/html/index.html'])
  })

  it('keepalived asks for the URL exactly as written', () => {
    const lab = withPath('/health%2Dcheck?full=1')
    expect(renderKeepalivedConf(lab, lab.directors[0]!)).toMatch(/^ {16}path \/health%2Dcheck\?full=1$/m)
  })

  it('every escape %00 to %FF is refused, or decodes to a safe character; no quote reaches the shell', async () => {
    const {pagePaths} = await import('../../src/render/index.js')
    const {PAGE_CHAR} = await import('../../src/lab/schema.js')
    let served = 0
    for (let b = 0; b < 256; b++) {
      const escape = `%${b.toString(16).padStart(2, '0').toUpperCase()}`
      let lab
      try {
        lab = withPath(`/x${escape}y`)
      } catch {
        expect(PAGE_CHAR.test(String.fromCharCode(b)) && b !== 0x2f).toBe(false)
        continue
      }
      const file = pagePaths(lab)[1]!
      expect(file).toBe(`/var/www/html/x${String.fromCharCode(b)}y`)
      expect(PAGE_CHAR.test(String.fromCharCode(b))).toBe(true)
      expect(file).not.toMatch(/['"`$\\\s]/)
      served++
    }
    // letters, digits and ._~-+:@,;=&
    expect(served).toBe(26 * 2 + 10 + 11)
  })

  it("documentFileOf refuses what the lab file's own pattern already keeps out, should it get there", async () => {
    const {documentFileOf} = await import('../../src/lab/schema.js')
    expect(documentFileOf('/a\\b')).toMatchObject({ok: false, problem: expect.stringContaining('a backslash')})
    expect(documentFileOf("/a'b")).toMatchObject({ok: false, problem: expect.stringContaining('must not hold')})
    expect(documentFileOf('/a\nb')).toMatchObject({ok: false, problem: expect.stringContaining('control character')})
    expect(documentFileOf('/café')).toMatchObject({ok: false, problem: expect.stringContaining('outside ASCII')})
    expect(documentFileOf('health')).toMatchObject({ok: false, problem: 'does not start with "/"'})
    expect(documentFileOf('/')).toEqual({ok: true, file: 'index.html'})
  })

  it('pagePaths throws for a path it cannot place (a lab that skipped validation)', async () => {
    const {pagePaths} = await import('../../src/render/index.js')
    const lab = parseLab('')
    const bad = {
      ...lab,
      virtual_server: {...lab.virtual_server, health_check: {...lab.virtual_server.health_check, path: "/a%27;rm -rf /'"}},
    }
    expect(() => pagePaths(bad)).toThrow(/virtual_server.health_check.path .* has %27/)
  })
})

describe('unicast VRRP only towards peers', () => {
  it.each([
    ['an internal network', 'network: {internal: true}\ndirectors: [{name: lvs1, ip: 172.20.1.1}]'],
    ['unicast asked for', 'vrrp: {unicast: true}\ndirectors: [{name: lvs1, ip: 172.20.1.1}]'],
  ])('a single director on %s renders no unicast keyword (keepalived refuses them without a peer)', (_what, text) => {
    const lab = parseLab(text)
    expect(lab.vrrp.unicast).toBe(true)
    const conf = renderKeepalivedConf(lab, lab.directors[0]!)
    expect(conf).not.toMatch(/unicast/)
    expect(conf).toMatch(/^ {4}state MASTER$/m)
  })

  it('eight directors on an internal network: each names the seven others', () => {
    const lab = parseLab(
      `network: {internal: true}\ndirectors:\n${Array.from({length: 8}, (_, i) => `  - {name: lvs${i + 1}, ip: 172.20.1.${i + 1}}`).join('\n')}`,
    )
    for (const d of lab.directors) {
      const conf = renderKeepalivedConf(lab, d)
      expect(conf).toContain(`unicast_src_ip ${d.ip}\n`)
      const peers = /unicast_peer \{\n([^}]*)\}/.exec(conf)![1]!.trim().split(/\s+/)
      expect(peers).toEqual(lab.directors.filter((e) => e !== d).map((e) => e.ip))
    }
  })
})

describe("the keepalived version in keepalived.conf's header", () => {
  it('is major.minor.patch, not the raw --version line', async () => {
    const {parseKeepalivedVersion} = await import('../../src/parse/keepalived.js')
    const lab = withAuthPass(parseLab(''), '1111')
    const v = parseKeepalivedVersion(
      'Keepalived v2.2.8 (04/04,2023), git commit v2.2.7-154-g292b299e+\n\nCopyright(C) 2001-2023 Alexandre Cassen\n',
    )
    const conf = renderKeepalivedConf(lab, lab.directors[0]!, v)
    expect(conf.split('\n')[1]).toBe('! keepalived 2.2.8 syntax. Do not edit here: change the lab file and run `lvslab up` again.')
    expect(renderKeepalivedConf(lab, lab.directors[0]!, v1).split('\n')[1]).toMatch(/^! keepalived 1\.3\.5 syntax\. /)
    for (const [line, text] of [
      ['Keepalived v2.2.7 (01/16,2022)', '2.2.7'],
      ['Keepalived v2.3.3 (03/30,2025)', '2.3.3'],
      ['Keepalived v1.3.5 (03/19,2017), git commit v1.3.5-6-g6fa32f2', '1.3.5'],
    ]) {
      expect(renderKeepalivedConf(lab, lab.directors[1]!, parseKeepalivedVersion(line!)).split('\n')[1]).toMatch(
        new RegExp(`^! keepalived ${text!.replaceAll('.', '\\.')} syntax\\. Do not edit`),
      )
    }
    expect(renderKeepalivedConf(lab, lab.directors[0]!).split('\n')[1]).toMatch(/^! keepalived 2\.2\.7 syntax\. /)
  })
})
