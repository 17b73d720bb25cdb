// readImageFile (src/runtime/docker/files.ts): a file read out of an image through a created, never
// started container's archive; the archive's response is closed once read (Docker 28 keeps it open
// until its body is consumed: an open one kept `up` from exiting), a stalled body is bounded, the
// container is removed in every case.
import {PassThrough} from 'node:stream'
import {pack} from 'tar-stream'
import {describe, expect, it} from 'vitest'
import {readImageFile} from '../../src/runtime/docker/files.js'

/** A tar holding one file, as bytes. */
async function tarOf(name: string, content: string): Promise<Buffer> {
  const p = pack()
  p.entry({name}, content)
  p.finalize()
  const chunks: Buffer[] = []
  for await (const c of p) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

/** A fake engine whose archive response is `body`; it counts the removals. */
function engine(body: () => Promise<unknown>) {
  const removed: string[] = []
  const client = {
    createContainer: async () => ({getArchive: body, remove: async () => void removed.push('removed')}),
  }
  return {client: client as never, removed}
}

describe('readImageFile', () => {
  it('reads the first file and closes the response even when the engine keeps it open', async () => {
    const res = new PassThrough()
    // the whole tar, but the response never ends
    res.write(await tarOf('lvslab-keepalived-version', 'Keepalived v2.2.7 (06/03,2022)\n'))
    const e = engine(async () => res)
    expect(await readImageFile(e.client, 'lvslab/lab:latest', '/etc/lvslab-keepalived-version')).toBe('Keepalived v2.2.7 (06/03,2022)\n')
    expect(res.destroyed).toBe(true)
    expect(e.removed).toEqual(['removed'])
  })

  it('a body that stalls is bounded by the timeout, and the container still removed', async () => {
    const res = new PassThrough()
    res.write(Buffer.alloc(100))
    const e = engine(async () => res)
    await expect(readImageFile(e.client, 'lvslab/lab:latest', '/etc/x', {timeoutMs: 200})).rejects.toThrow(
      /^read \/etc\/x in lvslab\/lab:latest: container archive timed out after 0\.2 s/,
    )
    expect(res.destroyed).toBe(true)
    expect(e.removed).toEqual(['removed'])
  })

  it('no such file (404): undefined', async () => {
    const e = engine(async () => {
      throw Object.assign(new Error('Could not find the file /etc/x in container'), {statusCode: 404})
    })
    expect(await readImageFile(e.client, 'lvslab/lab:latest', '/etc/x')).toBeUndefined()
    expect(e.removed).toEqual(['removed'])
  })

  it('an abort ends the read with "interrupted", the container removed', async () => {
    const res = new PassThrough()
    const ac = new AbortController()
    const e = engine(async () => res)
    const p = readImageFile(e.client, 'lvslab/lab:latest', '/etc/x', {signal: ac.signal})
    setTimeout(() => ac.abort(), 50)
    await expect(p).rejects.toThrow(/interrupted/)
    expect(res.destroyed).toBe(true)
    expect(e.removed).toEqual(['removed'])
  })
})
