// End to end with real IPVS and keepalived: the failover variants of issue 10, each on its own lab
// shared by its cases. A VRRP 3 lab at 0.1 s adverts (examples/fast.yaml): its drills repeated and
// summed up, a hard kill left in place (the stale VIP seen by status, cleaned by chaos restore), a
// partition (split brain on purpose), a paused MASTER, the Markdown report. A nopreempt lab: the VIP stays where a failover put it, and the next drill fails
// over from there.
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {loadLab} from '../../src/lab/load.js'
import {waitConverged} from '../../src/ops/converge.js'
import {labStatus} from '../../src/ops/status.js'
import {waitFor} from '../../src/ops/wait.js'
import {bounds, containerName, networkName, waitMs} from '../../src/plan/plan.js'
import {DockerRuntime} from '../../src/runtime/docker/index.js'
import {labFilter} from '../../src/runtime/labels.js'
import {cli, cliOk} from '../helpers/cli.js'
import {ensureLabImage} from '../helpers/image.js'
import {expectVerified} from '../helpers/verified.js'

const rt = new DockerRuntime()
const dir = mkdtempSync(join(tmpdir(), 'lvslab-failover-'))
// examples/fast.yaml as it is on a real host; in the emulated VM (LVSLAB_TIME_SCALE > 1), where every
// process runs 5-10 times slower, its adverts every 0.5 s instead of 0.1 s (still VRRP 3 with a
// fraction of a second): at 0.1 s, 1 of 5 kill-master runs there lost a request in both service samples
const SCALE = Number(process.env.LVSLAB_TIME_SCALE ?? '1')
const ADVERT = SCALE > 1 ? 0.5 : 0.1
const FAST = join(dir, 'fast.yaml')
writeFileSync(
  FAST,
  readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'fast.yaml'), 'utf8').replace(/^( {2}advert_int:) 0\.1$/m, `$1 ${ADVERT}`),
)

/** Every run of a drill report passed, restored, within its bound plus the margin in each phase; logged for the closing note. */
function expectWithin(label: string, drills: any[]): void {
  for (const d of drills) {
    console.log(
      `MEASURED ${label} ${d.drill} on ${d.target}: fault ${d.fault.window.measure} ${d.fault.window.measuredMs} ms (bound ${d.fault.window.boundMs}), ${d.fault.requests.failed}/${d.fault.requests.sent} failed; restore ${d.restore?.window.measuredMs} ms (bound ${d.restore?.window.boundMs}), ${d.restore?.requests.failed}/${d.restore?.requests.sent} failed; timeline ${d.timeline.map((e: any) => `${e.event}@${e.atMs}`).join(' | ')}`,
    )
    expect(d.ok, JSON.stringify(d.fault.failure ?? d.restore?.failure)).toBe(true)
    for (const phase of [d.fault, d.restore]) expect(phase.window.measuredMs).toBeLessThanOrEqual(phase.window.allowedMs)
  }
}

beforeAll(async () => {
  await ensureLabImage(rt)
})

describe('VRRP 3 at 0.1 s adverts (examples/fast.yaml)', () => {
  beforeAll(async () => {
    const up = await cliOk('up', '-f', FAST, '--json')
    expectVerified(up.json.verify, 'up')
  })
  afterAll(async () => {
    await cli('down', '-f', FAST)
  })

  it('director-down and kill-master, twice each: every run within its bounds, and the spread over the runs', async () => {
    const md = join(dir, 'fast.md')
    const html = join(dir, 'fast.html')
    const c = await cliOk('chaos', 'all', '-f', FAST, '--repeat', '2', '--json', '--markdown', md, '--html', html)
    expectWithin('fast', c.json.drills)
    expect(c.json.summary.map((s: any) => [s.drill, s.runs, s.ok])).toEqual([
      ['rs-down', 2, 2],
      ['director-down', 2, 2],
      ['kill-master', 2, 2],
    ])
    // VRRP 3's failover: 3 x advert_int + (256 - 50) / 256 x advert_int
    expect(c.json.summary[1].fault.boundMs).toBe(Math.round((3 + 206 / 256) * ADVERT * 1000))
    console.log(`SUMMARY fast ${JSON.stringify(c.json.summary)}`)
    const text = readFileSync(md, 'utf8')
    expect(text).toMatch(/^## lvslab chaos: lab fast passed$/m)
    expect(text).toMatch(/^### Over 2 runs/m)
    // the HTML page: a picture per run, drawn from every request the JSON report now keeps
    const page = readFileSync(html, 'utf8')
    expect(page.match(/<svg/g)).toHaveLength(6)
    expect(c.json.drills.every((d: any) => d.answers.length === d.requests.sent)).toBe(true)
    expect(page).toContain('>VIP moved to lvs2</text>')
  })

  it('hard-kill left in place: two holders, status names the stale VIP, chaos restore cleans it up', async () => {
    const k = await cliOk('chaos', 'hard-kill', '-f', FAST, '--no-restore', '--json')
    expect(k.json.drills[0].timeline.map((e: any) => e.event)).toContain('VIP on lvs2, stale VIP left on lvs1: two holders')
    const s = await cli('status', '-f', FAST, '--json')
    expect(s.json).toMatchObject({vipHolders: ['lvs1', 'lvs2'], masters: ['lvs2'], splitBrain: true})
    expect(s.json.notes.join('\n')).toMatch(/STALE VIP on lvs1/)
    const r = await cliOk('chaos', 'restore', '-f', FAST, '--json')
    expect(r.json.actions).toEqual(['removed the stale VIP, cleared IPVS and started keepalived on lvs1'])
    const h = await cliOk('chaos', 'hard-kill', '-f', FAST, '--json')
    expectWithin('fast', h.json.drills)
  })

  it('partition: split brain on purpose (both MASTER with the VIP), served through, healed; left in place, chaos restore heals it', async () => {
    const c = await cliOk('chaos', 'partition', '-f', FAST, '--json')
    expectWithin('fast', c.json.drills)
    expect(c.json.drills[0].timeline.map((e: any) => e.event)).toContain('split brain: lvs1 and lvs2 both MASTER with the VIP')
    await cliOk('chaos', 'partition', '-f', FAST, '--one-way', '--no-restore', '--json')
    const s = await cli('status', '-f', FAST, '--json')
    expect(s.json).toMatchObject({splitBrain: true, masters: ['lvs1', 'lvs2']})
    const r = await cliOk('chaos', 'restore', '-f', FAST, '--json')
    expect(r.json.actions).toEqual(['let VRRP through on lvs1 again'])
  })

  it("netem: rs1's packets 2 s late, past its 1 s connect_timeout: evicted while rs2 serves, re-added once removed", async () => {
    const c = await cliOk('chaos', 'netem', 'rs1', '-f', FAST, '--delay', '2000', '--json')
    expectWithin('fast', c.json.drills)
    expect(c.json.drills[0].timeline.map((e: any) => e.event)).toEqual(expect.arrayContaining(['rs1 evicted', 'rs1 re-added']))
  })

  // Only on a real host: in the emulated VM a request through the VIP already takes a good part of the
  // prober's 1 s, so twice even the default delay (200 ms there) made half of a sample time out (one run,
  // leg 2); the drill's logic is tested on the memory engine (test/unit/orchestration/netem-director.test.ts).
  it.skipIf(SCALE > 1)(
    "netem on the MASTER: a slow link (the default delay) keeps the VIP past lvs2's Master_Down_Interval; a cut link fails over beside it and heals",
    async () => {
      const slow = await cliOk('chaos', 'netem', 'lvs1', '-f', FAST, '--json')
      expectWithin('fast', slow.json.drills)
      expect(slow.json.drills[0].timeline.map((e: any) => e.event)).toContain('VIP stays on lvs1')
      const cut = await cliOk('chaos', 'netem', 'lvs1', '-f', FAST, '--loss', '100', '--json')
      expectWithin('fast', cut.json.drills)
      expect(cut.json.drills[0].timeline.map((e: any) => e.event)).toContain('split brain: lvs1 and lvs2 both MASTER with the VIP')
    },
  )

  it('pause: lvs2 takes over from the frozen lvs1; unpaused, lvs1 is MASTER again', async () => {
    const c = await cliOk('chaos', 'pause', '-f', FAST, '--json')
    expectWithin('fast', c.json.drills)
    expect(c.json.drills[0].timeline.map((e: any) => e.event)).toContain('VIP moved to lvs2, lvs1 paused')
  })
  // A copy of lvs1's vrrp_instance (same VRID, version, adverts and VIP) at priority 200, in a container
  // of the lab image that this test starts on the lab's network, under its own label, and removes: the
  // tracker's "someone copied keepalived.conf to another box". It wins the election; status and verify
  // must name it, and once it is gone the lab must take the VIP back.
  it("a foreign VRRP speaker with the lab's virtual_router_id takes the VIP; status and verify name it; removed, the lab is MASTER again", async () => {
    const lab = loadLab(FAST)
    const foreign = 'lvslab-e2e-foreign-vrrp'
    // one left by an aborted run of this test
    await rt.removeContainer(foreign)
    const created = await rt.createContainer({
      name: foreign,
      hostname: 'foreign',
      image: await ensureLabImage(rt),
      network: networkName(lab),
      ip: '172.25.1.200',
      labels: {'lvslab.e2e': 'foreign-vrrp'},
      capAdd: ['NET_ADMIN', 'NET_RAW'],
      privileged: false,
      sysctls: {},
    })
    try {
      await rt.startContainer(created.id)
      const conf = (await rt.exec(containerName(lab, 'lvs1'), ['cat', '/etc/keepalived/keepalived.conf'])).stdout
      const copy = conf
        .slice(0, conf.indexOf('virtual_server '))
        .replace(/router_id \S+/, 'router_id foreign')
        .replace(/priority \d+/, 'priority 200')
      const start = await rt.exec(
        foreign,
        [
          'bash',
          '-c',
          'echo "$CONF" | base64 -d > /etc/keepalived/foreign.conf && keepalived -f /etc/keepalived/foreign.conf -p /run/foreign.pid -D',
        ],
        {env: {CONF: Buffer.from(copy).toString('base64')}},
      )
      expect(start.exitCode, start.stderr).toBe(0)
      const limit = waitMs(bounds(lab).failover) + 60_000
      await waitFor("the lab's directors hear the foreign MASTER", limit, async () => {
        const st = await labStatus(rt, lab)
        return {done: st.notes.some((n) => n.startsWith('FOREIGN VRRP MASTER')), seen: st.notes.join(' | ')}
      })
      const held = await rt.exec(foreign, ['ip', '-o', '-4', 'addr', 'show', 'eth0'])
      expect(held.stdout).toContain(`${lab.vip}/32`)
      const s = await cli('status', '-f', FAST, '--json')
      expect(s.json.masters).toEqual([])
      // keepalived 2.3 names the foreign address; 2.2.7 may not, and then its priority tells it
      expect(s.json.notes.join('\n')).toMatch(
        /FOREIGN VRRP MASTER (172\.25\.1\.200 \(priority 200\)|of priority 200 \(keepalived names no address\)) on virtual_router_id 55: lvs1 and lvs2 hear it as the MASTER.*fix: stop that router/,
      )
      const v = await cli('verify', '-f', FAST, '--json')
      expect(v.exitCode).not.toBe(0)
      expect(v.json.checks.find((c: any) => c.name === 'exactly one director reports MASTER').detail).toMatch(
        /FOREIGN VRRP MASTER .*priority 200/,
      )
      await rt.removeContainer(foreign)
      await waitConverged(rt, lab, limit)
      await cliOk('verify', '-f', FAST, '--json')
    } finally {
      await rt.removeContainer(foreign)
    }
  })
})

describe('nopreempt', () => {
  const file = join(dir, 'nopreempt.yaml')
  // every director starts BACKUP, so whichever keepalived's Master_Down_Interval ends first wins the
  // first election, lvs2 as well as lvs1 (lvs2 won it on Docker 28.5): the first holder is read, not assumed
  let first = ''
  let second = ''
  beforeAll(async () => {
    writeFileSync(
      file,
      'name: np\nnetwork: {subnet: 172.23.0.0/16}\nvip: 172.23.1.100\nvrrp: {virtual_router_id: 54, nopreempt: true}\ndirectors:\n  - {name: lvs1, ip: 172.23.1.1}\n  - {name: lvs2, ip: 172.23.1.2}\nreal_servers:\n  - {name: rs1, ip: 172.23.1.10}\n  - {name: rs2, ip: 172.23.1.11}\n',
    )
    await cliOk('up', '-f', file, '--json')
    const s = await cliOk('status', '-f', file, '--json')
    expect(s.json.vipHolders).toHaveLength(1)
    first = s.json.vipHolders[0]
    second = first === 'lvs1' ? 'lvs2' : 'lvs1'
  })
  afterAll(async () => {
    await cli('down', '-f', file)
    expect(await rt.listContainers(labFilter('np'))).toEqual([])
  })

  it('says, without --json, that every director starts as BACKUP', async () => {
    const s = await cliOk('status', '-f', file)
    expect(s.stderr).toMatch(/lvslab: note: vrrp\.nopreempt: keepalived honours it only on a BACKUP instance/)
  })

  it('director-down: the VIP moves from the first holder to the other and stays there when the first returns; verify accepts it', async () => {
    const c = await cliOk('chaos', 'director-down', '-f', file, '--json')
    expect(c.json.drills[0].target).toBe(first)
    expectWithin('nopreempt', c.json.drills)
    expect(c.json.drills[0].timeline.map((e: any) => e.event)).toContain(`${first} BACKUP, VIP stays on ${second}`)
    const v = await cliOk('verify', '-f', file, '--json')
    expect(v.json.vipHolders).toEqual([second])
  })

  it('kill-master then fails over from the new holder, and the VIP stays on the first', async () => {
    const c = await cliOk('chaos', 'kill-master', '-f', file, '--json')
    expect(c.json.drills[0].target).toBe(second)
    expectWithin('nopreempt', c.json.drills)
    const s = await cli('status', '-f', file, '--json')
    expect(s.json.vipHolders).toEqual([first])
    expect(s.json.converged.ok).toBe(true)
  })
})
