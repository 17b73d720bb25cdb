// What differs between engines and userlands, decided without an engine: where the arp sysctls go by
// API version, the container prober's lines (one clock), and the ip_vs fix for each kind of engine.
import {release} from 'node:os'
import {describe, expect, it} from 'vitest'
import {ipvsFix, engineKernelPlace} from '../../src/ops/ipvs.js'
import {ContainerProber, curlLine, proberWaitMs, timedOut} from '../../src/probe/http.js'
import {RS_SYSCTLS} from '../../src/plan/plan.js'
import {compareApi, placeSysctls, sysctlDefect} from '../../src/runtime/sysctls.js'
import type {EngineInfo, Runtime} from '../../src/runtime/types.js'

const arp = Object.fromEntries(RS_SYSCTLS)

describe("where a real server's arp sysctls go, by the engine's API version", () => {
  it('Docker 20.10 (API 1.41) and 26.1 (1.45): all four in HostConfig.Sysctls', () => {
    for (const api of ['1.41', '1.45']) expect(placeSysctls(arp, api)).toEqual({container: arp})
  })

  it('Docker 27 (API 1.46) and 28.5 (1.51): eth0\'s on the endpoint as IFNAME, "all" in HostConfig (moby PR 47686, 48746)', () => {
    for (const api of ['1.46', '1.47', '1.48', '1.51', '1.52']) {
      expect(placeSysctls(arp, api)).toEqual({
        container: {'net.ipv4.conf.all.arp_ignore': '1', 'net.ipv4.conf.all.arp_announce': '2'},
        endpoint: 'net.ipv4.conf.IFNAME.arp_ignore=1,net.ipv4.conf.IFNAME.arp_announce=2',
      })
    }
  })

  it('keeps the classic order of the values, and leaves non-interface sysctls alone', () => {
    expect(placeSysctls({'net.ipv4.ip_forward': '1', 'net.ipv4.conf.default.rp_filter': '0'}, '1.51')).toEqual({
      container: {'net.ipv4.ip_forward': '1', 'net.ipv4.conf.default.rp_filter': '0'},
    })
  })

  it('refuses another interface than eth0 (an older engine would set whichever has that name)', () => {
    expect(() => placeSysctls({'net.ipv4.conf.eth1.arp_ignore': '1'}, '1.41')).toThrow(/only the container's eth0/)
  })

  it('compares API versions numerically (1.9 < 1.41 < 1.100)', () => {
    expect(compareApi('1.9', '1.41')).toBeLessThan(0)
    expect(compareApi('1.100', '1.51')).toBeGreaterThan(0)
    expect(compareApi('1.46', '1.46')).toBe(0)
  })

  it("names Docker 26.0.0's defect (moby issue 47619) and only that release", () => {
    expect(sysctlDefect('26.0.0')).toMatch(/47619/)
    for (const v of ['26.0.1', '26.1.5+dfsg1', '20.10.24+dfsg1', '28.5.2+dfsg4', '126.0.0']) expect(sysctlDefect(v)).toBeUndefined()
  })
})

describe('the container prober reads no clock of the container', () => {
  it("a request's line: body, curl's time_total, status", () => {
    expect(ContainerProber.parseLine('R from 172.20.1.10  0.004213 200')).toEqual({ok: true, status: 200, server: '172.20.1.10', ms: 4.2})
    expect(ContainerProber.parseLine('R  1.001234 000')).toEqual({ok: false, status: 0, server: undefined, ms: 1001.2, error: 'no answer'})
    expect(ContainerProber.parseLine('R <h1>Not Found</h1>  0.002 404')).toMatchObject({ok: false, status: 404, server: undefined})
    expect(ContainerProber.parseLine('something else')).toBeUndefined()
    // curl refused its options (e.g. a fractional -m on curl 7.29): a failed request, counted
    expect(ContainerProber.parseLine('R ')).toMatchObject({ok: false, status: 0, error: 'curl printed no status: "R"'})
  })

  it("a request's line with the connection's local end (curl's %{local_ip}:%{local_port}): the client IPVS sees", () => {
    expect(ContainerProber.parseLine('R from 172.20.1.10  0.004213 200 172.20.255.254:43522')).toEqual({
      ok: true,
      status: 200,
      server: '172.20.1.10',
      ms: 4.2,
      client: '172.20.255.254:43522',
    })
    // no connection made: curl prints an empty address and port 0
    expect(ContainerProber.parseLine('R  1.001234 000 :0')).toEqual({
      ok: false,
      status: 0,
      server: undefined,
      ms: 1001.2,
      error: 'no connection',
    })
    expect(curlLine('http://172.20.1.100:80/', 1000)).toContain(
      "-w '\\n%{time_total} %{http_code} %{local_ip}:%{local_port} %{time_connect}'",
    )
  })

  it("a failed request says what curl's exit code says: its own timeout, or another failure it names", () => {
    // starved of CPU before its connection began, curl times out with a time_total of 0 (seen in the kernel VM)
    expect(ContainerProber.parseLine('R  0.000000 000 :0 0.000000 exit=28')).toEqual({
      ok: false,
      status: 0,
      server: undefined,
      ms: 0,
      error: 'no connection (curl timed out)',
    })
    expect(ContainerProber.parseLine('R  1.001234 000 172.20.255.254:43522 0.000412 exit=28')).toMatchObject({
      error: 'connected, no answer (curl timed out)',
    })
    expect(ContainerProber.parseLine('R  0.000412 000 :0 0.000000 exit=7')).toMatchObject({error: 'no connection (curl exit 7)'})
    expect(ContainerProber.parseLine('R from 172.20.1.10  0.004213 200 172.20.255.254:43522 0.000412 exit=0')).toEqual({
      ok: true,
      status: 200,
      server: '172.20.1.10',
      ms: 4.2,
      client: '172.20.255.254:43522',
    })
    const fail = (error: string, ms: number) => ({at: 0, ok: false, status: 0, ms, error})
    expect(timedOut(fail('no connection (curl timed out)', 1000), 1000)).toBe(true)
    expect(timedOut(fail('no connection (curl exit 7)', 1000), 1000)).toBe(false)
    expect(timedOut(fail('connected, no answer (curl exit 56)', 1000), 1000)).toBe(false)
    expect(curlLine('http://172.20.1.100:80/', 1000)).toMatch(/; c=\$\?; echo "R .* exit=\$c"$/)
  })

  it("the drills' prober counts a request curl timed out as waiting its whole -m, even at a time_total of 0", async () => {
    const {ContainerContinuousProber} = await import('../../src/probe/continuous.js')
    const lines = [
      'R  0.000000 000 :0 0.000000 exit=28',
      'R  0.000300 000 :0 0.000000 exit=7',
      'R from 172.20.1.10  0.004 200 172.20.255.254:1 0.001 exit=0',
    ]
    const rt = {
      execStream: async (_c: string, _cmd: string[], onLine: (l: string) => void) => {
        for (const l of lines) onLine(l)
        return 0
      },
      exec: async () => ({exitCode: 0, stdout: '', stderr: ''}),
    } as unknown as Runtime
    const p = new ContainerContinuousProber(rt, 'unused', {vip: '127.0.0.1', port: 80, path: '/', timeoutMs: 1000}, 20, 1000)
    await p.start()
    await p.stop()
    expect(p.answers.map((a) => [a.error, a.ms, a.doneAt - a.sentAt])).toEqual([
      ['no connection (curl timed out; its time_total 0 ms)', 1000, 1000],
      ['no connection (curl exit 7)', 0.3, expect.any(Number)],
      [undefined, 4, expect.any(Number)],
    ])
    expect(timedOut(p.answers[0]!, proberWaitMs('container', 1000))).toBe(true)
    expect(timedOut(p.answers[1]!, proberWaitMs('container', 1000))).toBe(false)
  })

  it("a failed request says whether it was connected (curl's %{time_connect}, 0 until a connection is made)", () => {
    // no connection made: curl 7.88 prints port 0 and time_connect 0
    expect(ContainerProber.parseLine('R  1.001234 000 :0 0.000000')).toEqual({
      ok: false,
      status: 0,
      server: undefined,
      ms: 1001.2,
      error: 'no connection',
    })
    expect(ContainerProber.parseLine('R  1.001234 000 172.20.255.254:43522 0.000412')).toMatchObject({error: 'connected, no answer'})
    // curl 7.29 (CentOS 7) prints 3 decimals: a connection made in under 0.5 ms reads 0.000, its port tells
    expect(ContainerProber.parseLine('R  1.001 000 172.20.255.254:43522 0.000')).toMatchObject({error: 'connected, no answer'})
    expect(ContainerProber.parseLine('R  1.001 000 :0 0.000')).toMatchObject({error: 'no connection'})
    expect(ContainerProber.parseLine('R from 172.20.1.10  0.004213 200 172.20.255.254:43522 0.000412')).toEqual({
      ok: true,
      status: 200,
      server: '172.20.1.10',
      ms: 4.2,
      client: '172.20.255.254:43522',
    })
  })

  it('the shell line asks curl for its own duration and reads no date', () => {
    const line = curlLine('http://172.20.1.100:80/', 1000)
    expect(line).toContain('%{time_total} %{http_code}')
    // whole seconds: curl 7.29 (CentOS 7) refuses a fractional -m
    expect(line).toContain('curl -s -m 1 ')
    expect(curlLine('http://x/', 1500)).toContain('-m 2 ')
    expect(line).not.toMatch(/date/)
  })
})

describe("the ip_vs fix names the engine's kernel, not this machine's", () => {
  const info = (over: Partial<EngineInfo>): EngineInfo => ({
    version: '28.5.2',
    apiVersion: '1.51',
    kernel: release(),
    os: 'Debian GNU/Linux 12 (bookworm)',
    desktop: false,
    local: true,
    ...over,
  })
  it('a local Linux engine on this kernel: modprobe here', () => {
    expect(ipvsFix(info({}))).toBe('load the module on this host: `sudo modprobe ip_vs`')
    expect(engineKernelPlace(info({}))).toBe("the engine's host (this machine, Debian GNU/Linux 12 (bookworm))")
  })
  it('a local socket in front of another kernel (colima, OrbStack, a Podman machine): the VM, not this host', () => {
    const vm = info({kernel: '6.8.0-colima', os: 'Ubuntu 24.04 LTS'})
    expect(engineKernelPlace(vm)).toBe("the engine's VM behind a local socket (Ubuntu 24.04 LTS)")
    expect(ipvsFix(vm)).toMatch(/inside the VM that runs the engine/)
  })
  it('a remote engine (DOCKER_HOST): modprobe there', () => {
    expect(ipvsFix(info({local: false}))).toMatch(/on the engine's host \(the machine DOCKER_HOST points at\)/)
  })
  it('Docker Desktop: no modprobe, a Linux engine instead', () => {
    const fix = ipvsFix(info({desktop: true, os: 'Docker Desktop'}))
    expect(fix).not.toMatch(/modprobe/)
    expect(fix).toMatch(/Linux engine/)
    expect(engineKernelPlace(info({desktop: true, os: 'Docker Desktop'}))).toBe("Docker Desktop's VM (Docker Desktop)")
  })
})

describe("the container prober's loop, run here with bash and curl against a loopback server", () => {
  it('keeps its rate (20 Hz) and every line parses to an answer from the server', async () => {
    const {createServer} = await import('node:http')
    const {execa} = await import('execa')
    const {ContainerContinuousProber} = await import('../../src/probe/continuous.js')
    const server = createServer((_req, res) => res.end('from 172.20.1.10\n'))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const port = (server.address() as {port: number}).port
    try {
      const p = new ContainerContinuousProber({} as never, 'unused', {vip: '127.0.0.1', port, path: '/', timeoutMs: 1000}, 20, 1000)
      // the loop alone: script() would also stop a prober left in /tmp by an earlier run, which is not ours here
      const run = await execa('bash', ['-c', p.loop()], {reject: false, timeout: 3000, killSignal: 'SIGKILL'})
      const answers = run.stdout
        .split('\n')
        .map((l) => ContainerProber.parseLine(l))
        .filter(Boolean)
      expect(answers.length).toBeGreaterThanOrEqual(50) // 60 in 3 s at 20 Hz, less the last in flight
      expect(answers.length).toBeLessThanOrEqual(62)
      expect(answers.every((a) => a!.ok && a!.server === '172.20.1.10')).toBe(true)
    } finally {
      server.close()
    }
  })
})

describe("the container prober's loop against a refused port, run here with bash and curl", () => {
  it("names each failure with curl's exit code: 7, a refused connection, never a timeout", async () => {
    const {createServer} = await import('node:net')
    const {execa} = await import('execa')
    const {ContainerContinuousProber} = await import('../../src/probe/continuous.js')
    const s = createServer()
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))
    const port = (s.address() as {port: number}).port
    await new Promise<void>((r) => s.close(() => r()))
    const p = new ContainerContinuousProber({} as never, 'unused', {vip: '127.0.0.1', port, path: '/', timeoutMs: 1000}, 20, 1000)
    const run = await execa('bash', ['-c', p.loop()], {reject: false, timeout: 1500, killSignal: 'SIGKILL'})
    const answers = run.stdout
      .split('\n')
      .map((l) => ContainerProber.parseLine(l))
      .filter((a) => a !== undefined)
    expect(answers.length).toBeGreaterThanOrEqual(10)
    expect(new Set(answers.map((a) => a.error))).toEqual(new Set(['no connection (curl exit 7)']))
    // a refusal is never a timeout, not even one a stalled host made last the whole wait
    expect(answers.some((a) => timedOut({at: 0, ...a, ms: 1000}, 1000))).toBe(false)
  })
})

describe("verify's sample in a container: one curl for every request, run here against a loopback server", () => {
  const runtime = async (script: string) => {
    const {execa} = await import('execa')
    const r = await execa('bash', ['-c', script], {reject: false, timeout: 10_000})
    return {exitCode: r.exitCode ?? 1, stdout: r.stdout, stderr: r.stderr}
  }
  const localExec = {exec: (_c: string, cmd: string[]) => runtime(cmd[2]!)} as unknown as Runtime

  it('each request on a new connection (a new client port), one answer per request, bodies kept apart', async () => {
    const {createServer} = await import('node:http')
    const server = createServer((_req, res) => res.end('from 172.20.1.10\n'))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const port = (server.address() as {port: number}).port
    try {
      const answers = await new ContainerProber(localExec, 'unused', {vip: '127.0.0.1', port, path: '/', timeoutMs: 1000}).many(6)
      expect(answers).toHaveLength(6)
      expect(answers.every((a) => a.ok && a.server === '172.20.1.10')).toBe(true)
      expect(new Set(answers.map((a) => a.client)).size).toBe(6)
    } finally {
      server.close()
    }
  })

  it('goes on after a request without an answer: every request reported, a refused one as no connection', async () => {
    const {createServer} = await import('node:net')
    // a port that refuses: bound, then closed
    const s = createServer()
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))
    const port = (s.address() as {port: number}).port
    await new Promise<void>((r) => s.close(() => r()))
    const answers = await new ContainerProber(localExec, 'unused', {vip: '127.0.0.1', port, path: '/', timeoutMs: 1000}).many(3)
    expect(answers.map((a) => [a.ok, a.status, a.error])).toEqual([
      [false, 0, 'no connection'],
      [false, 0, 'no connection'],
      [false, 0, 'no connection'],
    ])
  })

  /** Runs `probe` against a loopback server that takes every connection and never answers, then closes it. */
  async function againstSilentServer(probe: (port: number) => Promise<void>): Promise<void> {
    const {createServer} = await import('node:net')
    const held: import('node:net').Socket[] = []
    const s = createServer((socket) => held.push(socket))
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))
    try {
      await probe((s.address() as {port: number}).port)
    } finally {
      for (const socket of held) socket.destroy()
      await new Promise<void>((r) => s.close(() => r()))
    }
  }

  it('from this machine, a request that times out says TimeoutError, and counts as timed out', async () => {
    const {HostProber} = await import('../../src/probe/host.js')
    await againstSilentServer(async (port) => {
      const a = await new HostProber({vip: '127.0.0.1', port, path: '/', timeoutMs: 300}).once()
      expect(a).toMatchObject({ok: false, status: 0, error: 'TimeoutError'})
      expect(timedOut(a, proberWaitMs('host', 300))).toBe(true)
    })
  })

  it('a server that takes the connection and never answers: connected, no answer, after the timeout', async () => {
    await againstSilentServer(async (port) => {
      const [a] = await new ContainerProber(localExec, 'unused', {vip: '127.0.0.1', port, path: '/', timeoutMs: 1000}).many(1)
      expect(a).toMatchObject({ok: false, status: 0, error: 'connected, no answer'})
      expect(timedOut(a!, proberWaitMs('container', 1000))).toBe(true)
    })
  })

  it('a curl that makes no request at all: each request failed with its words', async () => {
    const broken = {exec: async () => ({exitCode: 2, stdout: '', stderr: 'curl: option -m: expected a proper numerical parameter\n'})}
    const answers = await new ContainerProber(broken as unknown as Runtime, 'unused', {
      vip: '127.0.0.1',
      port: 1,
      path: '/',
      timeoutMs: 1000,
    }).many(2)
    expect(answers.map((a) => a.error)).toEqual([
      'curl: option -m: expected a proper numerical parameter',
      'curl: option -m: expected a proper numerical parameter',
    ])
  })
})
