// The engine commands as oclif runs them in this process (test/helpers/oclif.ts), on the memory
// runtime (test/helpers/memory) through BaseCommand.runtimeFactory of the built CLI
// (test/helpers/engine-cli.ts), on the virtual clock: one classic lab through its life, up, verify
// (passing, then failing), status, a drill, restore, down, and an interrupted `up`. Each --json output
// validates against its schema in schemas/, and each exit code is the one README.md ("Commands",
// "JSON output") documents: 0 the result; 1 from verify/status/a drill with the result and `error`;
// 1 for a failed step, {error: {kind: 'step'}}; 130 for SIGINT, {error: {kind: 'interrupted'}}.
//
// The commands are the built ones: run `npm run build` first, as test/run-all.sh does.
import {afterAll, describe, expect, it, vi} from 'vitest'
import {lvslabOnVirtualClock as lvslab, memoryEngine, schemaProblems, until} from '../helpers/engine-cli.js'
import {LAB_PACE, MemoryRuntime, onVirtualClock, sleep} from '../helpers/memory/index.js'
import {inProcessCli} from '../helpers/oclif.js'

// The memory runtime throws the built CLI's own StepError (dist/errors.js as Node loads it), as the
// Docker adapter does in the real CLI, so that dist/cli/base.js maps it to exit 1 and {kind: 'step'}.
vi.mock(import('../../src/errors.js'), async () => {
  const {createRequire} = await import('node:module')
  return createRequire(import.meta.url)('../../dist/errors.js') as typeof import('../../src/errors.js')
})

const {config} = inProcessCli('lvslab-engine-')
const engine = memoryEngine(config)

/** The classic lab's containers, as `up` names them (the client is verify's probe container). */
const NODES = ['classic-lvs1', 'classic-lvs2', 'classic-rs1', 'classic-rs2']
/** The checks of a verify on the classic lab. */
const CHECKS = 9

/** Changes the simulated lab and lets it settle (its election and health checks): 10 s of virtual time. */
const settle = (rt: MemoryRuntime, change: () => void) =>
  onVirtualClock(async () => {
    change()
    rt.model.changed()
    await sleep(10_000)
  })

/** The checks of a verify result that failed, by name. */
const failed = (json: unknown) => (json as {checks: {name: string; ok: boolean}[]}).checks.filter((c) => !c.ok).map((c) => c.name)

describe('one classic lab through its life, on the memory runtime', () => {
  const rt = new MemoryRuntime({timings: LAB_PACE})
  engine.use(rt)
  afterAll(() => {
    rt.close()
    expect(rt.unrecognised).toEqual([])
  })

  it('up --json: exit 0, the lab created, converged and verified', async () => {
    const r = await lvslab(['up', '--json', '--from', 'container'])
    expect(r.exit).toBe(0)
    expect(schemaProblems('up.schema.json', r.json)).toBe('')
    expect(r.result).toEqual(r.json)
    expect(r.json).toMatchObject({lab: 'classic', mode: 'least-privilege', existing: [], verify: {ok: true, via: 'container'}})
    expect((r.json?.created as string[]).sort()).toEqual([...NODES, 'classic-lvs_dr'].sort())
    expect(r.json?.convergedMs).toEqual(expect.any(Number))
    expect(rt.container('classic-lvs1').node).toMatchObject({vrrp: 'MASTER', vipHeld: true})
  })

  it('verify --json: exit 0, every check holds', async () => {
    const r = await lvslab(['verify', '--json', '--from', 'container'])
    expect(r.exit).toBe(0)
    expect(schemaProblems('verify.schema.json', r.json)).toBe('')
    expect(r.json).toMatchObject({ok: true, vipHolders: ['lvs1'], healthy: ['172.20.1.10', '172.20.1.11']})
    expect(r.json).not.toHaveProperty('error')
    expect(failed(r.json)).toEqual([])
  })

  it('status --json: exit 0, lvs1 MASTER holding the VIP, both real servers set up', async () => {
    const r = await lvslab(['status', '--json'])
    expect(r.exit).toBe(0)
    expect(schemaProblems('status.schema.json', r.json)).toBe('')
    expect(r.json).toMatchObject({exists: true, splitBrain: false, vipHolders: ['lvs1']})
    const s = r.json as {directors: {name: string; vrrpState: string}[]; realServers: {name: string; httpd: boolean}[]}
    expect(s.directors.map((d) => `${d.name} ${d.vrrpState}`)).toEqual(['lvs1 MASTER', 'lvs2 BACKUP'])
    expect(s.realServers.map((x) => `${x.name} ${x.httpd}`)).toEqual(['rs1 true', 'rs2 true'])
  })

  it('verify on a broken lab (rs1 httpd stopped, health checks frozen): exit 1, the result with `error` in one line', async () => {
    await settle(rt, () => {
      rt.model.faults.checksFrozen = true
      delete rt.container('classic-rs1').node.pids.httpd
    })
    const r = await lvslab(['verify', '--json', '--from', 'container'])
    expect(r.exit).toBe(1)
    expect(schemaProblems('verify.schema.json', r.json)).toBe('')
    const named = "every answer is 200; round robin order; the MASTER's IPVS table equals the healthy real servers"
    expect(r.json).toMatchObject({ok: false, error: `lab classic: 3 of ${CHECKS} checks failed: ${named}`})
    expect(failed(r.json)).toEqual(['every answer is 200', 'round robin order', "the MASTER's IPVS table equals the healthy real servers"])
    // without --json: the checks on stdout, the failure as one line on stderr
    const text = await lvslab(['verify', '--from', 'container'])
    expect(text.exit).toBe(1)
    expect(text.stderr).toBe(`lvslab: lab classic: 3 of ${CHECKS} checks failed: ${named}\n`)
    expect(text.stdout).toContain('every answer is 200')
  })

  it('chaos restore --json: exit 0, httpd started on rs1, and verify passes again', async () => {
    rt.model.faults.checksFrozen = false
    const r = await lvslab(['chaos', 'restore', '--json'])
    expect(r.exit).toBe(0)
    expect(schemaProblems('chaos-restore.schema.json', r.json)).toBe('')
    expect(r.json).toMatchObject({lab: 'classic', actions: ['started httpd on rs1'], convergedMs: expect.any(Number)})
    expect((await lvslab(['verify', '--json', '--from', 'container'])).exit).toBe(0)
  })

  it('status on a split brain: exit 1, the result with `error`', async () => {
    await settle(rt, () => (rt.model.faults.splitBrain = true))
    const r = await lvslab(['status', '--json'])
    expect(r.exit).toBe(1)
    expect(schemaProblems('status.schema.json', r.json)).toBe('')
    expect(r.json).toMatchObject({
      splitBrain: true,
      vipHolders: ['lvs1', 'lvs2'],
      error: 'lab classic: split brain, lvs1 and lvs2 hold the VIP',
    })
    await settle(rt, () => (rt.model.faults.splitBrain = false))
  })

  it('chaos kill-master --json: exit 0, the drill holds and the lab is restored', async () => {
    const r = await lvslab(['chaos', 'kill-master', '--json', '--from', 'container'])
    expect(r.exit).toBe(0)
    expect(schemaProblems('chaos.schema.json', r.json)).toBe('')
    expect(r.json).toMatchObject({lab: 'classic', ok: true, drills: [{drill: 'kill-master', target: 'lvs1', ok: true, restored: true}]})
    const timeline = (r.json as {drills: {timeline: {event: string}[]}[]}).drills[0]?.timeline.map((e) => e.event)
    expect(timeline).toContain('fault injected: kill -9 the keepalived main process of lvs1')
    expect(r.json).not.toHaveProperty('error')
    expect(rt.container('classic-lvs1').node).toMatchObject({vrrp: 'MASTER', vipHeld: true})
  })

  it('chaos kill-master --no-restore leaves lvs1 down; chaos restore starts its keepalived', async () => {
    const left = await lvslab(['chaos', 'kill-master', '--no-restore', '--json', '--from', 'container'])
    expect(left.exit).toBe(0)
    expect(schemaProblems('chaos.schema.json', left.json)).toBe('')
    expect(rt.container('classic-lvs1').node.pids.keepalived).toBeUndefined()
    const r = await lvslab(['chaos', 'restore', '--json'])
    expect(r.exit).toBe(0)
    expect(r.json).toMatchObject({actions: ['started keepalived on lvs1']})
    expect(rt.container('classic-lvs1').node).toMatchObject({vrrp: 'MASTER', vipHeld: true})
  })

  it('an engine call that fails: exit 1, {error: {kind: "step"}} naming the call', async () => {
    rt.inject({call: 'listContainers', effect: {fail: 'Cannot connect to the Docker daemon'}, times: 1})
    const r = await lvslab(['down', '--json'])
    expect(r.exit).toBe(1)
    expect(schemaProblems('error.schema.json', r.json)).toBe('')
    expect(r.json).toMatchObject({
      error: {kind: 'step', step: 'list containers', message: 'list containers: Cannot connect to the Docker daemon'},
    })
  })

  it('down --json: exit 0, the containers and the network removed; again, nothing to remove', async () => {
    const r = await lvslab(['down', '--json'])
    expect(r.exit).toBe(0)
    expect(schemaProblems('down.schema.json', r.json)).toBe('')
    expect(r.json).toEqual({lab: 'classic', removed: {containers: [...NODES, 'classic-client'].sort(), networks: ['classic-lvs_dr']}})
    expect(await rt.listContainers({})).toEqual([])
    const again = await lvslab(['down', '--json'])
    expect(again.exit).toBe(0)
    expect(again.json).toEqual({lab: 'classic', removed: {containers: [], networks: []}})
  })

  it('with no lab: status exits 0 saying so, verify exits 1 with {error: {kind: "step"}} and the fix', async () => {
    const s = await lvslab(['status', '--json'])
    expect(s.exit).toBe(0)
    expect(schemaProblems('status.schema.json', s.json)).toBe('')
    expect(s.json).toMatchObject({exists: false})
    const v = await lvslab(['verify', '--json'])
    expect(v.exit).toBe(1)
    expect(schemaProblems('error.schema.json', v.json)).toBe('')
    expect(v.json).toEqual({
      error: {kind: 'step', step: 'verify', message: 'verify: lab classic is not running (fix: `lvslab up`)', fix: '`lvslab up`'},
    })
  })
})

describe('an interrupted command', () => {
  it('up --json, SIGINT while creating rs1: exit 130, {error: {kind: "interrupted"}} saying what exists', async () => {
    const rt = new MemoryRuntime({timings: LAB_PACE})
    engine.use(rt)
    try {
      rt.inject({call: 'createContainer', match: /rs1/, effect: {hang: true}, times: 1})
      const before = process.listeners('SIGINT')
      const r = await lvslab(['up', '--json', '--from', 'container'], {
        // the signal as Node delivers it: to the listener the command added (not to vitest's own)
        during: async () => {
          await until(() => rt.calls.some((c) => c.call === 'createContainer' && c.subject.includes('rs1')))
          for (const l of process.listeners('SIGINT')) if (!before.includes(l)) l('SIGINT')
        },
      })
      expect(r.exit).toBe(130)
      expect(schemaProblems('error.schema.json', r.json)).toBe('')
      const error = (r.json as {error: {kind: string; signal: string; message: string}}).error
      expect(error).toMatchObject({kind: 'interrupted', signal: 'SIGINT'})
      // what exists: the network and rs2, created beside rs1 (which never was); the directors come after the real servers
      expect(error.message).toBe(
        'interrupted by SIGINT (create container classic-rs1: interrupted); lab classic now has: classic-lvs_dr, classic-rs2 (fix: `lvslab down` removes it, `lvslab up` finishes it, `lvslab chaos restore` undoes a drill)',
      )
    } finally {
      rt.close()
    }
    expect(rt.unrecognised).toEqual([])
  })

  it('every command got the memory runtime through the hook', () => {
    expect(engine.made()).toBeGreaterThan(10)
  })
})
