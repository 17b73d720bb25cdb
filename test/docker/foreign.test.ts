// On the host's real engine: resources that are not the lab's (a container or network holding a lab
// name, a network overlapping the subnet) are refused with the fix, and `down` never touches them.
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parseLab} from '../../src/lab/load.js'
import {downLab} from '../../src/ops/down.js'
import {neighbourProblems} from '../../src/ops/up/index.js'
import {planLab} from '../../src/plan/plan.js'
import {DockerRuntime} from '../../src/runtime/docker/index.js'
import {ensureLabImage} from '../helpers/image.js'
import {labelledCount} from '../helpers/labelled.js'

const rt = new DockerRuntime()
const CLI = ['bin/run.js']
const LAB_YAML =
  'name: itest\nnetwork: {name: net, subnet: 172.29.0.0/16}\nvip: 172.29.1.100\ndirectors:\n  - {name: lvs1, ip: 172.29.1.1}\n  - {name: lvs2, ip: 172.29.1.2}\nreal_servers:\n  - {name: rs1, ip: 172.29.1.10}\n  - {name: rs2, ip: 172.29.1.11}\n'
const itLab = () => parseLab(LAB_YAML)
const labYaml = () => LAB_YAML

beforeAll(async () => {
  await ensureLabImage(rt)
  await downLab(rt, 'itest')
})

afterAll(async () => {
  await downLab(rt, 'itest')
  for (const name of ['itest-rs1', 'itest-rs2', 'itest-foreign-net', 'itest-net']) {
    await execa('docker', ['rm', '-f', name], {reject: false})
    await execa('docker', ['network', 'rm', name], {reject: false})
  }
})

describe('foreign resources', () => {
  const lab = itLab()
  const plan = planLab(lab, 'least-privilege')

  it('a container without the lab labels holding a node name: refused, and down leaves it', async () => {
    await execa('docker', ['create', '--name', 'itest-rs1', '--network', 'none', 'lvslab/lab:latest'])
    const problems = await neighbourProblems(rt, lab, plan)
    expect(problems.join('\n')).toMatch(/container itest-rs1 exists and is not node rs1 of lab itest \(fix: /)
    await downLab(rt, 'itest')
    expect(await rt.findContainer('itest-rs1')).toBeDefined()
    await execa('docker', ['rm', '-f', 'itest-rs1'])
  })

  it('up refuses a foreign container with a clear message and creates nothing', async () => {
    const {writeFileSync, mkdtempSync} = await import('node:fs')
    await execa('docker', ['create', '--name', 'itest-rs2', '--network', 'none', 'lvslab/lab:latest'])
    try {
      const dir = mkdtempSync('/tmp/lvslab-it-')
      writeFileSync(`${dir}/lab.yaml`, labYaml())
      const r = await execa('node', [...CLI, 'up', '--file', `${dir}/lab.yaml`], {
        reject: false,
        env: {CI: 'true', NODE_ENV: 'production', LVSLAB_IPVS_PRECHECK: 'off'},
      })
      expect(r.exitCode).toBe(1)
      expect(r.stderr).toMatch(
        /lvslab: check names and subnet: refusing to touch what is not this lab's: container itest-rs2 exists and is not node rs2 of lab itest \(fix: /,
      )
      expect(await labelledCount(rt, 'itest')).toBe(0)
      expect(await rt.findContainer('itest-rs2')).toBeDefined()
    } finally {
      await execa('docker', ['rm', '-f', 'itest-rs2'], {reject: false})
    }
  })

  it('a network overlapping the subnet: refused, and down leaves it', async () => {
    await execa('docker', ['network', 'create', '--subnet', '172.29.5.0/24', 'itest-foreign-net'])
    try {
      const problems = await neighbourProblems(rt, lab, plan)
      expect(problems.join('\n')).toMatch(/network itest-foreign-net \(172.29.5.0\/24\) overlaps the lab's subnet 172.29.0.0\/16 \(fix: /)
      await downLab(rt, 'itest')
      expect(await rt.findNetwork('itest-foreign-net')).toBeDefined()
    } finally {
      await execa('docker', ['network', 'rm', 'itest-foreign-net'], {reject: false})
    }
  })

  it('a network without labels holding the lab network name: refused', async () => {
    await execa('docker', ['network', 'create', '--subnet', '172.29.0.0/16', 'itest-net'])
    try {
      const problems = await neighbourProblems(rt, lab, plan)
      expect(problems.join('\n')).toMatch(/network itest-net exists and is not lab itest's/)
    } finally {
      await execa('docker', ['network', 'rm', 'itest-net'], {reject: false})
    }
  })
})
