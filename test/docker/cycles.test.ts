// 20 cycles on the host's engine: up (as far as this kernel allows: it has no IPVS, so the
// directors' own check stops `up` after the network, the containers (verify's client among them, when
// this machine cannot reach the lab's bridge) and the real servers are made)
// then down. Nothing may be left behind, and the last cycle may not be slower than the first. The
// full cycles with verify and the drills run with real IPVS in test/e2e/cycles.test.ts.
// "Left behind" is judged on what this test started alone (other labs, lvslab runs, keepalived or
// Apache servers may run on this machine meanwhile): each CLI run's own process group, and the
// lab's containers, network and volumes (by its label and name) and the processes of its containers.
import {mkdtempSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {downLab} from '../../src/ops/down.js'
import {hostReaches} from '../../src/probe/host.js'
import {DockerRuntime} from '../../src/runtime/docker/index.js'
import {ensureLabImage} from '../helpers/image.js'
import {labLeftovers, labSnapshot, runOwn} from '../helpers/owned.js'

const rt = new DockerRuntime()
const dir = mkdtempSync('/tmp/lvslab-cyc-')
const labFile = join(dir, 'lab.yaml')
writeFileSync(
  labFile,
  'name: cyctest\nnetwork: {subnet: 172.26.0.0/16}\nvip: 172.26.1.100\ndirectors: [{name: lvs1, ip: 172.26.1.1}, {name: lvs2, ip: 172.26.1.2}]\nreal_servers: [{name: rs1, ip: 172.26.1.10}, {name: rs2, ip: 172.26.1.11}]\n',
)
const env = {CI: 'true', NODE_ENV: 'production', LVSLAB_IPVS_PRECHECK: 'off'}

const cli = (...args: string[]) => runOwn('node', ['bin/run.js', ...args], {env, timeout: 120_000})

describe('20 cycles of up and down on the host engine', () => {
  const seconds: number[] = []

  beforeAll(async () => {
    await ensureLabImage(rt)
    await downLab(rt, 'cyctest')
    expect(await labLeftovers('cyctest')).toEqual([])
  })

  afterAll(async () => {
    await downLab(rt, 'cyctest') // after a failed cycle: this test's lab only
  })

  it.each(Array.from({length: 20}, (_, i) => i + 1))('cycle %i leaves nothing behind', async (cycle) => {
    let started = Date.now()
    const up = await cli('up', '--file', labFile)
    let took = Date.now() - started
    if (up.exitCode !== 0) expect(up.stderr).toMatch(/ip_vs kernel module is not loaded.*sudo modprobe ip_vs/)
    // what up made, before it goes: the containers, their volumes and their processes; verify's client
    // container is made with the lab when this machine cannot reach the lab's bridge (src/probe/choose.ts)
    const made = await labSnapshot('cyctest')
    const nodes = ['cyctest-lvs1', 'cyctest-lvs2', 'cyctest-rs1', 'cyctest-rs2']
    const expected = hostReaches('172.26.0.0/16') ? nodes : ['cyctest-client', ...nodes]
    started = Date.now()
    const down = await cli('down', '--file', labFile, '--json')
    took += Date.now() - started
    seconds.push(took / 1000)
    if (cycle === 1)
      console.log(
        `HOST CYCLE 1: docker top listed ${made.listed} processes in the lab's containers, ${made.processes.length} of them seen on this machine`,
      )

    expect(up.leftBehind, `up (pid ${up.pid}) left a process in its process group`).toBe(false)
    expect(made.containers.map((c) => c.name).sort()).toEqual(expected)
    expect(made.listed).toBeGreaterThan(0)
    expect(down.exitCode, down.stderr).toBe(0)
    expect(down.leftBehind, `down (pid ${down.pid}) left a process in its process group`).toBe(false)
    expect(JSON.parse(down.stdout).removed.containers).toEqual(expected)
    expect(await labLeftovers('cyctest', made)).toEqual([])
  })

  it('the last cycle is no slower than the first (within noise: +50%)', () => {
    console.log(`HOST CYCLES: ${seconds.map((s) => s.toFixed(2)).join(', ')} s`)
    expect(seconds).toHaveLength(20)
    expect(seconds.at(-1)!).toBeLessThanOrEqual(seconds[0]! * 1.5)
  })
})
