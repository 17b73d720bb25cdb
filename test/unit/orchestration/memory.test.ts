// The memory runtime itself: its engine answers as Docker's does (names, ids, label filters, refusals
// in the engine's words), its faults do what they say, and a command it does not know fails loudly.
import {afterEach, describe, expect, it} from 'vitest'
import {StepError} from '../../../src/errors.js'
import {parseLab} from '../../../src/lab/load.js'
import {planLab} from '../../../src/plan/plan.js'
import {onVirtualClock, sleep} from '../../helpers/memory/index.js'
import {c, classic, closeAll, memory, running} from './lab.js'

afterEach(closeAll)

const plan = planLab(classic, 'least-privilege')

describe('the engine', () => {
  it('finds containers by name, id or id prefix, and lists them by label', async () => {
    const rt = memory()
    await rt.createNetwork(plan.network)
    const made = await rt.createContainer(plan.directors[0]!.spec)
    expect(made).toMatchObject({name: 'classic-lvs1', state: 'created', running: false, addresses: {'classic-lvs_dr': '172.20.1.1'}})
    expect((await rt.findContainer(made.id))?.name).toBe('classic-lvs1')
    expect((await rt.findContainer(made.id.slice(0, 12)))?.name).toBe('classic-lvs1')
    await rt.startContainer('classic-lvs1')
    expect((await rt.findContainer('classic-lvs1'))?.state).toBe('running')
    expect(await rt.listContainers({label: ['lvslab.lab=classic', 'lvslab.role=director']})).toHaveLength(1)
    expect(await rt.listContainers({label: ['lvslab.lab=other']})).toEqual([])
    expect(await rt.listContainers({label: ['lvslab.node']})).toHaveLength(1)
  })

  it('refuses as the engine does: a taken name, a missing image, an address outside the subnet, a missing container', async () => {
    const rt = memory()
    await rt.createNetwork(plan.network)
    const first = await rt.createContainer(plan.directors[0]!.spec)
    await expect(rt.createContainer(plan.directors[0]!.spec)).rejects.toThrow(
      `create container classic-lvs1: Conflict. The container name "/classic-lvs1" is already in use by container "${first.id}". You have to remove (or rename) that container to be able to reuse that name.`,
    )
    await expect(rt.createContainer({...plan.directors[1]!.spec, image: 'nope:1'})).rejects.toThrow(
      'create container classic-lvs2: No such image: nope:1',
    )
    await expect(rt.createContainer({...plan.directors[1]!.spec, ip: '10.0.0.2'})).rejects.toThrow(
      "create container classic-lvs2: Invalid address 10.0.0.2: It does not belong to any of this network's subnets",
    )
    await expect(rt.createNetwork(plan.network)).rejects.toThrow(
      'create network classic-lvs_dr: network with name classic-lvs_dr already exists',
    )
    await expect(rt.createNetwork({...plan.network, name: 'x', subnet: '172.20.3.0/24'})).rejects.toThrow(
      'create network x: invalid pool request: Pool overlaps with other one on this address space',
    )
    await expect(rt.startContainer('ghost')).rejects.toThrow('start container ghost: No such container: ghost')
    await expect(rt.exec('ghost', ['true'])).rejects.toThrow(StepError)
    await expect(rt.exec('classic-lvs1', ['bash', '-c', 'lvslab-svc pid httpd'])).rejects.toThrow(
      /^exec in classic-lvs1: bash -c lvslab-svc pid httpd: container [0-9a-f]{64} is not running$/,
    )
    await rt.removeContainer('ghost')
    await rt.removeNetwork('ghost')
  })

  it('reports the engine it is told to be', async () => {
    const rt = memory({engine: {version: '26.0.0', apiVersion: '1.45', desktop: true, os: 'Docker Desktop'}})
    expect(await rt.info()).toMatchObject({version: '26.0.0', apiVersion: '1.45', desktop: true, local: true})
  })
})

describe('commands', () => {
  it('refuses loudly a command lvslab does not send, naming it', async () => {
    const rt = await running()
    await expect(rt.exec(c('lvs1'), ['bash', '-c', 'rm -rf /etc/keepalived'])).rejects.toThrow(
      'memory runtime: unrecognised command in classic-lvs1: ["bash","-c","rm -rf /etc/keepalived"]',
    )
    await expect(rt.runOnce('lvslab/lab:latest', ['uname', '-r'])).rejects.toThrow(
      /unrecognised command in a container of lvslab\/lab:latest/,
    )
    expect(rt.unrecognised).toHaveLength(2)
    rt.unrecognised.length = 0
  })

  it('plays lvslab-svc as the image helper does: start is idempotent, kill of a dead keepalived exits 3', async () => {
    const rt = await running()
    const sh = (cmd: string) => rt.exec(c('lvs2'), ['bash', '-c', cmd])
    const pid = rt.container(c('lvs2')).node.pids.keepalived
    expect(await sh('lvslab-svc start keepalived')).toEqual({exitCode: 0, stdout: '', stderr: ''})
    expect(await sh('lvslab-svc status keepalived')).toEqual({exitCode: 0, stdout: `running ${pid}\n`, stderr: ''})
    expect((await sh('lvslab-svc kill keepalived')).exitCode).toBe(0)
    expect(await sh('lvslab-svc kill keepalived')).toEqual({exitCode: 3, stdout: '', stderr: 'keepalived is not running\n'})
    expect(await sh('lvslab-svc pid keepalived')).toEqual({exitCode: 3, stdout: '', stderr: ''})
  })

  it('refuses ip link without NET_ADMIN, as the kernel does', async () => {
    const rt = await running()
    // the client container has no capabilities
    expect(await rt.exec(c('client'), ['bash', '-c', 'ip link set eth0 down'])).toEqual({
      exitCode: 2,
      stdout: '',
      stderr: 'RTNETLINK answers: Operation not permitted\n',
    })
  })
})

describe('faults', () => {
  it('a fault takes only the calls it matches, and only as many as it is told', async () => {
    const rt = await running()
    rt.inject({call: 'exec', match: /lvslab-svc pid httpd$/, effect: {exit: 1, stderr: 'boom\n'}, times: 1})
    const sh = () => rt.exec(c('rs1'), ['bash', '-c', 'lvslab-svc pid httpd'])
    expect(await sh()).toEqual({exitCode: 1, stdout: '', stderr: 'boom\n'})
    expect((await sh()).exitCode).toBe(0)
  })

  it('a hanging call ends at its timeout, or at once when its signal aborts', async () => {
    const rt = await running()
    rt.inject({call: 'exec', match: /^classic-rs1 /, effect: {hang: true}})
    const sh = (opts: {timeoutMs?: number; signal?: AbortSignal}) => rt.exec(c('rs1'), ['bash', '-c', 'lvslab-svc pid httpd'], opts)
    await expect(onVirtualClock(() => sh({timeoutMs: 500}))).rejects.toThrow(
      'exec in classic-rs1: bash -c lvslab-svc pid httpd: exec timed out after 0.5 s',
    )
    await expect(onVirtualClock(() => sh({}))).rejects.toThrow('exec timed out after 120 s')
    const ac = new AbortController()
    const p = sh({signal: ac.signal})
    ac.abort()
    await expect(p).rejects.toThrow('exec in classic-rs1: bash -c lvslab-svc pid httpd: interrupted')
  })

  it('an engine call that fails says the engine text under the step the adapter names', async () => {
    const rt = memory()
    rt.inject({
      call: 'info',
      effect: {fail: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?'},
    })
    await expect(rt.info()).rejects.toThrow(
      'engine: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
    )
  })
})

describe('the health checks', () => {
  it("a director's link slower than the lab's own connect_timeout fails its checks, a faster one does not", async () => {
    // examples/fast.yaml-like timers: connect_timeout 1 s, not the classic lab's 3 s
    const lab = parseLab('virtual_server: {health_check: {delay_loop: 1, connect_timeout: 1, retry: 1, delay_before_retry: 1}}')
    const rt = await running(undefined, lab)
    const lvs1 = rt.container(c('lvs1', lab))
    expect(lvs1.node.conf?.service.connectTimeoutMs).toBe(1000)
    lvs1.node.netem = {delayMs: 900, lossPercent: 0}
    rt.model.check()
    expect(lvs1.node.table).toEqual(['172.20.1.10', '172.20.1.11'])
    lvs1.node.netem = {delayMs: 1500, lossPercent: 0}
    rt.model.check()
    expect(lvs1.node.table).toEqual([])
  })
})

describe('the VRRP election', () => {
  it('the highest priority among the running directors wins, and takes the VIP back when it returns', async () => {
    const rt = await running()
    const sh = (node: string, cmd: string) => rt.exec(c(node), ['bash', '-c', cmd])
    await onVirtualClock(async () => {
      await sh('lvs1', 'lvslab-svc stop keepalived')
      await sleep(200)
      expect(rt.container(c('lvs2')).node).toMatchObject({vrrp: 'MASTER', vipHeld: true})
      await sh('lvs1', 'lvslab-svc start keepalived')
      // keepalived starts as BACKUP; the election comes after its delay
      expect(rt.container(c('lvs1')).node).toMatchObject({vrrp: 'BACKUP', vipHeld: false})
      await sleep(200)
    })
    expect(rt.container(c('lvs1')).node).toMatchObject({vrrp: 'MASTER', vipHeld: true})
    expect(rt.container(c('lvs2')).node).toMatchObject({vrrp: 'BACKUP', vipHeld: false})
  })

  it("nopreempt in the higher priority's config: it comes back as BACKUP and lets the MASTER keep the VIP", async () => {
    const rt = await running()
    const lvs1 = rt.container(c('lvs1')).node
    lvs1.files.set(
      '/etc/keepalived/keepalived.conf',
      lvs1.files.get('/etc/keepalived/keepalived.conf')!.replace('advert_int 1', 'advert_int 1\n    nopreempt'),
    )
    const sh = (cmd: string) => rt.exec(c('lvs1'), ['bash', '-c', cmd])
    await onVirtualClock(async () => {
      await sh('lvslab-svc kill keepalived')
      await sleep(200)
      await sh('lvslab-svc start keepalived')
      await sleep(200)
    })
    expect(lvs1).toMatchObject({vrrp: 'BACKUP', vipHeld: false})
    expect(rt.container(c('lvs2')).node).toMatchObject({vrrp: 'MASTER', vipHeld: true})
  })
})
