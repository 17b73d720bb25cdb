// On the host's real engine (no IPVS here): network, containers, sysctls, lo:1, httpd, labels,
// `down` and keepalived's own config test (foreign resources: foreign.test.ts). Probes run inside the lab.
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parseLab} from '../../src/lab/load.js'
import type {Lab} from '../../src/lab/model.js'
import {downLab} from '../../src/ops/down.js'
import {directorFacts, realServerFacts} from '../../src/ops/facts.js'
import {checkEngineIpvs} from '../../src/ops/ipvs.js'
import {configureRealServer, neighbourProblems} from '../../src/ops/up/index.js'
import {planLab} from '../../src/plan/plan.js'
import {renderKeepalivedConf} from '../../src/render/index.js'
import {DockerRuntime} from '../../src/runtime/docker/index.js'
import {LABELS, labFilter} from '../../src/runtime/labels.js'
import {ensureLabImage} from '../helpers/image.js'
import {labelledCount} from '../helpers/labelled.js'

const rt = new DockerRuntime()
const CLI = ['bin/run.js']
const itLab = (extra = '') =>
  parseLab(
    `name: itest\nnetwork: {name: net, subnet: 172.29.0.0/16}\nvip: 172.29.1.100\ndirectors:\n  - {name: lvs1, ip: 172.29.1.1}\n  - {name: lvs2, ip: 172.29.1.2}\nreal_servers:\n  - {name: rs1, ip: 172.29.1.10}\n  - {name: rs2, ip: 172.29.1.11}\n${extra}`,
  )

beforeAll(async () => {
  await ensureLabImage(rt)
  await downLab(rt, 'itest')
})

afterAll(async () => {
  await downLab(rt, 'itest')
  for (const name of ['itest-rs1', 'itest-foreign-net']) {
    await execa('docker', ['rm', '-f', name], {reject: false})
    await execa('docker', ['network', 'rm', name], {reject: false})
  }
})

describe('a lab on the host engine, without IPVS', () => {
  const lab = itLab()
  const plan = planLab(lab, 'least-privilege')

  it("up refuses clearly when the engine's kernel lacks ip_vs, and creates nothing", async (ctx) => {
    const ipvs = await checkEngineIpvs(rt, 'lvslab/lab:latest', await rt.info())
    if (ipvs.ok) ctx.skip(`this engine's kernel (${ipvs.kernel}) has ip_vs: the end-to-end suite covers up there`)
    const {writeFileSync, mkdtempSync} = await import('node:fs')
    const dir = mkdtempSync('/tmp/lvslab-it-')
    writeFileSync(`${dir}/lab.yaml`, labYaml())
    const r = await execa('node', [...CLI, 'up', '--file', `${dir}/lab.yaml`], {reject: false, env: {CI: 'true', NODE_ENV: 'production'}})
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toMatch(
      /lvslab: check IPVS: the ip_vs kernel module is not loaded in the engine's host \(this machine, .*?\), kernel \S+, .*\(fix: load the module on this host: `sudo modprobe ip_vs`\)/,
    )
    expect(r.stderr).not.toMatch(/\n\s+at /) // no stack
    expect(await labelledCount(rt, 'itest')).toBe(0)
  })

  it('creates the network and the containers with fixed addresses and labels', async () => {
    expect(await neighbourProblems(rt, lab, plan)).toEqual([])
    await rt.createNetwork(plan.network)
    await Promise.all(
      [...plan.directors, ...plan.realServers].map(async (p) => {
        const c = await rt.createContainer(p.spec)
        await rt.startContainer(c.id)
      }),
    )
    const containers = await rt.listContainers(labFilter('itest'))
    expect(containers.map((c) => c.name).sort()).toEqual(['itest-lvs1', 'itest-lvs2', 'itest-rs1', 'itest-rs2'])
    for (const c of containers) {
      expect(c.running).toBe(true)
      expect(c.labels[LABELS.LAB]).toBe('itest')
      const node = c.labels[LABELS.NODE]!
      expect(c.addresses['itest-net']).toBe([...lab.directors, ...lab.real_servers].find((n) => n.name === node)!.ip)
    }
  })

  describe('keepalived accepts every config lvslab renders (keepalived -t in a director of the lab image)', () => {
    const labs: [string, Lab][] = [
      ['classic', parseLab('')],
      [
        'weighted wrr',
        parseLab(
          'virtual_server: {scheduler: wrr}\nreal_servers: [{name: rs1, ip: 172.20.1.10, weight: 3}, {name: rs2, ip: 172.20.1.11, weight: 2}, {name: rs3, ip: 172.20.1.12}]',
        ),
      ],
      ['unicast on an internal network', parseLab('network: {internal: true}')],
      ['strict VRRP', parseLab('vrrp: {strict: true, auth_type: NONE}')],
      ['notification asked for', parseLab('notify: {smtp_server: 172.20.1.200, email: [ops@example.org], email_from: lvs@example.org}')],
      ['keepalived 1.x keywords are refused by 2.x (the version switch matters)', parseLab('')],
    ]
    it.each(labs)('%s', async (name, l) => {
      const old = name.startsWith('keepalived 1.x')
      for (const d of l.directors) {
        await rt.putFile(
          'itest-lvs1',
          '/tmp/test.conf',
          renderKeepalivedConf(l, d, old ? {major: 1, minor: 3, patch: 5, raw: 'v1.3.5'} : undefined),
        )
        const res = await rt.exec('itest-lvs1', ['keepalived', '-t', '-f', '/tmp/test.conf'])
        if (old) {
          expect(res.exitCode).not.toBe(0)
          expect(res.stderr).toMatch(/nb_get_retry/)
        } else {
          expect(res.stderr).toBe('')
          expect(res.exitCode).toBe(0)
        }
      }
    })
  })

  it("lvslab-facts in a director: VRRP state from keepalived's own dump, and the IPVS table reported unreadable on a kernel without ip_vs", async () => {
    // VRRP alone runs without IPVS: lvs2 as a lone MASTER of a VRRP-only config
    const conf = renderKeepalivedConf(lab, lab.directors[1]!)
      .replace(/\nvirtual_server [\s\S]*$/, '\n')
      .replace('state BACKUP', 'state MASTER')
    await rt.putFile('itest-lvs2', '/etc/keepalived/keepalived.conf', conf)
    const started = await rt.exec('itest-lvs2', ['lvslab-svc', 'start', 'keepalived'])
    expect(started.exitCode).toBe(0)
    try {
      let f = await directorFacts(rt, lab, lab.directors[1]!)
      for (let i = 0; i < 40 && f.vrrpState !== 'MASTER'; i++) {
        await new Promise((r) => setTimeout(r, 250))
        f = await directorFacts(rt, lab, lab.directors[1]!)
      }
      expect(f).toMatchObject({running: true, vrrpState: 'MASTER', holdsVip: true, vipLabel: 'eth0:1', eth0Up: true})
      expect(f.keepalivedPid).toBeGreaterThan(1)
      // this host's kernel has no IPVS: said so, with ipvsadm's words, not an empty table taken as fact
      expect(f.unreadable).toHaveLength(1)
      expect(f.unreadable[0]).toMatch(/^IPVS table: .*(ipvs|IPVS|Protocol not available)/)
    } finally {
      await rt.exec('itest-lvs2', ['lvslab-svc', 'stop', 'keepalived'])
    }
  })

  it('least privilege: no container is privileged, none publishes a port, only NET_ADMIN and NET_RAW are added', async () => {
    for (const name of ['itest-lvs1', 'itest-lvs2', 'itest-rs1', 'itest-rs2']) {
      const {stdout} = await execa('docker', [
        'inspect',
        '--format',
        '{{json .HostConfig.Privileged}} {{json .HostConfig.PortBindings}} {{json .HostConfig.PublishAllPorts}} {{json .HostConfig.CapAdd}} {{json .NetworkSettings.Ports}}',
        name,
      ])
      expect(stdout).toMatch(/^false (null|{}) false \["NET_ADMIN","NET_RAW"\] (null|{})$/)
    }
  })

  it('keepalived and httpd are not PID 1: lvslab-init is', async () => {
    const res = await rt.exec('itest-lvs1', ['cat', '/proc/1/cmdline'])
    expect(res.stdout.replaceAll('\0', ' ')).toMatch(/lvslab-init/)
  })

  it('real servers: arp sysctls, then the VIP on lo:1 as /32, then httpd answering "from <ip>"', async () => {
    await Promise.all(lab.real_servers.map((r) => configureRealServer(rt, lab, r, 'least-privilege')))
    for (const r of lab.real_servers) {
      const f = await realServerFacts(rt, lab, r)
      expect(f.sysctls).toEqual({
        'net.ipv4.conf.eth0.arp_ignore': '1',
        'net.ipv4.conf.eth0.arp_announce': '2',
        'net.ipv4.conf.all.arp_ignore': '1',
        'net.ipv4.conf.all.arp_announce': '2',
      })
      expect(f).toMatchObject({running: true, httpd: true, page: `from ${r.ip}`, vipOnLo: true, vipPrefix: 32, vipLabel: 'lo:1'})
    }
    // and from another node of the lab, over the lab network
    const res = await rt.exec('itest-lvs1', ['curl', '-s', '-m', '5', 'http://172.29.1.11/'])
    expect(res.stdout.trim()).toBe('from 172.29.1.11')
  })

  it('configuring a real server again changes nothing', async () => {
    await configureRealServer(rt, lab, lab.real_servers[0]!, 'least-privilege')
    const res = await rt.exec('itest-rs1', ['bash', '-c', 'ip -o addr show dev lo | grep -c 172.29.1.100'])
    expect(res.stdout.trim()).toBe('1')
  })

  it('stopping httpd is seen, and starting it again serves again', async () => {
    expect((await rt.exec('itest-rs2', ['lvslab-svc', 'stop', 'httpd'])).exitCode).toBe(0)
    expect((await realServerFacts(rt, lab, lab.real_servers[1]!)).httpd).toBe(false)
    expect((await rt.exec('itest-rs2', ['lvslab-svc', 'start', 'httpd'])).exitCode).toBe(0)
    expect((await realServerFacts(rt, lab, lab.real_servers[1]!)).page).toBe('from 172.29.1.11')
  })

  it('a second plan of the same lab finds no problem with its own resources', async () => {
    expect(await neighbourProblems(rt, lab, plan)).toEqual([])
  })

  it('a changed lab file is refused until down', async () => {
    const changed = itLab('vrrp: {advert_int: 3}')
    const problems = await neighbourProblems(rt, changed, planLab(changed, 'least-privilege'))
    expect(problems.join('\n')).toMatch(/itest-lvs1 was made from a different lab file.*fix: run `lvslab down`/)
  })

  it('down removes exactly the lab, and a second down removes nothing', async () => {
    const {writeFileSync, mkdtempSync} = await import('node:fs')
    await execa('docker', ['run', '-d', '--name', 'itest-bystander', '--network', 'none', 'lvslab/lab:latest'])
    try {
      const dir = mkdtempSync('/tmp/lvslab-it-')
      writeFileSync(`${dir}/lab.yaml`, labYaml())
      const r = await execa('node', [...CLI, 'down', '--file', `${dir}/lab.yaml`, '--json'])
      const out = JSON.parse(r.stdout)
      expect(out.removed.containers).toEqual(['itest-lvs1', 'itest-lvs2', 'itest-rs1', 'itest-rs2'])
      expect(out.removed.networks).toEqual(['itest-net'])
      expect(await labelledCount(rt, 'itest')).toBe(0)
      const again = JSON.parse((await execa('node', [...CLI, 'down', '--name', 'itest', '--json'])).stdout)
      expect(again.removed).toEqual({containers: [], networks: []})
      expect((await rt.findContainer('itest-bystander'))?.running).toBe(true)
    } finally {
      await execa('docker', ['rm', '-f', 'itest-bystander'], {reject: false})
    }
  })
})

function labYaml(): string {
  return 'name: itest\nnetwork: {name: net, subnet: 172.29.0.0/16}\nvip: 172.29.1.100\ndirectors:\n  - {name: lvs1, ip: 172.29.1.1}\n  - {name: lvs2, ip: 172.29.1.2}\nreal_servers:\n  - {name: rs1, ip: 172.29.1.10}\n  - {name: rs2, ip: 172.29.1.11}\n'
}
