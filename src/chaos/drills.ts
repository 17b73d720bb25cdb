// The classic lab's three failure drills, as data: what to inject, what to expect, how to restore,
// what to expect then. The engine (run.ts) times them and probes the VIP throughout.
import {InputError, StepError} from '../lab/errors.js'
import {type Director, type Lab, masterOf} from '../lab/model.js'
import {type Bounds, bounds, containerName} from '../plan/plan.js'
import type {Runtime} from '../runtime/types.js'
import {directorFacts, realServerFacts, vipService} from '../ops/facts.js'
import type {Poll} from '../ops/wait.js'

export type DrillName = 'rs-down' | 'director-down' | 'kill-master'
export const DRILLS: DrillName[] = ['rs-down', 'director-down', 'kill-master']

export interface Expectation {
  /** What is expected, e.g. "lvs2 holds the VIP as eth0:1 and reports MASTER". */
  name: string
  /** The timeline event recorded when it holds, e.g. "VIP moved". */
  event: string
  /** Seconds from the lab's timers (before the host's slowness factor). */
  boundSeconds: number
  poll: () => Promise<Poll<unknown>>
}

export interface Drill {
  name: DrillName
  target: string
  description: string
  /** The servers that must answer while the fault is in place, and after the restore. */
  faultServers: string[]
  restoredServers: string[]
  /** The VIP holder expected while the fault is in place, and after the restore. */
  faultHolder: string
  restoredHolder: string
  /** Which measure of the fault phase is bounded, and by what (seconds). */
  faultWindow: {measure: 'longest gap' | 'degraded'; boundSeconds: number; bound: string}
  restoreWindow: {measure: 'longest gap'; boundSeconds: number; bound: string}
  inject(): Promise<void>
  expectFault: Expectation[]
  restore(): Promise<void>
  expectRestored: Expectation[]
}

async function run(rt: Runtime, container: string, cmd: string, step: string): Promise<void> {
  const res = await rt.exec(container, ['bash', '-c', cmd])
  if (res.exitCode !== 0)
    throw new StepError(step, `${container}: ${(res.stderr || res.stdout).trim().split('\n').pop() || `exit ${res.exitCode}`}`)
}

function otherDirector(lab: Lab, name: string): Director {
  const others = lab.directors.filter((d) => d.name !== name).sort((a, b) => b.priority - a.priority)
  if (others.length === 0)
    throw new InputError(
      `directors: lab ${lab.name} has one director, so there is nothing to fail over to (fix: add a BACKUP director to the lab file)`,
    )
  return others[0]!
}

/** What could not be read on these nodes, for a poll's `seen` (empty when everything was read). */
function unread(facts: {name: string; unreadable: string[]}[]): string {
  const all = facts.flatMap((f) => f.unreadable.map((u) => `${f.name}: ${u}`))
  return all.length > 0 ? `; could not read: ${all.join('; ')}` : ''
}

/**
 * A director holds the VIP as eth0:1 and reports MASTER, and no other director holds it. Never done
 * while a director's facts cannot be read: an unread peer is not a peer without the VIP.
 */
function holds(rt: Runtime, lab: Lab, who: Director): () => Promise<Poll<unknown>> {
  return async () => {
    const facts = await Promise.all(lab.directors.map((d) => directorFacts(rt, lab, d)))
    const me = facts.find((f) => f.name === who.name)!
    const others = facts.filter((f) => f.name !== who.name && f.holdsVip).map((f) => f.name)
    return {
      done:
        me.holdsVip &&
        me.vipLabel === 'eth0:1' &&
        me.vrrpState === 'MASTER' &&
        others.length === 0 &&
        facts.every((f) => f.unreadable.length === 0),
      seen: facts.map((f) => `${f.name}: ${f.vrrpState}${f.holdsVip ? ` holding the VIP (${f.vipLabel})` : ''}`).join(', ') + unread(facts),
    }
  }
}

/** The IPVS table of a director lists exactly these real servers (an unreadable table is not a match). */
function table(rt: Runtime, lab: Lab, who: Director, servers: string[]): () => Promise<Poll<unknown>> {
  const want = [...servers].sort()
  return async () => {
    const f = await directorFacts(rt, lab, who)
    const got = (vipService(lab, f.ipvs)?.realServers ?? []).map((r) => r.address).sort()
    return {
      done: !f.ipvsError && JSON.stringify(got) === JSON.stringify(want),
      seen: `${who.name}'s IPVS table: ${f.ipvsError ? 'unreadable' : got.join(', ') || 'empty'}${unread([f])}`,
    }
  }
}

export function makeDrill(rt: Runtime, lab: Lab, name: DrillName, target?: string, b: Bounds = bounds(lab)): Drill {
  const master = masterOf(lab)
  const all = lab.real_servers.map((r) => r.ip)
  switch (name) {
    case 'rs-down': {
      const rs = lab.real_servers.find((r) => r.name === (target ?? lab.real_servers[0]!.name))
      if (!rs)
        throw new InputError(
          `RS: no real server ${target} in lab ${lab.name} (fix: name one of ${lab.real_servers.map((r) => r.name).join(', ')})`,
        )
      if (lab.real_servers.length < 2)
        throw new InputError(
          `real_servers: lab ${lab.name} has one real server, so stopping it leaves nothing to serve (fix: add a real server to the lab file)`,
        )
      const rest = all.filter((ip) => ip !== rs.ip)
      const c = containerName(lab, rs.name)
      return {
        name,
        target: rs.name,
        description: `stop httpd on ${rs.name} (as systemctl stop httpd)`,
        faultServers: rest,
        restoredServers: all,
        faultHolder: master.name,
        restoredHolder: master.name,
        faultWindow: {
          measure: 'degraded',
          boundSeconds: b.eviction,
          bound: 'delay_loop + (retry + 1) x connect_timeout + retry x delay_before_retry',
        },
        restoreWindow: {measure: 'longest gap', boundSeconds: b.readd, bound: 'delay_loop + connect_timeout'},
        inject: () => run(rt, c, 'lvslab-svc stop httpd', `stop httpd on ${rs.name}`),
        expectFault: [
          {
            name: `${master.name}'s health check removes ${rs.name} from the IPVS table`,
            event: `${rs.name} evicted`,
            boundSeconds: b.eviction,
            poll: table(rt, lab, master, rest),
          },
        ],
        restore: () => run(rt, c, 'lvslab-svc start httpd', `start httpd on ${rs.name}`),
        expectRestored: [
          {
            name: `${rs.name}'s httpd answers again`,
            event: `${rs.name} httpd up`,
            boundSeconds: 5,
            poll: async () => {
              const f = await realServerFacts(rt, lab, rs)
              return {done: f.page === `from ${rs.ip}`, seen: `${rs.name}: httpd ${f.httpd ? 'up' : 'down'}, page ${f.page ?? 'none'}`}
            },
          },
          {
            name: `${master.name}'s health check adds ${rs.name} back`,
            event: `${rs.name} re-added`,
            boundSeconds: b.readd,
            poll: table(rt, lab, master, all),
          },
        ],
      }
    }
    case 'director-down': {
      const d = lab.directors.find((x) => x.name === (target ?? master.name))
      if (!d)
        throw new InputError(
          `DIRECTOR: no director ${target} in lab ${lab.name} (fix: name one of ${lab.directors.map((x) => x.name).join(', ')})`,
        )
      const other = d.name === master.name ? otherDirector(lab, d.name) : master
      const c = containerName(lab, d.name)
      return {
        name,
        target: d.name,
        description: `take eth0 of ${d.name} down (as ifconfig eth0 down)`,
        faultServers: all,
        restoredServers: all,
        faultHolder: other.name,
        restoredHolder: master.name,
        faultWindow: {measure: 'longest gap', boundSeconds: b.failover, bound: '3 x advert_int + skew of the BACKUP'},
        restoreWindow: {
          measure: 'longest gap',
          boundSeconds: b.takeback + b.readd,
          bound: "MASTER's takeback (3 x advert_int + its skew) + the health check's re-adding (delay_loop + connect_timeout)",
        },
        inject: () => run(rt, c, 'ip link set eth0 down', `eth0 down on ${d.name}`),
        expectFault: [
          ...(d.name === master.name
            ? []
            : [
                {
                  name: `${d.name}'s eth0 is down`,
                  event: `${d.name} eth0 down`,
                  boundSeconds: 5,
                  poll: async () => {
                    const f = await directorFacts(rt, lab, d)
                    return {
                      done: !f.eth0Up && !f.holdsVip && f.unreadable.length === 0,
                      seen: `${d.name}: eth0 ${f.eth0Up ? 'up' : 'down'}, state ${f.vrrpState}${unread([f])}`,
                    }
                  },
                },
              ]),
          {
            name: `${other.name} holds the VIP as eth0:1 as MASTER`,
            event: d.name === master.name ? `VIP moved to ${other.name}` : `VIP stays on ${other.name}`,
            boundSeconds: b.failover,
            poll: holds(rt, lab, other),
          },
        ],
        restore: () => run(rt, c, 'ip link set eth0 up', `eth0 up on ${d.name}`),
        expectRestored: [
          {
            name: `${master.name} takes the VIP back and ${other.name} releases it`,
            event: `VIP back on ${master.name}`,
            boundSeconds: b.takeback,
            poll: holds(rt, lab, master),
          },
          {
            name: `${master.name}'s IPVS table lists every real server`,
            event: 'IPVS table complete',
            boundSeconds: b.readd + b.eviction,
            poll: table(rt, lab, master, all),
          },
        ],
      }
    }
    case 'kill-master': {
      const other = otherDirector(lab, master.name)
      const c = containerName(lab, master.name)
      return {
        name,
        target: master.name,
        description: `kill -9 the keepalived main process of ${master.name}`,
        faultServers: all,
        restoredServers: all,
        faultHolder: other.name,
        restoredHolder: master.name,
        faultWindow: {measure: 'longest gap', boundSeconds: b.failover, bound: '3 x advert_int + skew of the BACKUP'},
        restoreWindow: {
          measure: 'longest gap',
          boundSeconds: b.takeback + b.readd,
          bound: "MASTER's takeback (3 x advert_int + its skew) + the health check's re-adding (delay_loop + connect_timeout)",
        },
        inject: () => run(rt, c, 'lvslab-svc kill keepalived', `kill -9 keepalived on ${master.name}`),
        expectFault: [
          {
            name: `${other.name} takes the VIP as eth0:1 and becomes MASTER`,
            event: `VIP moved to ${other.name}`,
            boundSeconds: b.failover,
            poll: holds(rt, lab, other),
          },
          {
            name: `${master.name}'s container keeps running without keepalived`,
            event: `${master.name} up, keepalived gone`,
            boundSeconds: 5,
            poll: async () => {
              const f = await directorFacts(rt, lab, master)
              return {
                done: f.running && !f.keepalivedPid && f.unreadable.length === 0,
                seen: `${master.name}: container ${f.running ? 'running' : 'stopped'}, keepalived ${f.keepalivedPid ? `pid ${f.keepalivedPid}` : 'not running'}${unread([f])}`,
              }
            },
          },
        ],
        restore: () => run(rt, c, 'lvslab-svc start keepalived', `start keepalived on ${master.name}`),
        expectRestored: [
          {
            name: `${master.name} is MASTER again with the VIP`,
            event: `VIP back on ${master.name}`,
            boundSeconds: b.takeback,
            poll: holds(rt, lab, master),
          },
          {
            name: `${master.name}'s IPVS table lists every real server`,
            event: 'IPVS table complete',
            boundSeconds: b.readd,
            poll: table(rt, lab, master, all),
          },
        ],
      }
    }
  }
}

/** Undoes whatever drill is in place: every httpd started, every eth0 up, every keepalived running. */
export async function restoreAll(rt: Runtime, lab: Lab): Promise<string[]> {
  const done: string[] = []
  await Promise.all([
    ...lab.real_servers.map(async (r) => {
      const f = await realServerFacts(rt, lab, r)
      if (f.running && !f.httpd) {
        await run(rt, containerName(lab, r.name), 'lvslab-svc start httpd', `start httpd on ${r.name}`)
        done.push(`started httpd on ${r.name}`)
      }
    }),
    ...lab.directors.map(async (d) => {
      const f = await directorFacts(rt, lab, d)
      if (!f.running) return
      if (!f.eth0Up) {
        await run(rt, containerName(lab, d.name), 'ip link set eth0 up', `eth0 up on ${d.name}`)
        done.push(`eth0 up on ${d.name}`)
      }
      if (!f.keepalivedPid) {
        await run(rt, containerName(lab, d.name), 'lvslab-svc start keepalived', `start keepalived on ${d.name}`)
        done.push(`started keepalived on ${d.name}`)
      }
    }),
  ])
  return done
}
