// `lvslab image build` for each base (rocky9, centos7, debian12), on the host's engine. Building needs
// the base image, which comes from a registry. This machine reaches none, and lvslab's tests send no
// traffic to a registry unless asked: a base is built when its image is already on the engine, or
// with LVSLAB_IMAGE_BUILD=pull (a machine that reaches a registry); otherwise the case says why it
// did not run. centos7 also needs LVSLAB_CENTOS_VAULT, the base URL of a CentOS vault.
import {describe, expect, it} from 'vitest'
import {BUILD_BASES, buildImage} from '../../src/ops/image.js'
import {BASE_IMAGES} from '../../src/render/index.js'
import {DockerRuntime} from '../../src/runtime/docker/index.js'

const rt = new DockerRuntime()
const pull = process.env.LVSLAB_IMAGE_BUILD === 'pull'

describe('image build, per base', () => {
  for (const base of BUILD_BASES) {
    it(`${base} (${BASE_IMAGES[base]}) builds a lab image whose helpers run`, {timeout: 1_800_000}, async (ctx) => {
      // said on the test's output as well as in the skip: a build that did not run must be seen
      const notRun = (why: string) => {
        console.warn(`image build ${base}: NOT RUN: ${why}`)
        ctx.skip(`NOT RUN: ${why}`)
      }
      const present = await rt.findImage(BASE_IMAGES[base])
      if (!present && !pull)
        notRun(
          `the base image ${BASE_IMAGES[base]} is not on this engine and no registry is reachable from this machine; set LVSLAB_IMAGE_BUILD=pull where one is`,
        )
      const mirror = process.env.LVSLAB_CENTOS_VAULT
      if (base === 'centos7' && !mirror)
        notRun('centos7 needs LVSLAB_CENTOS_VAULT, the base URL of a CentOS vault (its mirrors are retired)')
      const tag = `lvslab/lab:test-${base}`
      const built = await buildImage(rt, {base, tag, ...(base === 'centos7' ? {mirror} : {})}, () => {})
      expect(built.image).toBe(tag)
      // the image's own tools, as lvslab will use them
      const facts = await rt.runOnce(tag, ['lvslab-facts'])
      expect(facts.exitCode).toBe(0)
      const report = JSON.parse(facts.stdout)
      expect(report.v).toBe(1)
      expect(report.ip.ok).toBe(true)
      const version = await rt.runOnce(tag, ['cat', '/etc/lvslab-keepalived-version'])
      expect(version.stdout).toMatch(/Keepalived v\d+\.\d+\.\d+/)
    })
  }
})
