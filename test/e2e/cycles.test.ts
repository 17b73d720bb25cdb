// Repeated runs with real IPVS: cycles of up, chaos all and down leave no container, network,
// volume or process behind, and the last cycle takes no longer than the first (within noise).
// "Behind" is judged on this test's lab alone (by its label and name, and the volumes and processes
// of the containers it saw before down), never on the whole machine or engine.
import {describe, expect, it} from 'vitest'
import {parseLab} from '../../src/lab/load.js'
import {runChaos} from '../../src/ops/chaos.js'
import {downLab} from '../../src/ops/down.js'
import {upLab} from '../../src/ops/up/index.js'
import {DockerRuntime} from '../../src/runtime/docker/index.js'
import {ensureLabImage} from '../helpers/image.js'
import {expectVerified} from '../helpers/verified.js'
import {labLeftovers, labSnapshot} from '../helpers/owned.js'

const rt = new DockerRuntime()
const lab = parseLab('name: cycles')
const CYCLES = Number(process.env.LVSLAB_E2E_CYCLES ?? '5')

describe(`${CYCLES} cycles of up, chaos all and down`, () => {
  const seconds: number[] = []

  it.each(Array.from({length: CYCLES}, (_, i) => i + 1))('cycle %i', async () => {
    if (seconds.length === 0) await ensureLabImage(rt)
    const started = Date.now()
    const up = await upLab(rt, lab, {mode: 'least-privilege'})
    expectVerified(up.verify, 'up')
    const chaos = await runChaos(rt, lab, [{name: 'rs-down'}, {name: 'director-down'}, {name: 'kill-master'}], {
      restore: true,
      from: 'auto',
    })
    expect(chaos.drills.map((d) => [d.drill, d.ok, d.fault.failure ?? d.restore?.failure ?? ''])).toEqual([
      ['rs-down', true, ''],
      ['director-down', true, ''],
      ['kill-master', true, ''],
    ])
    // what the lab is made of just before down (the drills restarted keepalived and httpd)
    const snapStarted = Date.now()
    const seen = await labSnapshot('cycles')
    const snapshotMs = Date.now() - snapStarted
    const down = await downLab(rt, 'cycles')
    // the four nodes (and the client container when the drills probed from inside the lab)
    expect(down.removed.containers.filter((n: string) => !n.endsWith('-client'))).toHaveLength(4)
    seconds.push((Date.now() - started - snapshotMs) / 1000)
    console.log(
      `CYCLE ${seconds.length}: ${seconds.at(-1)!.toFixed(1)} s (docker top: ${seen.listed} processes in the lab's containers, ${seen.processes.length} seen here)`,
    )
    expect(await labLeftovers('cycles', seen)).toEqual([])
  })

  it('the last cycle is no slower than the first, within noise (+50%: the drills wait on timers that vary)', () => {
    expect(seconds).toHaveLength(CYCLES)
    console.log(`CYCLES: ${seconds.map((s) => s.toFixed(1)).join(', ')} s`)
    expect(seconds.at(-1)!).toBeLessThanOrEqual(seconds[0]! * 1.5)
  })
})
