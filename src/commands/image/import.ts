import {Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base.js'
import {checkRootfs, DEFAULT_IMAGE, type ImageResult, importLabImage} from '../../ops/image.js'

/**
 * `lvslab image import --rootfs DIR|TAR`: makes the lab image offline from a root filesystem with
 * lvslab's files on top (src/ops/image.ts importLabImage), reusing one made from the same root
 * filesystem unless --force; then "made|reused <tags> in N s"; returns ImageResult.
 * @throws InputError (exit 2) for a --rootfs that is missing or lacks a tool; StepError (exit 1) when the engine fails
 */
export default class ImageImport extends BaseCommand {
  static override summary =
    'Make the lab image offline from a root filesystem (a folder or a tar) that has keepalived, ipvsadm, iproute2 (ip and tc), procps, curl, awk, sed, bash and Apache httpd'
  static override description =
    'For hosts without a registry. lvslab adds its own init and helper scripts on top. A Debian minbase made with `debootstrap --variant=minbase --include=keepalived,ipvsadm,iproute2,procps,curl,apache2 bookworm DIR MIRROR` will do.'
  static override examples = [
    {description: 'Make the image from a root filesystem folder', command: '<%= config.bin %> image import --rootfs ./rootfs'},
    {description: 'From a tar of one', command: '<%= config.bin %> image import --rootfs rootfs.tar'},
    {
      description: 'Import again even when the same root filesystem was imported, result as JSON',
      command: '<%= config.bin %> image import --rootfs ./rootfs --force --json',
    },
  ]
  static override flags = {
    rootfs: Flags.string({description: 'root filesystem: a folder, or a tar of one', required: true}),
    tag: Flags.string({description: 'the image tag', default: DEFAULT_IMAGE}),
    force: Flags.boolean({description: 'import again even when an image was made from this root filesystem'}),
  }

  /**
   * Runs image import: the import as one listr2 step, then "made|reused TAGS in N s"; returns ImageResult; exit 2
   * for a --rootfs that is missing or lacks a tool, 1 (a StepError) when the engine fails, 130/143 when interrupted.
   */
  async run(): Promise<ImageResult> {
    const {flags} = await this.parse(ImageImport)
    checkRootfs(flags.rootfs)
    const result = await this.steps((onStep) =>
      importLabImage(this.runtime(), {rootfs: flags.rootfs, tag: flags.tag, force: flags.force}, {onStep, signal: this.interruptSignal()}),
    )
    this.log(`${result.reused ? 'reused' : 'made'} ${result.tags.join(', ')} in ${result.seconds.toFixed(0)} s`)
    return result
  }
}
