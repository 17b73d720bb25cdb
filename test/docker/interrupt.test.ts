// SIGINT and SIGTERM at random points of `up` on the host's engine: lvslab stops, says what exists,
// exits 130 or 143, and `down` then leaves nothing of the lab. (This host has no IPVS: `up` goes as
// far as the directors, whose own IPVS check stops it; the end-to-end suite interrupts a full `up`.)
import {mkdtempSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {downLab} from '../../src/ops/down.js'
import {DockerRuntime} from '../../src/runtime/docker/index.js'
import {labFilter} from '../../src/runtime/labels.js'
import {ensureLabImage} from '../helpers/image.js'

const rt = new DockerRuntime()
const dir = mkdtempSync('/tmp/lvslab-int-')
const labFile = join(dir, 'lab.yaml')
writeFileSync(
  labFile,
  'name: inttest\nnetwork: {subnet: 172.28.0.0/16}\nvip: 172.28.1.100\ndirectors: [{name: lvs1, ip: 172.28.1.1}, {name: lvs2, ip: 172.28.1.2}]\nreal_servers: [{name: rs1, ip: 172.28.1.10}, {name: rs2, ip: 172.28.1.11}]\n',
)
const env = {CI: 'true', NODE_ENV: 'production', LVSLAB_IPVS_PRECHECK: 'off'}
const count = async () => (await rt.listContainers(labFilter('inttest'))).length + (await rt.listNetworks(labFilter('inttest'))).length

beforeAll(async () => {
  await ensureLabImage(rt)
  await downLab(rt, 'inttest')
})
afterAll(async () => {
  await downLab(rt, 'inttest')
})

describe('interrupting up', () => {
  let natural = 0

  it('uninterrupted, up runs until the directors find no IPVS here (its length sets the range)', async () => {
    const started = Date.now()
    const r = await execa('node', ['bin/run.js', 'up', '--file', labFile], {reject: false, env, timeout: 120_000})
    natural = Date.now() - started
    if (r.exitCode === 0) return // a host with IPVS: up completed
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toMatch(/ip_vs kernel module is not loaded.*fix: load the module/)
    await downLab(rt, 'inttest')
  })

  // A fixed sequence of points, spread over the run (no randomness that could hide a failure).
  const points = Array.from({length: 20}, (_, i) => ({
    i,
    signal: i % 2 === 0 ? ('SIGINT' as const) : ('SIGTERM' as const),
    fraction: ((i * 7919) % 20) / 20,
  }))
  it.each(points)('interrupt $i: $signal at $fraction of the run', async ({signal, fraction}) => {
    const child = execa('node', ['bin/run.js', 'up', '--file', labFile], {reject: false, env, timeout: 120_000})
    // node itself takes ~0.5 s to start; spread the signal over the rest of the run
    const at = 600 + Math.round(fraction * Math.max(500, natural - 600))
    const timer = setTimeout(() => child.kill(signal), at)
    const r = await child
    clearTimeout(timer)
    if (r.signal === signal) {
      // killed while node was still starting, before lvslab had begun: nothing of the lab exists
      expect(r.exitCode).toBeUndefined()
    } else if (r.exitCode === 130 || r.exitCode === 143) {
      expect(r.exitCode).toBe(signal === 'SIGINT' ? 130 : 143)
      expect(r.stderr).toMatch(new RegExp(`interrupted by ${signal} .*lab inttest now has: .* \\(fix: \`lvslab down\` removes it`))
    } else {
      // the signal came after up had already ended on its own
      expect([0, 1]).toContain(r.exitCode)
    }
    expect(r.stderr).not.toMatch(/\n\s+at /)
    const d = await execa('node', ['bin/run.js', 'down', '--file', labFile, '--json'], {env, timeout: 120_000})
    expect(JSON.parse(d.stdout).lab).toBe('inttest')
    expect(await count()).toBe(0)
  })
})
