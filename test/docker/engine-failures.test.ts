// Engine failures in the middle of a run: a clear message naming the step, never a dockerode stack.
import {mkdtempSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {downLab} from '../../src/ops/down.js'
import {DockerRuntime} from '../../src/runtime/docker/index.js'
import {ensureLabImage} from '../helpers/image.js'

const rt = new DockerRuntime()
const dir = mkdtempSync('/tmp/lvslab-eng-')
const lab = (extra = '') => {
  const f = join(dir, `lab${Math.random().toString(36).slice(2)}.yaml`)
  writeFileSync(
    f,
    `name: engtest\nnetwork: {subnet: 172.27.0.0/16}\nvip: 172.27.1.100\ndirectors: [{name: lvs1, ip: 172.27.1.1}, {name: lvs2, ip: 172.27.1.2}]\nreal_servers: [{name: rs1, ip: 172.27.1.10}, {name: rs2, ip: 172.27.1.11}]\n${extra}`,
  )
  return f
}
const run = (args: string[], env: Record<string, string> = {}) =>
  execa('node', ['bin/run.js', ...args], {reject: false, env: {CI: 'true', NODE_ENV: 'production', LVSLAB_IPVS_PRECHECK: 'off', ...env}})
const oneLine = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('lvslab: '))

beforeAll(async () => {
  await ensureLabImage(rt)
  await downLab(rt, 'engtest')
})
afterAll(async () => {
  await downLab(rt, 'engtest')
})

describe('engine failures', () => {
  it('engine unreachable: names the step and the fix', async () => {
    const r = await run(['up', '--file', lab()], {DOCKER_HOST: `unix://${dir}/no-such.sock`})
    expect(r.exitCode).toBe(1)
    expect(oneLine(r.stderr)).toEqual([
      expect.stringMatching(/^lvslab: engine: the Docker engine is not reachable \(ENOENT\) \(fix: start the Docker engine/),
    ])
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it('an engine without ip_vs (this machine has none): the IPVS step refuses in one line with the fix, and nothing of the lab is left', async () => {
    const r = await run(['up', '--file', lab()], {LVSLAB_IPVS_PRECHECK: 'on'})
    const left = async () => [
      ...(await rt.listContainers({label: ['lvslab.lab=engtest']})).map((c) => c.name),
      ...(await rt.listNetworks({label: ['lvslab.lab=engtest']})).map((n) => n.name),
    ]
    if (r.exitCode === 0) {
      // an engine whose kernel has ip_vs gets past the step: then the lab is up, and down removes it
      await downLab(rt, 'engtest')
      expect(await left()).toEqual([])
      return
    }
    expect(r.exitCode).toBe(1)
    expect(oneLine(r.stderr)).toEqual([
      expect.stringMatching(
        /^lvslab: check IPVS: the ip_vs kernel module is not loaded in .*\(ipvsadm in lvs[12]: .*\) \(fix: .*modprobe ip_vs/,
      ),
    ])
    expect(await left()).toEqual([])
  })

  it('image missing: names the step and what to run', async () => {
    const r = await run(['up', '--file', lab('image: lvslab/no-such-image:1\n')])
    expect(r.exitCode).toBe(1)
    expect(oneLine(r.stderr)).toEqual([
      expect.stringMatching(/^lvslab: lab image: image lvslab\/no-such-image:1 is not on the engine \(fix: build or import it/),
    ])
  })

  it('a name taken between the check and the create: names the step', async () => {
    const spec = {
      name: 'engtest-race',
      hostname: 'race',
      image: 'lvslab/lab:latest',
      network: 'none',
      ip: '',
      labels: {},
      capAdd: [],
      privileged: false,
      sysctls: {},
    }
    const noIp: Omit<typeof spec, 'ip'> & {ip?: string} = {...spec}
    delete noIp.ip
    await execa('docker', ['create', '--name', 'engtest-race', '--network', 'none', 'lvslab/lab:latest'])
    try {
      await expect(rt.createContainer({...noIp, ip: undefined as unknown as string})).rejects.toThrow(
        /^create container engtest-race: .*(already in use|Conflict)/,
      )
    } finally {
      await execa('docker', ['rm', '-f', 'engtest-race'], {reject: false})
    }
  })

  it('a container that cannot start: names the step, and down cleans up', async () => {
    // the bare rootfs image has no command to run
    const bare = (await rt.listImages()).flatMap((i) => i.tags).find((t) => t.startsWith('lvslab/rootfs:'))!
    const r = await run(['up', '--file', lab(`image: ${bare}\n`)])
    expect(r.exitCode).toBe(1)
    expect(oneLine(r.stderr)).toEqual([expect.stringMatching(/^lvslab: (create|start) container engtest-\w+: /)])
    expect(r.stderr).not.toMatch(/\n\s+at /)
    const d = await run(['down', '--name', 'engtest', '--json'])
    expect(d.exitCode).toBe(0)
  })
})
