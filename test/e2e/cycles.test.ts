// Repeated runs with real IPVS: cycles of up, chaos all and down leave no container, network,
// volume or process behind, and the last cycle takes no longer than the first (within noise).
import {execa} from 'execa'
import {describe, expect, it} from 'vitest'
import {parseLab} from '../../src/lab/load.js'
import {runChaos} from '../../src/ops/chaos.js'
import {downLab} from '../../src/ops/down.js'
import {upLab} from '../../src/ops/up.js'
import {DockerRuntime} from '../../src/runtime/docker.js'
import {ensureLabImage} from '../helpers/image.js'

const rt = new DockerRuntime()
const lab = parseLab('name: cycles')
const CYCLES = Number(process.env.LVSLAB_E2E_CYCLES ?? '5')

async function leftovers(): Promise<string[]> {
  const [ps, nets, vols] = await Promise.all([
    execa('docker', ['ps', '-a', '--format', '{{.Names}}']),
    execa('docker', ['network', 'ls', '--format', '{{.Name}}']),
    execa('docker', ['volume', 'ls', '-q']),
  ])
  const procs = await execa('pgrep', ['-af', 'keepalived|apache2|httpd|lvslab-prober'], {reject: false})
  return [
    ...ps.stdout.split('\n').filter(Boolean).map((n) => `container ${n}`),
    ...nets.stdout.split('\n').filter((n) => n && !['bridge', 'host', 'none'].includes(n)).map((n) => `network ${n}`),
    ...vols.stdout.split('\n').filter(Boolean).map((n) => `volume ${n}`),
    ...procs.stdout.split('\n').filter(Boolean).map((p) => `process ${p}`),
  ]
}

describe(`${CYCLES} cycles of up, chaos all and down`, () => {
  const seconds: number[] = []

  it.each(Array.from({length: CYCLES}, (_, i) => i + 1))('cycle %i', async () => {
    if (seconds.length === 0) await ensureLabImage(rt)
    const started = Date.now()
    const up = await upLab(rt, lab, {mode: 'least-privilege', renderer: 'silent'})
    expect(up.verify?.ok).toBe(true)
    const chaos = await runChaos(rt, lab, [{name: 'rs-down'}, {name: 'director-down'}, {name: 'kill-master'}], {restore: true, from: 'auto'})
    expect(chaos.drills.map((d) => [d.drill, d.ok, d.fault.failure ?? d.restore?.failure ?? ''])).toEqual([['rs-down', true, ''], ['director-down', true, ''], ['kill-master', true, '']])
    const down = await downLab(rt, 'cycles')
    expect(down.removed.containers).toHaveLength(4)
    seconds.push((Date.now() - started) / 1000)
    console.log(`CYCLE ${seconds.length}: ${seconds.at(-1)!.toFixed(1)} s`)
    expect(await leftovers()).toEqual([])
  })

  it('the last cycle is no slower than the first, within noise (+50%: the drills wait on timers that vary)', () => {
    expect(seconds).toHaveLength(CYCLES)
    console.log(`CYCLES: ${seconds.map((s) => s.toFixed(1)).join(', ')} s`)
    expect(seconds.at(-1)!).toBeLessThanOrEqual(seconds[0]! * 1.5)
  })
})
