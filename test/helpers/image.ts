// The lab image for tests: imported from the rootfs tar that test/fixtures/make-rootfs.sh makes
// (LVSLAB_ROOTFS names it; the test scripts set it).
import {importImage} from '../../src/ops/image.js'
import type {Runtime} from '../../src/runtime/types.js'

export async function ensureLabImage(rt: Runtime): Promise<string> {
  const rootfs = process.env.LVSLAB_ROOTFS
  if (!rootfs)
    throw new Error('LVSLAB_ROOTFS is not set: run the tests through `npm test`, which makes the rootfs with test/fixtures/make-rootfs.sh')
  const r = await importImage(rt, {rootfs}, () => {})
  return r.image
}
