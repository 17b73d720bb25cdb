// Which requests IPVS did not schedule (src/ops/tracked.ts): the table read, and the marking rule.
import {describe, expect, it} from 'vitest'
import {parseLab} from '../../src/lab/load.js'
import {EXPIRY_MARGIN_MS, markReused, type Tracked, trackedClients} from '../../src/ops/tracked.js'
import type {Answer} from '../../src/probe/http.js'
import type {ExecResult, Runtime} from '../../src/runtime/types.js'

const lab = parseLab('')

/** A runtime whose only call is an exec that answers (or throws) as told, recording what it ran. */
function execOnly(answer: () => Promise<ExecResult>): Runtime & {ran: string[][]} {
  const ran: string[][] = []
  return {
    ran,
    exec: async (container: string, cmd: string[]) => {
      ran.push([container, ...cmd])
      return answer()
    },
  } as unknown as Runtime & {ran: string[][]}
}

const TABLE = [
  'IPVS connection entries',
  'pro expire state       source             virtual            destination',
  'TCP 01:08  FIN_WAIT    172.20.255.254:37672 172.20.1.100:80    172.20.1.10:80',
  'TCP 14:33  ESTABLISHED 172.20.255.254:48488 172.20.1.100:80    172.20.1.11:80',
  'TCP 00:40  TIME_WAIT   172.20.255.254:40000 172.20.1.100:80    172.20.1.10:80',
  'TCP 00:05  CLOSE       172.20.255.254:40002 172.20.1.100:80    172.20.1.11:80',
  'TCP 01:00  FIN_WAIT    172.20.255.254:40004 172.30.1.100:80    172.30.1.10:80',
].join('\n')

describe('trackedClients', () => {
  it("keeps the lab service's entries IPVS would not reschedule, with their real server and expiry", async () => {
    const rt = execOnly(async () => ({exitCode: 0, stdout: `${TABLE}\n`, stderr: ''}))
    const before = Date.now()
    const t = await trackedClients(rt, lab, 'lvs1')
    expect(rt.ran).toEqual([['classic-lvs1', 'ipvsadm', '-Lnc']])
    if (!t.ok) throw new Error(t.why)
    // TIME_WAIT and CLOSE are rescheduled (conn_reuse_mode 1); another VIP's entry is not the lab's
    expect([...t.clients.keys()]).toEqual(['172.20.255.254:37672', '172.20.255.254:48488'])
    const e = t.clients.get('172.20.255.254:37672')!
    expect(e.realServer).toBe('172.20.1.10')
    expect(e.untilMs - before).toBeGreaterThanOrEqual(68_000)
    expect(e.untilMs - Date.now()).toBeLessThanOrEqual(68_000)
  })

  it('says why when the table cannot be read: a failed ipvsadm, unknown text, an engine error', async () => {
    const denied = await trackedClients(
      execOnly(async () => ({exitCode: 2, stdout: '', stderr: "Can't initialize ipvs: Permission denied\n"})),
      lab,
      'lvs1',
    )
    expect(denied).toEqual({ok: false, why: "ipvsadm -Lnc on lvs1: exit 2 Can't initialize ipvs: Permission denied"})
    const garbled = await trackedClients(
      execOnly(async () => ({exitCode: 0, stdout: 'garbage', stderr: ''})),
      lab,
      'lvs1',
    )
    expect(garbled).toEqual({ok: false, why: 'not ipvsadm -Lnc output: garbage'})
    const gone = await trackedClients(
      execOnly(async () => {
        throw new Error('exec in classic-lvs1: no such container')
      }),
      lab,
      'lvs1',
    )
    expect(gone).toEqual({ok: false, why: 'exec in classic-lvs1: no such container'})
  })

  it('an interrupt is not a reason: it is thrown', async () => {
    const ac = new AbortController()
    ac.abort()
    const rt = execOnly(async () => {
      throw new Error('exec in classic-lvs1: interrupted')
    })
    await expect(trackedClients(rt, lab, 'lvs1', ac.signal)).rejects.toThrow('interrupted')
  })
})

describe('markReused', () => {
  const now = 1_000_000
  const tracked: Tracked = {
    ok: true,
    clients: new Map([
      ['172.20.255.254:1000', {realServer: '172.20.1.10', untilMs: now + 60_000}],
      ['172.20.255.254:1002', {realServer: '172.20.1.11', untilMs: now + 60_000}],
      ['172.20.255.254:1004', {realServer: '172.20.1.10', untilMs: now + 2_100}],
    ]),
  }
  const answer = (at: number, port: number, server: string): Answer => ({
    at,
    ok: true,
    status: 200,
    ms: 5,
    server,
    client: `172.20.255.254:${port}`,
  })

  it('marks a request only when its entry is there, still valid when it was sent, and its answer came from that real server', () => {
    const out = markReused(
      [
        answer(500, 1000, '172.20.1.10'), // tracked, same real server: not scheduled
        answer(600, 1002, '172.20.1.10'), // tracked, but another real server answered: it was scheduled
        answer(700, 1004, '172.20.1.10'), // tracked, but expiring within the margin: judged
        answer(800, 2000, '172.20.1.11'), // a port not in the table
      ],
      tracked,
      now,
    )
    expect(out.map((a) => Boolean(a.reused))).toEqual([true, false, false, false])
    // the third was sent 200 ms in, its entry gone 2100 ms in: within the margin
    expect(200 + EXPIRY_MARGIN_MS).toBeGreaterThan(2_100)
  })

  it('changes nothing when the table was not read', () => {
    const list = [answer(0, 1000, '172.20.1.10')]
    expect(markReused(list, {ok: false, why: 'not read'}, now)).toEqual(list)
  })
})
