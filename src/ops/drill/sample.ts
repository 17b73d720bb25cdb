// A service sample of a drill: which answers it takes, and its verdict (every answer good, from the
// expected real servers), naming the failed requests. Every time here is in ms on the prober's clock.
import type {Lab} from '../../lab/model.js'
import type {TimedAnswer} from '../../probe/continuous.js'
import {timedOut} from '../../probe/http.js'
import type {ServiceVerdict} from './report.js'

/**
 * How many answers a service sample takes: enough for weighted schedulers to reach every server (twice
 * the sum of their weights), at least 4 per server and 10, at most 200.
 * @param servers the real servers expected to answer (IPs)
 */
export function sampleSize(lab: Lab, servers: string[]): number {
  const weights = lab.real_servers.filter((r) => servers.includes(r.ip)).reduce((n, r) => n + r.weight, 0)
  return Math.min(200, Math.max(10, 4 * servers.length, 2 * weights))
}

/** A sample: the first `need` answers (in arrival order) to requests sent from `from` (ms) on. */
export function sampleFrom(answers: TimedAnswer[], from: number, need: number): TimedAnswer[] {
  return answers.filter((a) => a.sentAt >= from).slice(0, need)
}

/** How long the prober waits for an answer (ms; src/probe/http.ts timedOut) and the host's slowness factor (src/time-scale.ts), for slowHostExcuse. */
export interface SampleHost {
  waitMs: number
  scale: number
}

/**
 * The failed request of a sample a slow host excuses, if any: on a host slower than a real one
 * (LVSLAB_TIME_SCALE above 1, as in the emulated test VM), one request per sample that timed out
 * (timedOut: no connection, or a connection and then nothing, within the prober's wait). There the client, the directors and the real servers share
 * emulated CPUs that stall: in the kernel VM (Docker 28.5, classic lab, privileged, `chaos all --repeat
 * 3`) 4 of the 774 requests sent from 1 s after a drill's last state was seen timed out, curl's own
 * time_total 1.0 to 3.7 s against its -m 1, so a sample of 10 fails about 1 time in 20, and both of a
 * phase's samples often enough to fail CI. A refusal or reset within the wait, a wrong status, a wrong
 * server, or a second failure is never excused; at scale 1 nothing is. LVSLAB_TIME_SCALE is the test
 * VM's knob (README: a slow host); setting it loosens this verdict too, and the verdict says so.
 * @returns the index in the sample of the excused request, or undefined
 */
export function slowHostExcuse(sample: readonly TimedAnswer[], host?: SampleHost): number | undefined {
  if (!host || host.scale <= 1) return undefined
  const bad = sample.flatMap((a, i) => (a.ok ? [] : [{a, i}]))
  const [only] = bad
  if (bad.length !== 1 || !only) return undefined
  return timedOut(only.a, host.waitMs) ? only.i : undefined
}

/**
 * The service in a sample: every answer good, from the expected servers only; source hashing (`sh`,
 * ipvsadm(8) --scheduler: by the source address) sends one client to one server, so there one of them,
 * the other schedulers all of them. On a slow host one timed-out request may be excused (slowHostExcuse),
 * and the verdict says so.
 * @param servers the real servers expected to answer (IPs)
 * @param host the prober's timeout and the time scale; without it nothing is excused
 */
export function judgeSample(lab: Lab, servers: string[], sample: TimedAnswer[], host?: SampleHost): ServiceVerdict {
  const want = [...servers].sort()
  const excused = slowHostExcuse(sample, host)
  const bad = sample.filter((a, i) => !a.ok && i !== excused)
  const seen = [...new Set(sample.filter((a) => a.ok).map((a) => a.server ?? '?'))].sort()
  const spread =
    lab.virtual_server.scheduler === 'sh'
      ? seen.length === 1 && seen.every((s) => want.includes(s))
      : JSON.stringify(seen) === JSON.stringify(want)
  const good = sample.filter((a) => a.ok).length
  return {
    ok: sample.length > 0 && bad.length === 0 && spread,
    detail: `${good}/${sample.length} good, from ${seen.join(', ') || 'nobody'} (expected ${want.join(', ')})${failedRequests(sample, excused, host)}`,
  }
}

/**
 * The first three failed requests of a sample, for its verdict: "; failed: #4 no connection after 1003
 * ms (client 172.20.255.254:43522)" (its place in the sample, why, curl's or the socket's duration (curlTimeout's for one curl timed out), and the
 * client's port, which IPVS keys its connection table on), the excused one marked; "" when none failed.
 */
function failedRequests(sample: TimedAnswer[], excused: number | undefined, host: SampleHost | undefined): string {
  const bad = sample.map((a, i) => ({a, i})).filter(({a}) => !a.ok)
  if (bad.length === 0) return ''
  const one = ({a, i}: {a: TimedAnswer; i: number}) => {
    const notes = [
      ...(a.client ? [`client ${a.client}`] : []),
      ...(i === excused ? [`excused: a timeout on a host ${host?.scale}x slow`] : []),
    ]
    return `#${i + 1} ${a.error ?? `status ${a.status}`} after ${Math.round(a.ms)} ms${notes.length ? ` (${notes.join('; ')})` : ''}`
  }
  return `; failed: ${bad.slice(0, 3).map(one).join(', ')}${bad.length > 3 ? ', ...' : ''}`
}
