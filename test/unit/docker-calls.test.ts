// The Docker adapter's engine calls, against fakes: a deadline on every call (the engine's own words
// kept), an abort signal honoured, an unreachable engine named, the endpoint decided from DOCKER_HOST,
// and the one mapping of both container shapes to ContainerInfo.
import type Docker from 'dockerode'
import {describe, expect, it} from 'vitest'
import {engineMessage, withDeadline} from '../../src/runtime/docker/calls.js'
import {type ContainerClient, Containers, toContainerInfo} from '../../src/runtime/docker/containers.js'
import {Engine, endpointOf} from '../../src/runtime/docker/engine.js'

const never = () => new Promise<never>(() => {})

/** A call that honours its abort signal as dockerode does: it rejects with its own error. */
const abortable = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error('socket hang up')), {once: true}))

describe('withDeadline', () => {
  it('a call that ignores its signal still ends at the timeout, naming the call and the seconds', async () => {
    await expect(withDeadline({step: 'inspect image x', call: 'image inspect', timeoutMs: 50}, never)).rejects.toThrow(
      /^inspect image x: image inspect timed out after 0\.05 s$/,
    )
  })

  it("keeps the call's own error text when the abort makes it fail", async () => {
    await expect(withDeadline({step: 's', call: 'container list', timeoutMs: 30}, abortable)).rejects.toThrow(
      's: container list timed out after 0.03 s (socket hang up)',
    )
  })

  it('an abort is "interrupted", also one before the call; a call that ends in time is untouched', async () => {
    const ac = new AbortController()
    const p = withDeadline({step: 's', call: 'c', timeoutMs: 10_000, signal: ac.signal}, abortable)
    ac.abort()
    await expect(p).rejects.toThrow(/^s: interrupted$/)
    let called = false
    await expect(
      withDeadline({step: 's', call: 'c', signal: AbortSignal.abort()}, async () => {
        called = true
      }),
    ).rejects.toThrow('interrupted')
    expect(called).toBe(false)
    expect(await withDeadline({step: 's', call: 'c', timeoutMs: 50}, async () => 7)).toBe(7)
    const failure = Object.assign(new Error('(HTTP code 404) no such container - No such container: x'), {statusCode: 404})
    await expect(withDeadline({step: 's', call: 'c', timeoutMs: 50}, () => Promise.reject(failure))).rejects.toBe(failure)
  })

  it('a call that changes the engine (settle) is let finish on an abort, then "interrupted": what it made exists', async () => {
    const ac = new AbortController()
    let created = false
    let sawAbort = false
    const create = (signal: AbortSignal) =>
      new Promise<string>((resolve) => {
        signal.addEventListener('abort', () => (sawAbort = true))
        setTimeout(() => {
          created = true
          resolve('id')
        }, 150)
      })
    const p = withDeadline(
      {step: 'create container x', call: 'container create', timeoutMs: 10_000, signal: ac.signal, settle: true},
      create,
    )
    setTimeout(() => ac.abort(), 20)
    await expect(p).rejects.toThrow(/^create container x: interrupted$/)
    expect(created).toBe(true)
    expect(sawAbort).toBe(false)
  })
})

describe('engine calls', () => {
  const inspected: Docker.ContainerInspectInfo = {
    Id: 'abc',
    Name: '/lab-lvs1',
    Config: {Image: 'lvslab/lab:latest', Labels: {'lvslab.lab': 'lab'}},
    State: {Status: 'exited', Running: false},
    NetworkSettings: {Networks: {'lab-net': {IPAddress: '', IPAMConfig: {IPv4Address: '172.20.1.1'}}}},
  } as unknown as Docker.ContainerInspectInfo

  const client = (inspect: (opts: {abortSignal: AbortSignal}) => Promise<unknown>) =>
    ({getContainer: () => ({inspect})}) as unknown as ContainerClient
  const engine = new Engine({version: never, info: never}, {local: true})

  it('an inspect that hangs: a StepError naming the step, the call and the seconds', async () => {
    const containers = new Containers(
      client(({abortSignal}) => abortable(abortSignal)),
      engine,
    )
    await expect(containers.find('lab-lvs1', {timeoutMs: 40})).rejects.toThrow(
      'inspect container lab-lvs1: container inspect timed out after 0.04 s (socket hang up)',
    )
  })

  it('404 is "none"; an unreachable engine is named with the fix', async () => {
    const gone = Object.assign(new Error('(HTTP code 404) no such container - nope'), {statusCode: 404})
    expect(
      await new Containers(
        client(() => Promise.reject(gone)),
        engine,
      ).find('x'),
    ).toBeUndefined()
    const refused = Object.assign(new Error('connect ENOENT /var/run/docker.sock'), {code: 'ENOENT'})
    await expect(
      new Containers(
        client(() => Promise.reject(refused)),
        engine,
      ).find('x'),
    ).rejects.toThrow(/^inspect container x: the Docker engine is not reachable \(ENOENT\) \(fix: start the Docker engine/)
    expect(
      await new Containers(
        client(async () => inspected),
        engine,
      ).find('x'),
    ).toMatchObject({name: 'lab-lvs1'})
  })

  it("engineMessage: the engine's words without dockerode's HTTP wrapping", () => {
    expect(
      engineMessage(Object.assign(new Error('(HTTP code 409) unexpected - x'), {json: {message: 'Conflict. The name is in use'}})),
    ).toBe('Conflict. The name is in use')
    expect(engineMessage(new Error('(HTTP code 500) server error - boom '))).toBe('boom')
  })

  it('the endpoint is local for an unset DOCKER_HOST, unix:// and npipe://, remote otherwise', () => {
    expect([undefined, 'unix:///run/docker.sock', 'npipe:////./pipe/docker_engine'].map((h) => endpointOf(h).local)).toEqual([
      true,
      true,
      true,
    ])
    expect(['tcp://10.0.0.1:2375', 'ssh://me@host', '10.0.0.1:2375'].map((h) => endpointOf(h).local)).toEqual([false, false, false])
  })
})

describe('one ContainerInfo from either engine shape', () => {
  const expected = {
    id: 'abc',
    name: 'lab-lvs1',
    image: 'lvslab/lab:latest',
    state: 'running',
    running: true,
    labels: {'lvslab.lab': 'lab'},
    addresses: {'lab-net': '172.20.1.1'},
  }

  it('a list entry (GET /containers/json)', () => {
    const listed = {
      Id: 'abc',
      Names: ['/lab-lvs1'],
      Image: 'lvslab/lab:latest',
      State: 'running',
      Labels: {'lvslab.lab': 'lab'},
      NetworkSettings: {Networks: {'lab-net': {IPAddress: '172.20.1.1'}}},
    } as unknown as Docker.ContainerInfo
    expect(toContainerInfo(listed)).toEqual(expected)
  })

  it('an inspect result (GET /containers/{id}/json); a stopped one keeps its configured address', () => {
    const inspected = {
      Id: 'abc',
      Name: '/lab-lvs1',
      Config: {Image: 'lvslab/lab:latest', Labels: {'lvslab.lab': 'lab'}},
      State: {Status: 'running', Running: true},
      NetworkSettings: {Networks: {'lab-net': {IPAddress: '172.20.1.1', IPAMConfig: {IPv4Address: '172.20.1.1'}}}},
    } as unknown as Docker.ContainerInspectInfo
    expect(toContainerInfo(inspected)).toEqual(expected)
    const stopped = {
      ...inspected,
      State: {Status: 'exited', Running: false},
      NetworkSettings: {Networks: {'lab-net': {IPAddress: '', IPAMConfig: {IPv4Address: '172.20.1.1'}}}},
    }
    expect(toContainerInfo(stopped as unknown as Docker.ContainerInspectInfo)).toEqual({...expected, state: 'exited', running: false})
  })

  it('no labels and no networks: empty records', () => {
    const bare = {Id: 'x', Names: [], Image: 'i', State: 'created'} as unknown as Docker.ContainerInfo
    expect(toContainerInfo(bare)).toEqual({id: 'x', name: '', image: 'i', state: 'created', running: false, labels: {}, addresses: {}})
  })
})
