// Probes from this machine: undici, a new connection per request (see src/probe/http.ts).
import {networkInterfaces} from 'node:os'
import ipaddr from 'ipaddr.js'
import {buildConnector, Client} from 'undici'
import {StepError} from '../errors.js'
import {type Answer, parseAnswerBody, type Prober, type Target} from './http.js'

/**
 * Probes from this machine with undici, each request on its own connection (Connection: close). The
 * signal aborts a request under way, and many() then throws StepError("probe the VIP", "interrupted").
 */
export class HostProber implements Prober {
  readonly via = 'host' as const
  private readonly t0 = Date.now()

  /**
   * @param target the VIP, port and path, and each request's timeout (ms: the whole request, and undici's connect,
   *   headers and body timeouts)
   * @param signal aborts a request under way (its answer is then a failure) and makes many() throw StepError "interrupted"
   */
  constructor(
    private readonly target: Target,
    private readonly signal?: AbortSignal,
  ) {}

  /** One request on its own connection; a failure is an answer with the socket's error code, never a throw. */
  async once(): Promise<Answer> {
    const {vip, port, path, timeoutMs} = this.target
    const at = Date.now() - this.t0
    const started = performance.now()
    let local: string | undefined
    const connector = buildConnector({timeout: timeoutMs})
    const client = new Client(`http://${vip}:${port}`, {
      // undici's own connector, told the socket's local end (the client address and port IPVS sees)
      connect: (options, callback) =>
        connector(options, (error, socket) => {
          if (socket?.localAddress) local = `${socket.localAddress}:${socket.localPort}`
          if (error || !socket) callback(error ?? new Error('no socket'), null)
          else callback(null, socket)
        }),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      pipelining: 0,
    })
    try {
      const timeout = AbortSignal.timeout(timeoutMs)
      const signal = this.signal ? AbortSignal.any([timeout, this.signal]) : timeout
      const res = await client.request({method: 'GET', path, headers: {connection: 'close'}, signal})
      const body = await res.body.text()
      const answer: Answer = {
        at,
        ok: res.statusCode === 200,
        status: res.statusCode,
        server: parseAnswerBody(body),
        ms: performance.now() - started,
      }
      return local ? {...answer, client: local} : answer
    } catch (error) {
      return {
        at,
        ok: false,
        status: 0,
        ms: performance.now() - started,
        error: errorName(error),
        ...(local ? {client: local} : {}),
      }
    } finally {
      await client.destroy().catch(() => undefined)
    }
  }

  /**
   * `count` requests one after the other.
   * @throws StepError("probe the VIP", "interrupted") when the signal aborts
   */
  async many(count: number): Promise<Answer[]> {
    const out: Answer[] = []
    for (let i = 0; i < count; i++) {
      if (this.signal?.aborted) break
      out.push(await this.once())
    }
    if (this.signal?.aborted) throw new StepError('probe the VIP', 'interrupted')
    return out
  }

  /** Nothing to release: each request's client is destroyed after its answer. */
  async close(): Promise<void> {}
}

/**
 * Whether this machine has an address inside the subnet (the bridge), so the VIP is reachable from here.
 * @param subnet an IPv4 CIDR, e.g. "172.20.0.0/16"
 * @throws Error from ipaddr.js when `subnet` is not an IPv4 CIDR (the lab's schema checked it)
 */
export function hostReaches(subnet: string): boolean {
  const [net, prefix] = ipaddr.IPv4.parseCIDR(subnet)
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === 'IPv4' && ipaddr.IPv4.isValid(a.address) && ipaddr.IPv4.parse(a.address).match(net, prefix)) return true
    }
  }
  return false
}

/**
 * A failed request's error as a word: the socket's or undici's code (ECONNREFUSED,
 * UND_ERR_CONNECT_TIMEOUT), else the error's name (the abort signal's TimeoutError: its DOMException
 * code is the number 23, which says nothing), else its message.
 */
function errorName(error: unknown): string {
  const e = error as {code?: unknown; name?: unknown; message?: unknown}
  if (typeof e.code === 'string') return e.code
  if (typeof e.name === 'string' && e.name !== 'Error') return e.name
  return String(e.message ?? error)
}
