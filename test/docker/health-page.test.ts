// The health-check page is where Apache looks for it: in a container of the lab image, each page is
// written where pagePaths says (as configureRealServer does), Apache httpd is started with
// lvslab-svc, and the URL keepalived's HTTP_GET sends, written as in the lab file (percent escapes
// and all), answers 200 with that page. The reasons the lab file refuses some paths are checked
// against the same Apache. The container has no network (Apache answers on 127.0.0.1 inside it) and
// is this test's own: it is removed by its name at the end.
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parseLab} from '../../src/lab/load.js'
import {pagePaths} from '../../src/render/index.js'
import {DockerRuntime} from '../../src/runtime/docker/index.js'
import {ensureLabImage} from '../helpers/image.js'

const rt = new DockerRuntime()
const container = `lvslab-health-page-${process.pid}`

/** Writes a page as configureRealServer does: its folder made first, the path in single quotes. */
async function writePage(path: string, content: string): Promise<void> {
  const mk = await rt.exec(container, ['sh', '-c', `mkdir -p "$(dirname '${path}')"`])
  expect(mk.exitCode, mk.stderr).toBe(0)
  await rt.putFile(container, path, content)
}

/** GET as keepalived's HTTP_GET sends it (HTTP/1.0, the path as written, not normalised): status and body. */
async function get(urlPath: string): Promise<{status: number; body: string}> {
  const res = await rt.exec(container, [
    'curl',
    '-s',
    '--http1.0',
    '--path-as-is',
    '-g',
    '-m',
    '5',
    '-o',
    '/tmp/body',
    '-w',
    '%{http_code}',
    `http://127.0.0.1${urlPath}`,
  ])
  const body = await rt.exec(container, ['cat', '/tmp/body'])
  return {status: Number(res.stdout.trim()), body: body.stdout}
}

beforeAll(async () => {
  const image = await ensureLabImage(rt)
  await execa('docker', ['rm', '-f', container], {reject: false})
  await execa('docker', ['run', '-d', '--name', container, '--network', 'none', image])
  const started = await rt.exec(container, ['lvslab-svc', 'start', 'httpd'])
  expect(started.exitCode, started.stderr).toBe(0)
})

afterAll(async () => {
  await execa('docker', ['rm', '-f', container], {reject: false})
})

describe('Apache in the lab image serves the health-check page at the URL keepalived asks for', () => {
  const served = ['/health%2Dcheck', '/a%2Db/c%7ed/', '/st%61tus%3Aok?x=%zz&y=%2F', '/a+b%2B', '/x%40y%2C%3B%3D%26z~', '/deep/er/page.html']
  it.each(served)('%s', async (path) => {
    const lab = parseLab(`virtual_server: {health_check: {path: ${JSON.stringify(path)}}}`)
    const pages = pagePaths(lab)
    expect(pages[0]).toBe('/var/www/html/index.html')
    const page = pages[1]!
    const content = `page for ${path}\n`
    await writePage(page, content)
    expect(await get(path)).toEqual({status: 200, body: content})
  })

  it('the literal name the page used to get is not what Apache serves for an escape', async () => {
    await writePage('/var/www/html/only%2Dliteral', 'literal\n')
    expect((await get('/only%2Dliteral')).status).toBe(404)
  })

  it('what the lab file refuses, Apache indeed serves no page for', async () => {
    await writePage('/var/www/html/enc/slash', 'x\n')
    await writePage('/var/www/html/.htpage', 'x\n')
    await writePage('/var/www/html/bad%zz', 'x\n')
    // an encoded "/" (AllowEncodedSlashes Off): 404 although enc/slash exists
    expect((await get('/enc%2Fslash')).status).toBe(404)
    // a broken escape: 400
    expect((await get('/bad%zz')).status).toBe(400)
    // a .ht file: 403
    expect((await get('/.htpage')).status).toBe(403)
    for (const path of ['/enc%2Fslash', '/bad%zz', '/.htpage']) {
      expect(() => parseLab(`virtual_server: {health_check: {path: ${JSON.stringify(path)}}}`)).toThrow(
        /virtual_server\.health_check\.path/,
      )
    }
  })
})
