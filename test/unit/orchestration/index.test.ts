// The orchestration suite: lvslab's use cases run unchanged against the memory runtime
// (test/helpers/memory), on every path, failures and interrupts included, in seconds. The real engine
// suites (test/docker, test/e2e) stay as they are and keep the final word.
//
// Paths covered: 89 (one test each)
//  upLab: 30 (up.test.ts, up-failures.test.ts, real-clock.test.ts)
//   1 fresh engine: network + 4 nodes created with their labels, converged on the MASTER, verified over HTTP
//   2 what it installs: arp sysctls, VIP on lo:1, pages, keepalived.conf per director; the VRRP states
//   3 the order of its engine calls: kept password, engine, neighbours, IPVS check, network, containers
//   4 privileged mode: the sysctls written in the container, privileged containers
//   5 no lab image on the engine: the default one is built, and up goes on
//   6 second run: nothing created or restarted, no throwaway IPVS check, verified again
//   7 second run: the random VRRP password kept on the network is kept
//   8 second run: a dead keepalived and a stopped container are started again
//   9 refused before anything: a foreign container holding a node's name
//  10 refused: a foreign container holding the probe container's name
//  11 refused: a foreign network holding the lab network's name
//  12 refused: a neighbour network overlapping the subnet
//  13 refused: its own nodes made from a different lab file
//  14 refused: a lab image the engine does not have
//  15 an engine error creating a container: one line in the engine's words; all made labelled; down removes it
//  16 a file that cannot be installed: putFile's exit and stderr
//  17 an engine call that hangs: the adapter's timeout
//  18 an engine without the arp sysctls: the real server step with its fix
//  19 no ip_vs under Docker Desktop: the throwaway check's place and fix
//  20 no ip_vs with the pre-check off: the directors' own check
//  21 an image without lvslab-facts: make the image again
//  22 keepalived -t refusing the config: lvslab's bug
//  23 a keepalived never MASTER: the convergence timeout with what was seen
//  24 a real server without the VIP on lo: the verify step names the failing checks
//  25 abort while converging: "interrupted", everything made labelled, down removes it all
//  26 abort before the start: nothing created
//  27 abort while an engine call hangs: interrupted at once (the signal reaches every engine call)
//  28 a hanging facts read: cut at the wait's bound, and the interrupt ends it at once
//  29 on the real clock: the convergence poll meets lvs1 before it is MASTER
//  30 step events: each step started then done or skipped with its reason, in order; a failed step's one line
//  verifyLab and labStatus: 16 (verify.test.ts)
//  31 passes: every check, the round robin sequence, requests per server
//  32 a real server down but still scheduled: answers, order and table checks fail
//  33 a real server down and evicted: passes
//  34 split brain: the holder, VIP and MASTER checks fail, SPLIT BRAIN named
//  35 no MASTER: no answers, no holder, both BACKUP
//  36 an unreadable fact: the facts check names the node and the tool's words
//  37 a node's helper printing no report: verify fails naming the node
//  38 another expected holder: the holder checks fail
//  39 a lab not running: refused with the fix
//  40 status of a converged lab: priorities, states, tables, pages, the PASS note
//  41 status of a split brain: named in a note
//  42 status with a director's eth0 down: FAULT, the VIP on the other director
//  43 status with an unreadable fact: state UNKNOWN, a COULD NOT READ note
//  44 status of no lab: exists false, no error
//  runChaos and runDrill: 20 (drills.test.ts, drill-failures.test.ts, real-clock.test.ts)
//  45 rs-down: evicted, restored; events, degraded window, requests, prober, report shape
//  46 director-down of the MASTER: takeover within failover (longest gap), takeback
//  47 director-down of the BACKUP: its eth0 down, the VIP stays
//  48 kill-master: takeover, the container runs on without keepalived, takeback
//  49 chaos all: the three drills in order, each from the original state
//  50 runDrill directly with makeDrill, at another rate
//  51 a fault that never shows (health checks frozen): fails naming the expectation, restored, chaos stops
//  52 a BACKUP that never becomes MASTER: fails naming the takeover and the states seen
//  53 --timeout replaces every derived bound
//  54 a fault that cannot be injected: "injecting the fault", the restore still runs
//  55 abort while the fault is awaited: "interrupted with the fault in place", the prober stopped
//  56 abort while the restore is awaited: "interrupted during the restore", the prober stopped
//  57 --no-restore: the fault left in place, no restore phase
//  58 refused before anything: a drill argument not in the lab
//  59 refused: a lab not running
//  60 refused: a lab not in its original state (split brain)
//  61 a later drill whose start state never comes: the drills so far and `stopped`
//  62 a prober that cannot start: no baseline, nothing injected
//  63 a foreign container holding the probe container's name: refused, nothing injected
//  64 on the real clock: kill-master with a 100 ms takeover
//  restoreLab and downLab: 8 (restore-down.test.ts)
//  65 restore: httpd, eth0 and keepalived faults undone at once, then converged
//  66 restore after chaos --no-restore
//  67 restore kills a prober loop left running in the client container
//  68 restore of a lab not running: refused with the fix
//  69 restore of a lab that does not converge: the timeout with what was seen
//  70 down: only labelled resources (a foreign container, another lab's, a neighbour network stay)
//  71 down again: nothing removed, no error
//  72 down with a foreign container on the lab network: the network stays, with the engine's reason
//  deadlines and interrupts: 14 (interrupts.test.ts)
//  73 waitFor polls on the same schedule: a last poll after the bound, then the timeout with what it saw
//  74 waitFor: a hanging check is cut one interval plus CHECK_OVERRUN_MS past the bound
//  75 waitFor: a check that ignores its signal is given up CHECK_ABORT_GRACE_MS after the cut
//  76 waitFor: an interrupt ends it at once, in a hanging check or in the pause
//  77 up with a hanging facts read: the convergence wait ends at its cut, naming the read
//  78 up interrupted during a hanging facts read: "interrupted" at once
//  79 chaos restore interrupted while waiting for a lab that does not converge
//  80 verify interrupted while the probe container's exec hangs
//  81 verify interrupted while the nodes' facts are read
//  82 up's verify step interrupted while the probes hang
//  83 the host prober: an interrupt aborts the request under way (a local server that never answers)
//  84 a drill interrupted while its fault's command hangs: the fault in place, the prober stopped
//  85 status, down, doctor and chaos restore: a hanging engine call ends at once on an interrupt
//  86 a signal aborted before a use case starts: no engine call that changes anything
//  verifyLab and IPVS's port reuse: 3 (verify.test.ts, interrupts.test.ts)
//  87 requests from a client port the MASTER's IPVS still tracked: not judged for order, counted
//  88 the connection table unreadable: every request judged, the reuse puts the first sample out of order
//  89 the host prober: each answer names its connection's local end (a local server)
// The memory runtime's own behaviour (engine refusals, faults, unknown commands): memory.test.ts.
import {readFileSync} from 'node:fs'
import {afterEach, describe, expect, it} from 'vitest'
import {parseIpOneline} from '../../../src/parse/ipaddr.js'
import {parseIpvsadm} from '../../../src/parse/ipvsadm.js'
import {keepalivedFeatures, parseKeepalivedData, parseKeepalivedVersion} from '../../../src/parse/keepalived.js'
import {c, classic, closeAll, memory, up} from './lab.js'

afterEach(closeAll)

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/userland/debian12/${name}`, import.meta.url), 'utf8')

/** lvslab-facts in a node of a lab that is up but has served no request, as parsed JSON. */
async function facts(node: string, args: string[]): Promise<Record<string, {ok: boolean; code: number; out: string; err: string}>> {
  const rt = memory()
  await up(rt, classic, {noVerify: true})
  const res = await rt.exec(c(node), ['lvslab-facts', ...args])
  expect(res.exitCode).toBe(0)
  return JSON.parse(res.stdout) as never
}

describe('the simulated nodes print what the recorded Debian 12 tools print', () => {
  it("lvs1 (the fixtures' node: 172.20.1.1 holding the VIP): ip, ipvsadm and the keepalived dump read the same", async () => {
    const doc = await facts('lvs1', ['--ipvs', '--vrrp'])
    expect(parseIpvsadm(doc.ipvs!.out)).toEqual(parseIpvsadm(fixture('ipvsadm-Ln.txt')))
    const inet = (text: string) =>
      parseIpOneline(text).links.map((l) => ({name: l.ifname, up: l.up, inet: l.addresses.filter((a) => a.family === 'inet')}))
    expect(inet(doc.ip!.out)).toEqual(inet(fixture('ip-o.txt')))
    const [recorded] = parseKeepalivedData(fixture('keepalived.data'), {strict: true})
    expect(parseKeepalivedData(doc.vrrp!.out, {strict: true})).toEqual([{...recorded, priority: 100, effectivePriority: 100}])
  })

  it('lvs2: BACKUP in its dump, no VIP on its eth0', async () => {
    const doc = await facts('lvs2', ['--ipvs', '--vrrp'])
    expect(parseKeepalivedData(doc.vrrp!.out, {strict: true})).toMatchObject([{instance: 'VI_1', state: 'BACKUP', priority: 50}])
    expect(
      parseIpOneline(doc.ip!.out)
        .links.find((l) => l.ifname === 'eth0')
        ?.addresses.map((a) => a.label),
    ).toEqual(['eth0'])
  })

  it("keepalived's version and help as the image recorded them, and the installed config", async () => {
    const doc = await facts('lvs1', ['--ipvs', '--keepalived'])
    expect(parseKeepalivedVersion(doc.keepalived_version!.out)).toMatchObject({major: 2, minor: 2, patch: 7})
    expect(keepalivedFeatures(doc.keepalived_help!.out)).toMatchObject({configTest: true, json: true})
    expect(doc.keepalived_conf!.out).toMatch(/^! keepalived\.conf for director lvs1 of lab classic/)
  })

  it("a real server: its pid, arp sysctls, the VIP on lo:1, and its page with curl's status line", async () => {
    const doc = await facts('rs1', ['--page', 'http://172.20.1.10:80/'])
    expect(doc.httpd).toMatchObject({ok: true, code: 0, out: expect.stringMatching(/^\d+$/)})
    expect(doc.keepalived).toEqual({ok: false, code: 3, out: '', err: ''})
    expect(doc.sysctl!.out.split('\n')).toEqual([
      'net.ipv4.conf.eth0.arp_ignore=1',
      'net.ipv4.conf.eth0.arp_announce=2',
      'net.ipv4.conf.all.arp_ignore=1',
      'net.ipv4.conf.all.arp_announce=2',
    ])
    expect(doc.ip!.out).toContain('1: lo    inet 172.20.1.100/32 scope global lo:1\\')
    expect(doc.page).toEqual({ok: true, code: 0, out: 'from 172.20.1.10\n\n200', err: ''})
  })

  it("a real server whose httpd is stopped: curl's own refusal", async () => {
    const rt = memory()
    await up(rt, classic, {noVerify: true})
    await rt.exec(c('rs2'), ['bash', '-c', 'lvslab-svc stop httpd'])
    const doc = JSON.parse((await rt.exec(c('rs2'), ['lvslab-facts', '--page', 'http://172.20.1.11:80/'])).stdout) as Record<
      string,
      unknown
    >
    expect(doc.page).toEqual({
      ok: false,
      code: 7,
      out: '\n000',
      err: "curl: (7) Failed to connect to 172.20.1.11 port 80 after 0 ms: Couldn't connect to server",
    })
  })
})
