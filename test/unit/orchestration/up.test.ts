// upLab against the memory runtime: what it creates and how, its idempotent second run, and what it
// refuses before touching anything. Failures of the engine and of the lab: up-failures.test.ts.
import {afterEach, describe, expect, it, vi} from 'vitest'
import {parseLab} from '../../../src/lab/load.js'
import type {StepEvent} from '../../../src/ops/steps.js'
import {START_DIRECTOR} from '../../../src/ops/up/director.js'
import {LABELS} from '../../../src/runtime/labels.js'
import {c, classic, closeAll, memory, running, up} from './lab.js'

afterEach(closeAll)
afterEach(() => vi.unstubAllEnvs())

const NODES = ['lvs1', 'lvs2', 'rs1', 'rs2']

describe('up on an empty engine', () => {
  it('creates the network and the four nodes, labelled, converges on the MASTER and verifies over HTTP', async () => {
    const rt = memory()
    const r = await up(rt)
    expect(r.created.sort()).toEqual(['classic-lvs1', 'classic-lvs2', 'classic-lvs_dr', 'classic-rs1', 'classic-rs2'])
    expect(r.existing).toEqual([])
    expect(r.keepalived).toBe('2.2.7')
    expect(r.verify).toMatchObject({ok: true, via: 'container', vipHolders: ['lvs1'], healthy: ['172.20.1.10', '172.20.1.11']})
    expect(r.verify?.checks.filter((x) => !x.ok)).toEqual([])
    const net = await rt.findNetwork('classic-lvs_dr')
    expect(net).toMatchObject({subnets: ['172.20.0.0/16'], labels: {[LABELS.LAB]: 'classic'}})
    // no password in the lab file: a random one, kept on the network for the next run
    expect(net?.labels[LABELS.AUTH]).toMatch(/^\w{8}$/)
    for (const node of NODES) {
      const info = await rt.findContainer(c(node))
      expect(info?.running).toBe(true)
      expect(info?.labels).toMatchObject({[LABELS.LAB]: 'classic', [LABELS.NODE]: node, [LABELS.MODE]: 'least-privilege'})
      expect(info?.labels[LABELS.SPEC]).toMatch(/^[0-9a-f]{16}$/)
    }
    // the probe container verify made is the lab's too
    expect((await rt.findContainer(c('client')))?.labels).toMatchObject({[LABELS.LAB]: 'classic', [LABELS.ROLE]: 'client'})
    // each step's time, in order, as the step events reported it
    expect(r.steps.map((s) => [s.step, s.status])).toEqual(
      ['engine', 'neighbours', 'image', 'network', 'containers', 'ipvs', 'real-servers', 'directors', 'converge', 'verify'].map((id) => [
        id,
        'done',
      ]),
    )
    expect(r.steps.every((s) => Number.isInteger(s.tookMs) && s.tookMs >= 0)).toBe(true)
    expect(r.steps.find((s) => s.step === 'converge')!.tookMs).toBeGreaterThanOrEqual(r.convergedMs)
  })

  it('installs what the classic lab had: arp sysctls and the VIP on lo:1, pages, keepalived.conf per director', async () => {
    const rt = memory()
    await up(rt)
    const rs1 = rt.container(c('rs1')).node
    expect(rs1.sysctls).toMatchObject({'net.ipv4.conf.eth0.arp_ignore': '1', 'net.ipv4.conf.all.arp_announce': '2'})
    expect(rs1.loAddresses).toEqual([{address: '172.20.1.100', prefix: 32, label: 'lo:1'}])
    expect(rs1.files.get('/var/www/html/index.html')?.trim()).toBe('from 172.20.1.10')
    expect(rs1.pids.httpd).toBeGreaterThan(0)
    const conf = rt.container(c('lvs2')).node.files.get('/etc/keepalived/keepalived.conf')
    expect(conf).toMatch(/state BACKUP\n\s+interface eth0\n\s+virtual_router_id 51\n\s+priority 50/)
    expect(rt.container(c('lvs1')).node).toMatchObject({vrrp: 'MASTER', vipHeld: true, table: ['172.20.1.10', '172.20.1.11']})
    expect(rt.container(c('lvs2')).node).toMatchObject({vrrp: 'BACKUP', vipHeld: false})
  })

  it('makes its engine calls in order: the engine, its neighbours, the network, the containers, which configure themselves as they start: no exec before the convergence wait', async () => {
    const rt = memory()
    await up(rt)
    const kinds = rt.calls.map((x) => x.call)
    const first = (k: string) => kinds.indexOf(k as never)
    // the lab's kept password first (resolveLab), then the engine
    expect(kinds[0]).toBe('findNetwork')
    expect(first('info')).toBeLessThan(first('listNetworks'))
    expect(first('listNetworks')).toBeLessThan(first('createNetwork'))
    expect(first('createNetwork')).toBeLessThan(first('createContainer'))
    expect(kinds.filter((k) => k === 'runOnce')).toHaveLength(0)
    // the image's keepalived version read once, before a director is created with its config
    expect(kinds.filter((k) => k === 'readImageFile')).toHaveLength(1)
    const created = rt.calls.filter((x) => x.call === 'createContainer').map((x) => x.subject)
    const lvs1Create = rt.calls.findIndex((x) => x.call === 'createContainer' && x.subject === c('lvs1'))
    expect(first('readImageFile')).toBeLessThan(lvs1Create)
    // every exec reads facts or probes: none configures a node
    const execs = rt.calls.filter((x) => x.call === 'exec').map((x) => x.subject)
    expect(execs.filter((s) => !/ lvslab-facts | ipvsadm -Lnc$| bash -c LC_ALL=C curl /.test(s))).toEqual([])
    // each lab container booted with its own script, said in its log
    for (const n of ['lvs1', 'lvs2', 'rs1', 'rs2']) {
      const rec = rt.container(c(n))
      expect(rec.labels[LABELS.BOOT]).toBe('true')
      expect(rec.log.at(-1)).toEqual({stream: 'stdout', line: 'lvslab-boot: exit 0'})
    }
    // a director's boot is the exec's script with a wait for each real server's page before keepalived starts
    const boot = rt.container(c('lvs1')).spec.cmd?.[0] ?? ''
    expect(boot).toContain("for u in 'http://172.20.1.10:80/' 'http://172.20.1.11:80/'; do")
    expect(
      boot
        .split('\n')
        .filter((l) => !l.includes('; for u in '))
        .join('\n'),
    ).toBe(START_DIRECTOR)
    expect(Buffer.from(rt.container(c('lvs1')).spec.env?.LVSLAB_CONF ?? '', 'base64').toString()).toMatch(/state MASTER/)
    // the real servers first (keepalived starts once they serve), then the directors, then the client
    const order = created.map((n) => n.replace('classic-', ''))
    expect(order).toEqual(['rs1', 'rs2', 'lvs1', 'lvs2', 'client'])
    const startOf = (n: string) => rt.calls.findIndex((x) => x.call === 'startContainer' && x.subject === rt.container(c(n)).id)
    const createOf = (n: string) => rt.calls.findIndex((x) => x.call === 'createContainer' && x.subject === c(n))
    for (const d of ['lvs1', 'lvs2']) expect(createOf(d)).toBeGreaterThan(Math.max(startOf('rs1'), startOf('rs2')))
    expect(createOf('client')).toBeGreaterThan(Math.max(startOf('lvs1'), startOf('lvs2')))
    expect(rt.container(c('rs1')).spec.env?.LVSLAB_PAGE).toBe(Buffer.from('from 172.20.1.10\n').toString('base64'))
  })

  it('asks a director by exec when the image says no keepalived version: IPVS and the version first, keepalived after the real servers serve', async () => {
    const rt = memory()
    rt.inject({call: 'readImageFile', effect: {exit: 1}})
    await up(rt)
    expect(rt.container(c('lvs1')).labels[LABELS.BOOT]).toBeUndefined()
    expect(rt.container(c('rs1')).labels[LABELS.BOOT]).toBe('true')
    const execs = rt.calls.filter((x) => x.call === 'exec').map((x) => x.subject)
    const asked = execs.filter((s) => / bash -c command -v lvslab-facts /.test(s))
    expect(asked.map((s) => s.split(' ')[0]).sort()).toEqual([c('lvs1'), c('lvs2')])
    expect(asked.every((s) => s.includes('ipvsadm -Ln'))).toBe(true)
    const keepalived = execs.findIndex((s) => s.endsWith('lvslab-svc start keepalived'))
    expect(keepalived).toBeGreaterThan(execs.findLastIndex((s) => / bash -c command -v lvslab-facts /.test(s)))
    // the real servers (booted) serve before any keepalived starts checking them: their boot read first
    const calls = rt.calls.map((x) => `${x.call} ${x.subject}`)
    const start = calls.findIndex((s) => s.startsWith('exec ') && s.endsWith('lvslab-svc start keepalived'))
    expect(calls.filter((s, i) => i < start && /^logsUntil classic-rs[12]$/.test(s))).toHaveLength(2)
  })

  it('configures a container it finds stopped by exec, after letting its first boot end', async () => {
    const rt = memory()
    await up(rt)
    rt.stopContainer(c('rs1'))
    const before = rt.calls.length
    await up(rt)
    const after = rt.calls.slice(before).map((x) => `${x.call} ${x.subject}`)
    const boot = after.indexOf(`logsUntil ${c('rs1')}`)
    expect(boot).toBeGreaterThan(after.indexOf(`startContainer ${rt.container(c('rs1')).id}`))
    expect(after.findIndex((s) => s.startsWith(`exec ${c('rs1')} bash -c set -e`))).toBeGreaterThan(boot)
    // the boot ran once: the restart did not run it again, and said so
    expect(
      rt
        .container(c('rs1'))
        .log.filter((l) => l.line.startsWith('lvslab-boot: '))
        .map((l) => l.line),
    ).toEqual(['lvslab-boot: exit 0', 'lvslab-boot: exit 0 (booted before)'])
  })

  it('in privileged mode writes the arp sysctls itself, in privileged containers', async () => {
    const rt = memory()
    const r = await up(rt, classic, {mode: 'privileged'})
    expect(r.mode).toBe('privileged')
    const rs2 = rt.container(c('rs2')).node
    expect(rs2.spec).toMatchObject({privileged: true, sysctls: {}})
    expect(rs2.sysctls['net.ipv4.conf.all.arp_ignore']).toBe('1')
    expect(rt.container(c('lvs1')).labels[LABELS.MODE]).toBe('privileged')
  })

  it('builds the default image when the engine has none, and goes on', async () => {
    const rt = memory({images: []})
    const r = await up(rt)
    expect(rt.calls.filter((x) => x.call === 'buildImage')).toHaveLength(1)
    expect(await rt.findImage('lvslab/lab:latest')).toBeDefined()
    expect(r.verify?.ok).toBe(true)
  })
})

describe('up again', () => {
  it('creates nothing, restarts nothing, runs no throwaway container and verifies again', async () => {
    const rt = await running()
    const pids = NODES.map((n) => ({...rt.container(c(n)).node.pids}))
    const before = rt.calls.length
    const r = await up(rt)
    const again = rt.calls.slice(before).map((x) => x.call)
    expect(r.created).toEqual([])
    expect(r.existing.sort()).toEqual(['classic-lvs1', 'classic-lvs2', 'classic-lvs_dr', 'classic-rs1', 'classic-rs2'])
    expect(again).not.toContain('createNetwork')
    expect(again).not.toContain('createContainer')
    expect(again).not.toContain('runOnce')
    expect(NODES.map((n) => rt.container(c(n)).node.pids)).toEqual(pids)
    expect(rt.container(c('rs1')).node.loAddresses).toHaveLength(1)
    expect(r.verify?.ok).toBe(true)
    // keepalived ran its config already ("current"): no election to wait out (virtual ms)
    expect(r.convergedMs).toBeLessThan(1000)
  })

  it('waits out an election only when keepalived was started: the MASTER is read from 3 x advert_int + skew on', async () => {
    const rt = memory()
    const first = await up(rt)
    // keepalived 2's Master_Down_Interval (3.61 s) less FIRST_READ_LEAD_MS: no read of the directors before (virtual ms)
    expect(first.convergedMs).toBeGreaterThanOrEqual(3609 - 500)
    rt.container(c('lvs1')).node.stopKeepalived()
    const again = await up(rt)
    expect(again.convergedMs).toBeGreaterThanOrEqual(3609 - 500)
  })

  it('keeps the random VRRP password the lab keeps on its network', async () => {
    const rt = await running()
    const pass = (await rt.findNetwork('classic-lvs_dr'))?.labels[LABELS.AUTH]
    const conf = () => rt.container(c('lvs1')).node.files.get('/etc/keepalived/keepalived.conf')
    const first = conf()
    await up(rt)
    expect(conf()).toBe(first)
    expect(first).toContain(`auth_pass ${pass}`)
  })

  it('starts again what has stopped: a keepalived that died and a stopped container', async () => {
    const rt = await running()
    rt.container(c('lvs2')).node.stopKeepalived()
    rt.stopContainer(c('rs2'))
    const r = await up(rt)
    expect(r.created).toEqual([])
    expect(rt.container(c('lvs2')).node.pids.keepalived).toBeGreaterThan(0)
    expect(rt.container(c('rs2')).node).toMatchObject({loAddresses: [{address: '172.20.1.100'}]})
    expect(r.verify?.ok).toBe(true)
  })
})

describe('up refuses to touch what is not its own, before creating anything', () => {
  const refused = async (setup: (rt: ReturnType<typeof memory>) => void, message: RegExp) => {
    const rt = memory()
    setup(rt)
    await expect(up(rt)).rejects.toThrow(message)
    expect(rt.calls.map((x) => x.call)).not.toContain('createNetwork')
    expect(rt.calls.map((x) => x.call)).not.toContain('createContainer')
    return rt
  }

  it('a foreign container holding a node name', async () => {
    await refused(
      (rt) => rt.engine.addContainer({name: 'classic-rs1'}),
      /^check names and subnet: refusing to touch what is not this lab's: container classic-rs1 exists and is not node rs1 of lab classic \(fix: remove or rename it/,
    )
  })

  it("a foreign container holding the probe container's name", async () => {
    await refused(
      (rt) => rt.engine.addContainer({name: 'classic-client'}),
      /container classic-client exists and is not lab classic's probe container/,
    )
  })

  it("a foreign network with the lab network's name", async () => {
    await refused(
      (rt) => rt.engine.addNetwork({name: 'classic-lvs_dr', subnet: '10.99.0.0/16'}),
      /network classic-lvs_dr exists and is not lab classic's/,
    )
  })

  it("a neighbour network overlapping the lab's subnet", async () => {
    const rt = await refused(
      (rt) => rt.engine.addNetwork({name: 'someone-else', subnet: '172.20.5.0/24'}),
      /network someone-else \(172\.20\.5\.0\/24\) overlaps the lab's subnet 172\.20\.0\.0\/16 \(fix: change network\.subnet/,
    )
    expect([...rt.engine.containers.values()]).toEqual([])
  })

  it('its own nodes made from a different lab file: down first', async () => {
    const rt = await running()
    const heavier = parseLab('real_servers: [{name: rs1, ip: 172.20.1.10, weight: 2}, {name: rs2, ip: 172.20.1.11}]\n')
    await expect(up(rt, heavier)).rejects.toThrow(
      /container classic-lvs1 was made from a different lab file or mode \(fix: run `lvslab down` first, then `lvslab up`\)/,
    )
  })

  it('an image the lab file names that the engine does not have', async () => {
    const rt = memory()
    const other = parseLab('image: example.org/lab:1\n')
    await expect(up(rt, other)).rejects.toThrow(/^lab image: image example\.org\/lab:1 is not on the engine \(fix: build or import it/)
  })
})

describe("up's step events", () => {
  const ends = (events: StepEvent[]) => events.filter((e) => e.type !== 'start' && e.type !== 'progress').map((e) => `${e.step} ${e.type}`)

  it('each step started, then done (or skipped with its reason), in order; a failed step says why in one line', async () => {
    const rt = memory()
    const first: StepEvent[] = []
    await up(rt, classic, {onStep: (e) => first.push(e)})
    expect(ends(first)).toEqual([
      'engine done',
      'neighbours done',
      'image done',
      'network done',
      'containers done',
      'ipvs done',
      'real-servers done',
      'directors done',
      'converge done',
      'verify done',
    ])
    const again: StepEvent[] = []
    await up(rt, classic, {onStep: (e) => again.push(e)})
    expect(again.find((e) => e.step === 'ipvs' && e.type === 'done')?.title).toBe(
      'IPVS: ipvsadm answers in lvs1 and lvs2 (kernel 6.1.0-28-amd64)',
    )
    const failed: StepEvent[] = []
    const other = memory()
    other.engine.addContainer({name: 'classic-rs1'})
    await expect(up(other, classic, {onStep: (e) => failed.push(e)})).rejects.toThrow(/^check names and subnet/)
    expect(ends(failed)).toEqual(['engine done', 'neighbours fail'])
    expect(failed.at(-1)?.detail).toMatch(/^check names and subnet: refusing to touch what is not this lab's: container classic-rs1/)
  })
})
