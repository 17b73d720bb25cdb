// End to end with real IPVS: the classic lab, once per mode, one lab shared by the cases of a mode.
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parseLab} from '../../src/lab/load.js'
import {findAddress, parseIpAddrJson} from '../../src/parse/ipaddr.js'
import {parseIpvsadm} from '../../src/parse/ipvsadm.js'
import {isRoundRobin, makeProber, verifyLab} from '../../src/ops/verify.js'
import {markReused, trackedClients} from '../../src/ops/tracked.js'
import {labStatus} from '../../src/ops/status.js'
import {waitFor} from '../../src/ops/wait.js'
import {bounds, waitMs} from '../../src/plan/plan.js'
import {DockerRuntime} from '../../src/runtime/docker/index.js'
import {labFilter} from '../../src/runtime/labels.js'
import {cli, type CliResult} from '../helpers/cli.js'
import {ensureLabImage} from '../helpers/image.js'
import {expectVerified} from '../helpers/verified.js'

const rt = new DockerRuntime()
const lab = parseLab('')
const MODES = (process.env.LVSLAB_E2E_MODES ?? 'least-privilege,privileged').split(',')
// LVSLAB_E2E_DRILLS=kill-master: the short leg (another engine or userland): that drill alone instead of `chaos all`
const ALL_DRILLS = (process.env.LVSLAB_E2E_DRILLS ?? 'all') === 'all'
// Where the prober must run, said by the launcher of each leg (test/e2e/launch.js): from this machine
// beside a local engine, from a container with a remote engine (DOCKER_HOST, `vm engine`).
const VIA = process.env.LVSLAB_E2E_VIA ?? 'host'

beforeAll(async () => {
  await ensureLabImage(rt)
})

for (const mode of MODES) {
  describe(`the classic lab, ${mode}`, () => {
    let up: CliResult
    const flags = mode === 'privileged' ? ['--privileged'] : []

    beforeAll(async () => {
      up = await cli('up', ...flags, '--json')
      if (up.exitCode !== 0) console.error(up.stdout, up.stderr)
    })

    afterAll(async () => {
      await cli('down')
    })

    it('up creates, converges and verifies', () => {
      expect(up.exitCode).toBe(0)
      expect(up.json.mode).toBe(mode)
      expect(up.json.created.sort()).toEqual(['classic-lvs1', 'classic-lvs2', 'classic-lvs_dr', 'classic-rs1', 'classic-rs2'])
      expectVerified(up.json?.verify, 'up')
    })

    it('verify passes: exit 0, every check, JSON and JUnit', async () => {
      const junit = join(mkdtempSync(join(tmpdir(), 'lvslab-')), 'verify.xml')
      const v = await cli('verify', '--json', '--junit', junit)
      expect(v.exitCode).toBe(0)
      expectVerified(v.json)
      expect(v.json.via).toBe(VIA)
      expect(v.json.checks.length).toBeGreaterThanOrEqual(6)
      expect(v.json.checks.every((c: {ok: boolean}) => c.ok)).toBe(true)
      const xml = readFileSync(junit, 'utf8')
      expect(xml).toMatch(/<testsuite[^>]*tests="\d+"/)
      expect(xml).not.toMatch(/<failure/)
    })

    it('twenty answers alternate between from 172.20.1.10 and from 172.20.1.11', async () => {
      const prober = await makeProber(rt, lab, 'auto', mode as 'least-privilege' | 'privileged')
      expect(prober.via).toBe(VIA)
      // a request from a client port lvs1's IPVS still tracks is not scheduled (src/ops/tracked.ts)
      const tracked = await trackedClients(rt, lab, 'lvs1')
      expect(tracked.ok).toBe(true)
      const answers = markReused(await prober.many(20), tracked, Date.now())
      expect(answers.every((a) => a.ok && a.status === 200 && a.client)).toBe(true)
      const seq = answers.map((a) => a.server!)
      expect(new Set(seq)).toEqual(new Set(['172.20.1.10', '172.20.1.11']))
      expect(
        isRoundRobin(
          answers.filter((a) => !a.reused).map((a) => a.server!),
          2,
        ),
      ).toBe(true)
    })

    it('ipvsadm -Ln on lvs1 lists both real servers as Route', async () => {
      const res = await rt.exec('classic-lvs1', ['ipvsadm', '-Ln'])
      expect(res.exitCode).toBe(0)
      const [svc] = parseIpvsadm(res.stdout)
      expect(svc).toMatchObject({protocol: 'TCP', address: '172.20.1.100', port: 80, scheduler: 'rr'})
      expect(svc!.realServers.map((r) => [r.address, r.port, r.forward]).sort()).toEqual([
        ['172.20.1.10', 80, 'Route'],
        ['172.20.1.11', 80, 'Route'],
      ])
    })

    it("the VIP is on lvs1 with label eth0:1, not on lvs2, and on each real server's lo as /32", async () => {
      const lvs1 = parseIpAddrJson((await rt.exec('classic-lvs1', ['ip', '-j', 'addr', 'show', 'dev', 'eth0'])).stdout)
      expect(findAddress(lvs1, '172.20.1.100')).toMatchObject({label: 'eth0:1', prefixlen: 32})
      const lvs2 = parseIpAddrJson((await rt.exec('classic-lvs2', ['ip', '-j', 'addr'])).stdout)
      expect(findAddress(lvs2, '172.20.1.100')).toBeUndefined()
      for (const rs of ['classic-rs1', 'classic-rs2']) {
        const lo = parseIpAddrJson((await rt.exec(rs, ['ip', '-j', 'addr', 'show', 'dev', 'lo'])).stdout)
        expect(findAddress(lo, '172.20.1.100')).toMatchObject({label: 'lo:1', prefixlen: 32})
        const sysctls = (
          await rt.exec(rs, [
            'cat',
            '/proc/sys/net/ipv4/conf/all/arp_ignore',
            '/proc/sys/net/ipv4/conf/all/arp_announce',
            '/proc/sys/net/ipv4/conf/eth0/arp_ignore',
            '/proc/sys/net/ipv4/conf/eth0/arp_announce',
          ])
        ).stdout
        expect(sysctls.split('\n').filter(Boolean)).toEqual(['1', '2', '1', '2'])
      }
    })

    it('status --json: lvs1 MASTER and lvs2 BACKUP as keepalived reports them', async () => {
      const s = await cli('status', '--json')
      expect(s.exitCode).toBe(0)
      expect(s.json.directors.map((d: {name: string; vrrpState: string}) => [d.name, d.vrrpState])).toEqual([
        ['lvs1', 'MASTER'],
        ['lvs2', 'BACKUP'],
      ])
      expect(s.json.vipHolders).toEqual(['lvs1'])
      expect(s.json.splitBrain).toBe(false)
      expect(s.json.directors[0].ipvs.realServers).toHaveLength(2)
      expect(s.json.realServers.every((r: {httpd: boolean; vipOnLo: boolean}) => r.httpd && r.vipOnLo)).toBe(true)
    })

    it('keepalived is not PID 1: kill -9 of it leaves its container running, and it starts again', async () => {
      const pid1 = await rt.exec('classic-lvs2', ['cat', '/proc/1/cmdline'])
      expect(pid1.stdout).toMatch(/lvslab-init/)
      const ka = await rt.exec('classic-lvs2', ['lvslab-svc', 'pid', 'keepalived'])
      expect(Number(ka.stdout.trim())).toBeGreaterThan(1)
      // kill -9 the BACKUP's keepalived (the MASTER keeps serving): its container must stay up
      const killed = await rt.exec('classic-lvs2', ['lvslab-svc', 'kill', 'keepalived'])
      expect(killed.exitCode).toBe(0)
      const after = await rt.findContainer('classic-lvs2')
      expect(after?.running).toBe(true)
      expect((await rt.exec('classic-lvs2', ['lvslab-svc', 'pid', 'keepalived'])).exitCode).toBe(3)
      expect((await rt.exec('classic-lvs2', ['cat', '/proc/1/cmdline'])).stdout).toMatch(/lvslab-init/)
      // and back as it was: keepalived started again, lvs2 BACKUP, lvs1 still the MASTER with the VIP
      expect((await rt.exec('classic-lvs2', ['lvslab-svc', 'start', 'keepalived'])).exitCode).toBe(0)
      await waitFor('lvs2 BACKUP again', waitMs(bounds(lab).takeback + bounds(lab).readd), async () => {
        const s = await labStatus(rt, lab)
        const lvs2 = s.directors.find((d) => d.name === 'lvs2')
        return {
          done: lvs2?.vrrpState === 'BACKUP' && s.vipHolders.join() === 'lvs1',
          seen: `lvs2 ${lvs2?.vrrpState}; holders ${s.vipHolders.join(', ')}`,
        }
      })
    })

    if (ALL_DRILLS)
      it('chaos all: each drill reaches its states, serves throughout, and stays within its bound plus the margin', async () => {
        const junit = join(mkdtempSync(join(tmpdir(), 'lvslab-')), 'chaos.xml')
        const c = await cli('chaos', 'all', '--json', '--junit', junit)
        if (c.exitCode !== 0) console.error(c.stdout.slice(-4000), c.stderr)
        expect(c.exitCode).toBe(0)
        const drills = c.json.drills as any[]
        expect(drills.map((d) => d.drill)).toEqual(['rs-down', 'director-down', 'kill-master'])
        for (const d of drills) {
          // A report for the closing note: per drill, per phase, the window, failures and the bound.
          console.log(
            `MEASURED ${mode} ${d.drill}: fault ${d.fault.window.measure} ${d.fault.window.measuredMs} ms (bound ${d.fault.window.boundMs} ms, allowed ${d.fault.window.allowedMs} ms), ${d.fault.requests.failed}/${d.fault.requests.sent} failed; restore ${d.restore.window.measure} ${d.restore.window.measuredMs} ms (bound ${d.restore.window.boundMs} ms, allowed ${d.restore.window.allowedMs} ms), ${d.restore.requests.failed}/${d.restore.requests.sent} failed; prober ${d.prober.rateHz} Hz via ${d.prober.via}; timeline ${d.timeline.map((e: any) => `${e.event}@${e.atMs}`).join(' | ')}`,
          )
          expect(d.ok).toBe(true)
          expect(d.restored).toBe(true)
          for (const phase of [d.fault, d.restore]) {
            expect(phase.expectations.every((e: any) => e.ok)).toBe(true)
            expect(phase.service.ok).toBe(true)
            expect(phase.window.measuredMs).toBeLessThanOrEqual(phase.window.boundMs + d.marginMs)
          }
          // the prober really ran at its rate: at least half the requests it should have sent. From a
          // container in the emulated VM (time scale > 1) a quarter: each request is a process there,
          // and processes cost tens of ms (measured 9.8-10.4 Hz of 20; natively the same loop made 20 Hz).
          const seconds = (d.timeline.at(-1).atMs - d.timeline[0].atMs) / 1000
          console.log(
            `PROBER ${mode} ${d.drill}: ${d.requests.sent} requests in ${seconds.toFixed(1)} s = ${(d.requests.sent / seconds).toFixed(1)} Hz of ${d.prober.rateHz} Hz via ${d.prober.via}`,
          )
          const minFraction = d.prober.via === 'container' && d.timeScale > 1 ? 0.25 : 0.5
          expect(d.requests.sent).toBeGreaterThanOrEqual(Math.floor(seconds * d.prober.rateHz * minFraction))
        }
        const rsDown = drills[0]
        // while rs1 was out, only rs2 answered after its eviction
        expect(Object.keys(rsDown.fault.requests.perServer)).toContain('172.20.1.11')
        expect(readFileSync(junit, 'utf8')).toMatch(/testcase[^>]*name="kill-master restore"/)
      })

    if (!ALL_DRILLS)
      it('chaos kill-master: the BACKUP takes over, service continues, the MASTER takes back', async () => {
        const c = await cli('chaos', 'kill-master', '--json')
        if (c.exitCode !== 0) console.error(c.stdout.slice(-4000), c.stderr)
        expect(c.exitCode).toBe(0)
        const d = c.json.drills[0]
        console.log(
          `MEASURED ${mode} kill-master: fault ${d.fault.window.measuredMs} ms (bound ${d.fault.window.boundMs} ms), ${d.fault.requests.failed}/${d.fault.requests.sent} failed; restore ${d.restore.window.measuredMs} ms, ${d.restore.requests.failed}/${d.restore.requests.sent} failed; via ${d.prober.via}`,
        )
        expect(d.ok).toBe(true)
        expect(d.restored).toBe(true)
        expect(d.prober.via).toBe(VIA)
        for (const phase of [d.fault, d.restore]) expect(phase.window.measuredMs).toBeLessThanOrEqual(phase.window.boundMs + d.marginMs)
      })

    if (ALL_DRILLS)
      it('chaos kill-master --no-restore leaves the fault, and chaos restore undoes it', async () => {
        const k = await cli('chaos', 'kill-master', '--no-restore', '--json')
        expect(k.exitCode).toBe(0)
        expect(k.json.drills[0].restored).toBe(false)
        // (in-process from here: every CLI start costs half a minute in the emulated VM)
        const s = await labStatus(rt, lab)
        expect(s.vipHolders).toEqual(['lvs2'])
        expect(s.directors[0]!.keepalivedPid).toBeUndefined()
        expect(s.directors[0]!.running).toBe(true)
        const r = await cli('chaos', 'restore', '--json')
        expect(r.exitCode).toBe(0)
        expect(r.json.actions).toEqual(['started keepalived on lvs1'])
        expectVerified(await verifyLab(rt, lab))
      })

    // the tracker's classic: a real server's arp sysctls reset behind lvslab's back (only a privileged
    // container may write /proc/sys; least privilege keeps it read-only)
    if (mode === 'privileged')
      it("a real server's arp sysctls reset behind lvslab's back: verify and status say so", async () => {
        const set = (v: [string, string]) =>
          rt.exec('classic-rs1', [
            'sh',
            '-c',
            `for k in eth0 all; do sysctl -qw net.ipv4.conf.$k.arp_ignore=${v[0]} net.ipv4.conf.$k.arp_announce=${v[1]}; done`,
          ])
        expect((await set(['0', '0'])).exitCode).toBe(0)
        try {
          const v = await cli('verify', '--json')
          expect(v.exitCode).toBe(1)
          const arp = v.json.checks.find((c: any) => c.name.startsWith('every real server ignores ARP'))
          expect(arp).toMatchObject({ok: false})
          expect(arp.detail).toMatch(/^rs1 has arp_ignore 0 \(eth0 0, all 0\) and arp_announce 0/)
          const s = await labStatus(rt, lab)
          expect(s.notes.some((n) => n.startsWith('ARP: rs1 has arp_ignore 0'))).toBe(true)
        } finally {
          expect((await set(['1', '2'])).exitCode).toBe(0)
        }
        expectVerified(await verifyLab(rt, lab))
      })

    it('a second up changes nothing and verifies again', async () => {
      const again = await cli('up', ...flags, '--json')
      if (again.exitCode !== 0) console.error(again.stdout.slice(-4000), again.stderr)
      expect(again.exitCode).toBe(0)
      expect(again.json.created).toEqual([])
      expectVerified(again.json?.verify, 'second up')
    })

    it('down leaves no lab resource', async () => {
      const d = await cli('down', '--json')
      expect(d.exitCode, `down: ${d.stdout} ${d.stderr}`).toBe(0)
      // the client container exists when lvslab probed from inside the lab (a remote engine)
      expect(d.json.removed.containers).toEqual([
        ...(VIA === 'container' ? ['classic-client'] : []),
        'classic-lvs1',
        'classic-lvs2',
        'classic-rs1',
        'classic-rs2',
      ])
      expect(await rt.listContainers(labFilter('classic'))).toEqual([])
      expect(await rt.listNetworks(labFilter('classic'))).toEqual([])
    })
  })
}
