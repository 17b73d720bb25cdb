// 20 cycles on the host's engine: up (as far as this kernel allows: it has no IPVS, so the
// directors' own check stops `up` after the network, the containers and the real servers are made)
// then down. Nothing may be left behind, and the last cycle may not be slower than the first. The
// full cycles with verify and the drills run with real IPVS in test/e2e/cycles.test.ts.
import {mkdtempSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {engineResources} from '../helpers/engine.js'
import {beforeAll, describe, expect, it} from 'vitest'
import {downLab} from '../../src/ops/down.js'
import {DockerRuntime} from '../../src/runtime/docker.js'
import {ensureLabImage} from '../helpers/image.js'

const rt = new DockerRuntime()
const dir = mkdtempSync('/tmp/lvslab-cyc-')
const labFile = join(dir, 'lab.yaml')
writeFileSync(labFile, 'name: cyctest\nnetwork: {subnet: 172.26.0.0/16}\nvip: 172.26.1.100\ndirectors: [{name: lvs1, ip: 172.26.1.1}, {name: lvs2, ip: 172.26.1.2}]\nreal_servers: [{name: rs1, ip: 172.26.1.10}, {name: rs2, ip: 172.26.1.11}]\n')
const env = {CI: 'true', NODE_ENV: 'production', LVSLAB_ENGINE_KERNEL: 'remote'}


async function strayProcesses(): Promise<string[]> {
  const r = await execa('pgrep', ['-af', 'bin/run.js|keepalived|apache2'], {reject: false})
  return r.stdout.split('\n').filter((l) => l && !l.includes('pgrep'))
}

describe('20 cycles of up and down on the host engine', () => {
  const seconds: number[] = []
  let before = ''

  beforeAll(async () => {
    await ensureLabImage(rt)
    await downLab(rt, 'cyctest')
    before = await engineResources()
  })

  it.each(Array.from({length: 20}, (_, i) => i + 1))('cycle %i leaves nothing behind', async () => {
    const started = Date.now()
    const up = await execa('node', ['bin/run.js', 'up', '--file', labFile], {reject: false, env, timeout: 120_000})
    if (up.exitCode !== 0) expect(up.stderr).toMatch(/IPVS is not available.*sudo modprobe ip_vs/)
    const down = await execa('node', ['bin/run.js', 'down', '--file', labFile, '--json'], {env, timeout: 120_000})
    expect(JSON.parse(down.stdout).removed.containers).toEqual(['cyctest-lvs1', 'cyctest-lvs2', 'cyctest-rs1', 'cyctest-rs2'])
    seconds.push((Date.now() - started) / 1000)
    expect(await engineResources()).toBe(before)
    expect(await strayProcesses()).toEqual([])
  })

  it('the last cycle is no slower than the first (within noise: +50%)', () => {
    console.log(`HOST CYCLES: ${seconds.map((s) => s.toFixed(2)).join(', ')} s`)
    expect(seconds).toHaveLength(20)
    expect(seconds.at(-1)!).toBeLessThanOrEqual(seconds[0]! * 1.5)
  })
})
