import {mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {parseLab} from '../../src/lab/load.js'
import {labNotes, withAuthPass} from '../../src/lab/model.js'
import {BASE_IMAGES, renderImageContext, renderKeepalivedConf, renderLabFiles} from '../../src/render/index.js'
import {buildImage, checkRootfs} from '../../src/ops/image.js'
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

  it('VRRP 3: vrrp_version 3, the advert interval in seconds with its fraction, and no authentication', () => {
    const lab = parseLab('vrrp: {version: 3, advert_int: 0.25}')
    const conf = renderKeepalivedConf(lab, lab.directors[0]!)
    expect(conf).toMatch(/^ {4}vrrp_version 3$/m)
    expect(conf).toMatch(/^ {4}advert_int 0\.25$/m)
    expect(conf).not.toMatch(/authentication|vrrp_strict/)
    // the classic lab says nothing of the version: keepalived's default is 2
    expect(renderKeepalivedConf(parseLab(''), parseLab('').directors[0]!)).not.toMatch(/vrrp_version/)
  })

  it('nopreempt and preempt_delay: every director starts BACKUP, and the lab says why', () => {
    for (const text of ['vrrp: {nopreempt: true}', 'vrrp: {preempt_delay: 30}']) {
      const lab = parseLab(text)
      const confs = lab.directors.map((d) => renderKeepalivedConf(lab, d))
      for (const conf of confs) expect(conf).toMatch(/^ {4}state BACKUP$/m)
      expect(confs[0]).toMatch(text.includes('nopreempt') ? /^ {4}nopreempt$/m : /^ {4}preempt_delay 30$/m)
      expect(labNotes(lab)).toEqual([
        expect.stringMatching(
          /^vrrp\.(nopreempt|preempt_delay): keepalived honours it only on a BACKUP instance, .* lvs1 still becomes MASTER by its priority 100/,
        ),
      ])
    }
    expect(renderKeepalivedConf(parseLab(''), parseLab('').directors[0]!)).toMatch(/^ {4}state MASTER$/m)
    expect(labNotes(parseLab(''))).toEqual([])
  })

  it('track_table: a vrrp_script that drops a director with an empty table below every other, tracked by the instance', () => {
    const lab = parseLab('vrrp: {track_table: true}')
    const conf = renderKeepalivedConf(lab, lab.directors[0]!)
    expect(conf).toMatch(
      /^vrrp_script lvslab_table \{\n {4}script "\/usr\/local\/sbin\/lvslab-svc ready ipvs 172\.20\.1\.100:80"\n {4}interval 1\n {4}timeout 3\n {4}fall 2\n {4}rise 1\n {4}weight -51\n\}$/m,
    )
    expect(conf).toMatch(/^ {4}track_script \{\n {8}lvslab_table\n {4}\}$/m)
    // keepalived -t refuses a script without script security ("SECURITY VIOLATION"); the script is root's, in a root-only folder
    expect(conf).toMatch(/^ {4}enable_script_security\n {4}script_user root$/m)
    // keepalived's weights go from -253 to 253: the widest spread of priorities, 254 and 1, ties
    const wide = parseLab(
      'vrrp: {track_table: true}\ndirectors: [{name: a, ip: 172.20.1.1, priority: 254}, {name: b, ip: 172.20.1.2, priority: 1}]',
    )
    expect(renderKeepalivedConf(wide, wide.directors[0]!)).toMatch(/^ {4}weight -253$/m)
    // the classic lab has neither
    expect(renderKeepalivedConf(parseLab(''), parseLab('').directors[0]!)).not.toMatch(/vrrp_script|track_script/)
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
// and base; Debian 12: main): keepalived, ipvsadm, ip, ps/pkill, the web server and curl for the health page;
// tc for the partition and netem drills, which EL 8 and later ship apart from iproute as iproute-tc (EL 7's
// iproute and Debian's iproute2 have it).
const PACKAGES = {
  rocky9: ['keepalived', 'ipvsadm', 'iproute', 'iproute-tc', 'procps-ng', 'httpd', 'curl', 'gawk', 'sed'],
  centos7: ['keepalived', 'ipvsadm', 'iproute', 'procps-ng', 'httpd', 'curl', 'gawk', 'sed'],
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

describe("the tools every lab image must have (the drills' tc, track_table's awk)", () => {
  const TOOLS = ['keepalived', 'ipvsadm', 'ip', 'tc', 'ps', 'curl', 'awk', 'sed']
  const made: string[] = []
  afterAll(() => made.forEach((d) => rmSync(d, {recursive: true, force: true})))
  function rootfs(without: string[]): string {
    const dir = mkdtempSync(join(tmpdir(), 'lvslab-rootfs-'))
    made.push(dir)
    mkdirSync(join(dir, 'usr/sbin'), {recursive: true})
    for (const t of [...TOOLS, 'apache2'].filter((t) => !without.includes(t))) writeFileSync(join(dir, 'usr/sbin', t), '')
    return dir
  }

  it('import --rootfs takes a folder with all of them', () => {
    expect(() => checkRootfs(rootfs([]))).not.toThrow()
  })

  it("import --rootfs takes Debian's awk: links to absolute paths that mean the root filesystem's own", () => {
    const dir = rootfs(['awk'])
    mkdirSync(join(dir, 'etc/alternatives'), {recursive: true})
    writeFileSync(join(dir, 'usr/sbin/mawk'), '')
    symlinkSync('/etc/alternatives/awk', join(dir, 'usr/sbin/awk'))
    symlinkSync('/usr/sbin/mawk', join(dir, 'etc/alternatives/awk'))
    expect(() => checkRootfs(dir)).not.toThrow()
  })

  it('import --rootfs refuses an awk whose link leads nowhere in the root filesystem', () => {
    const dir = rootfs(['awk'])
    symlinkSync('/etc/alternatives/awk', join(dir, 'usr/sbin/awk'))
    expect(() => checkRootfs(dir)).toThrow(/lacks mawk or gawk \(fix:/)
  })

  it('import --rootfs refuses a folder without tc or awk, naming the packages', () => {
    expect(() => checkRootfs(rootfs(['tc', 'awk']))).toThrow(/lacks iproute2, mawk or gawk \(fix: install them/)
    // ip and tc both come with iproute2: named once
    expect(() => checkRootfs(rootfs(['ip', 'tc']))).toThrow(/lacks iproute2 \(fix:/)
  })

  it.each(['rocky9', 'centos7', 'debian12', 'import'] as const)('the %s build checks for each of them with command -v', (base) => {
    const ctx = renderImageContext(base, {mirror: 'http://vault.invalid/centos', baseImage: 'x', rootfs: 'y'})
    const checked = /for t in ([^;]+); do command -v/.exec(ctx.Dockerfile!)?.[1]?.split(' ')
    expect(checked).toEqual(expect.arrayContaining(TOOLS))
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
