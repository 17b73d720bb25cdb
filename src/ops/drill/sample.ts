// A service sample of a drill: which answers it takes, and its verdict (every answer good, from the
// expected real servers), naming the failed requests. Every time here is in ms on the prober's clock.
import type {Lab} from '../../lab/model.js'
import type {TimedAnswer} from '../../probe/continuous.js'
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

/**
 * The service in a sample: every answer good, from the expected servers only; source hashing (`sh`,
 * ipvsadm(8) --scheduler: by the source address) sends one client to one server, so there one of them,
 * the other schedulers all of them.
 * @param servers the real servers expected to answer (IPs)
 */
export function judgeSample(lab: Lab, servers: string[], sample: TimedAnswer[]): ServiceVerdict {
  const want = [...servers].sort()
  const bad = sample.filter((a) => !a.ok)
  const seen = [...new Set(sample.filter((a) => a.ok).map((a) => a.server ?? '?'))].sort()
  const spread =
    lab.virtual_server.scheduler === 'sh'
      ? seen.length === 1 && seen.every((s) => want.includes(s))
      : JSON.stringify(seen) === JSON.stringify(want)
  return {
    ok: sample.length > 0 && bad.length === 0 && spread,
    detail: `${sample.length - bad.length}/${sample.length} good, from ${seen.join(', ') || 'nobody'} (expected ${want.join(', ')})${failedRequests(sample)}`,
  }
}

/**
 * The first three failed requests of a sample, for its verdict: "; failed: #4 no connection after 1003
 * ms (client 172.20.255.254:43522)" (its place in the sample, why, curl's or the socket's duration, and the
 * client's port, which IPVS keys its connection table on); "" when none failed.
 */
function failedRequests(sample: TimedAnswer[]): string {
  const bad = sample.map((a, i) => ({a, i})).filter(({a}) => !a.ok)
  if (bad.length === 0) return ''
  const one = ({a, i}: {a: TimedAnswer; i: number}) =>
    `#${i + 1} ${a.error ?? `status ${a.status}`} after ${Math.round(a.ms)} ms${a.client ? ` (client ${a.client})` : ''}`
  return `; failed: ${bad.slice(0, 3).map(one).join(', ')}${bad.length > 3 ? ', ...' : ''}`
}
