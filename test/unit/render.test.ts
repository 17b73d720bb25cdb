import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {parseLab} from '../../src/lab/load.js'
import {withAuthPass} from '../../src/lab/model.js'
import {BASE_IMAGES, renderImageContext, renderKeepalivedConf, renderLabFiles} from '../../src/render/index.js'
import {buildImage} from '../../src/ops/image.js'
import type {Runtime} from '../../src/runtime/types.js'

const GOLDEN = join(import.meta.dirname, '..', 'golden', 'classic')
const v1 = {major: 1, minor: 3, patch: 5, raw: 'v1.3.5'}

describe('rendering the classic lab', () => {
  // the classic lab's password, as the classic sample had it (lvslab's default is a random one per lab)
  const lab = withAuthPass(parseLab(''), '1111')
  it.each(renderLabFiles(lab).map((f) => [`${f.node}${f.path}`, f] as const))('%s matches its golden file', (_name, f) => {
    expect(f.content).toBe(readFileSync(join(GOLDEN, f.node, f.path), 'utf8'))
  })

  it('has one virtual_server for the VIP:port holding every real server', () => {
    const conf = renderKeepalivedConf(lab, lab.directors[0]!)
    expect(conf.match(/^virtual_server /gm)).toHaveLength(1)
    expect(conf.match(/^\s+real_server /gm)).toHaveLength(2)
  })

  it('renders no SMTP, notification target or vrrp_strict by default', () => {
    for (const d of lab.directors) {
      const conf = renderKeepalivedConf(lab, d)
      expect(conf).not.toMatch(/smtp|notification_email|smtp_alert|vrrp_strict|notify/)
    }
  })

  it('uses retry for keepalived 2.x and nb_get_retry, lb_algo, lb_kind for 1.x', () => {
    const c2 = renderKeepalivedConf(lab, lab.directors[0]!)
    expect(c2).toMatch(/^\s+retry 3$/m)
    expect(c2).toMatch(/lvs_sched rr/)
    expect(c2).not.toMatch(/nb_get_retry/)
    const c1 = renderKeepalivedConf(lab, lab.directors[0]!, v1)
    expect(c1).toMatch(/^\s+nb_get_retry 3$/m)
    expect(c1).toMatch(/lb_algo rr/)
    expect(c1).toMatch(/lb_kind DR/)
  })
})

describe('rendering what the lab file asks for', () => {
  it('notification only when asked', () => {
    const lab = parseLab('notify: {smtp_server: 172.20.1.200, email: [ops@example.org], email_from: lvs@example.org}')
    const conf = renderKeepalivedConf(lab, lab.directors[0]!)
    expect(conf).toMatch(/smtp_server 172.20.1.200 25/)
    expect(conf).toMatch(/ops@example.org/)
    expect(conf).toMatch(/smtp_alert/)
  })

  it('vrrp_strict with accept, and no authentication', () => {
    const lab = parseLab('vrrp: {strict: true, auth_type: NONE}')
    const conf = renderKeepalivedConf(lab, lab.directors[0]!)
    expect(conf).toMatch(/^\s+vrrp_strict$/m)
    expect(conf).toMatch(/^\s+accept$/m)
    expect(conf).not.toMatch(/authentication/)
  })

  it('unicast peers on an internal network', () => {
    const lab = parseLab('network: {internal: true}')
    const conf = renderKeepalivedConf(lab, lab.directors[1]!)
    expect(conf).toMatch(/unicast_src_ip 172.20.1.2/)
    expect(conf).toMatch(/unicast_peer \{\s+172.20.1.1\s+\}/)
  })

  it('weights and schedulers', () => {
    const lab = parseLab(
      'virtual_server: {scheduler: wrr}\nreal_servers:\n  - {name: rs1, ip: 172.20.1.10, weight: 3}\n  - {name: rs2, ip: 172.20.1.11, weight: 2}\n  - {name: rs3, ip: 172.20.1.12}\n',
    )
    const conf = renderKeepalivedConf(lab, lab.directors[0]!)
    expect(conf).toMatch(/lvs_sched wrr/)
    expect([...conf.matchAll(/weight (\d+)/g)].map((m) => m[1])).toEqual(['3', '2', '1'])
  })

  it('the real server page says where it comes from', () => {
    const files = renderLabFiles(parseLab(''))
    expect(files.find((f) => f.node === 'rs2')?.content).toBe('from 172.20.1.11\n')
  })
})

// What each base installs, by the distribution's own package names (Rocky 9 and CentOS 7: BaseOS/AppStream
// and base; Debian 12: main): keepalived, ipvsadm, ip, ps/pkill, the web server and curl for the health page.
const PACKAGES = {
  rocky9: ['keepalived', 'ipvsadm', 'iproute', 'procps-ng', 'httpd', 'curl'],
  centos7: ['keepalived', 'ipvsadm', 'iproute', 'procps-ng', 'httpd', 'curl'],
  debian12: ['keepalived', 'ipvsadm', 'iproute2', 'procps', 'apache2', 'curl'],
}

describe('the lab image build contexts', () => {
  it.each(['rocky9', 'centos7', 'debian12'] as const)("%s: Dockerfile with the packages and lvslab's init as entrypoint", (base) => {
    const ctx = renderImageContext(base, {mirror: 'http://vault.invalid/centos'})
    expect(Object.keys(ctx)).toEqual(expect.arrayContaining(['Dockerfile', 'lvslab-init', 'lvslab-svc']))
    // the exact package names of each distribution's install line (a comment naming keepalived is not a package)
    const install = /(?:dnf|yum) -y install(?: --\S+)* ([^\\&\n]+)|apt-get install -y(?: --\S+)* ([^\\&\n]+)/.exec(ctx.Dockerfile!)
    const packages = (install?.[1] ?? install?.[2] ?? '').trim().split(/\s+/)
    expect(packages).toEqual(PACKAGES[base])
    expect(ctx.Dockerfile).toMatch(/ENTRYPOINT \["\/usr\/local\/sbin\/lvslab-init"\]/)
    expect(ctx['lvslab-init']).not.toMatch(/exec keepalived|exec httpd/)
  })

  it('centos7 points yum at the vault given', () => {
    expect(renderImageContext('centos7', {mirror: 'http://vault.invalid/centos'}).Dockerfile).toMatch(
      /baseurl=http:\/\/vault.invalid\/centos\/7.9.2009\//,
    )
  })

  it('centos7 without --mirror is refused before any engine call', async () => {
    const rt = new Proxy(
      {},
      {
        get: () => {
          throw new Error('no engine call expected')
        },
      },
    ) as Runtime
    await expect(buildImage(rt, {base: 'centos7'}, () => {})).rejects.toThrow(/--mirror: .*fix:/)
    await expect(buildImage(rt, {base: 'centos7', mirror: 'http://x/"; rm -rf /'}, () => {})).rejects.toThrow(/not a plain http/)
  })
})

describe('the VRRP password', () => {
  it('is random per lab when the lab file sets none, the same for both directors, and kept when given', () => {
    const files = renderLabFiles(parseLab(''))
    const passes = files.filter((f) => f.path.endsWith('keepalived.conf')).map((f) => /auth_pass (\S+)/.exec(f.content)![1])
    expect(passes).toHaveLength(2)
    expect(passes[0]).toBe(passes[1])
    expect(passes[0]).toMatch(/^[A-Za-z0-9]{8}$/)
    const again = /auth_pass (\S+)/.exec(renderLabFiles(parseLab(''))[0]!.content)![1]
    expect(again).not.toBe(passes[0])
    expect(withAuthPass(parseLab(''), 'kept1234').vrrp).toMatchObject({auth_pass: 'kept1234', auth_pass_source: 'random'})
    expect(withAuthPass(parseLab('vrrp: {auth_pass: mine}'), 'kept1234').vrrp).toMatchObject({
      auth_pass: 'mine',
      auth_pass_source: 'lab file',
    })
  })

  it("a random password is kept on the lab network's labels, a chosen one is not", async () => {
    const {planLab} = await import('../../src/plan/plan.js')
    expect(planLab(withAuthPass(parseLab(''), 'kept1234'), 'least-privilege').network.labels['lvslab.vrrp-auth']).toBe('kept1234')
    expect(planLab(withAuthPass(parseLab('vrrp: {auth_pass: mine}')), 'least-privilege').network.labels['lvslab.vrrp-auth']).toBeUndefined()
  })
})

describe('building the image where no registry answers', () => {
  it('says which command makes the image offline', async () => {
    const rt = {
      buildImage: async () => {
        throw new Error(
          'build image lvslab/lab:latest: Get "https://registry.invalid/v2/": dial tcp: lookup registry.invalid: no such host',
        )
      },
    } as unknown as Runtime
    await expect(buildImage(rt, {base: 'rocky9'}, () => {})).rejects.toThrow(
      new RegExp(
        `cannot get the base image ${BASE_IMAGES.rocky9}: .*fix: on a host without a registry, make the image offline: \`lvslab image import --rootfs DIR\\|TAR\``,
      ),
    )
  })

  it('passes other build failures on as they are', async () => {
    const rt = {
      buildImage: async () => {
        throw new Error('build image x: this image lacks ipvsadm')
      },
    } as unknown as Runtime
    await expect(buildImage(rt, {base: 'debian12'}, () => {})).rejects.toThrow(/lacks ipvsadm/)
  })
})

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
