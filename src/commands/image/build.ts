import {Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base.js'
import {
  BUILD_BASES,
  type BuildBase,
  buildLabImage,
  checkBuildOptions,
  DEFAULT_BASE,
  DEFAULT_IMAGE,
  type ImageResult,
} from '../../ops/image.js'

/**
 * `lvslab image build`: builds the lab image from templates/Dockerfile.<base>.hbs (src/ops/image.ts
 * buildLabImage) with the build's output rendered as one step, then "built <tags> in N s"; returns ImageResult.
 * @throws InputError (exit 2) for centos7 without --mirror or a bad --mirror; StepError (exit 1) when the
 *   build fails (with the offline fix when the base image cannot be pulled)
 */
export default class ImageBuild extends BaseCommand {
  static override summary = 'Build the lab image from its Dockerfile template (needs a registry for the base image)'
  static override examples = [
    {description: 'Build the default image (Rocky Linux 9)', command: '<%= config.bin %> image build'},
    {description: 'On Debian 12', command: '<%= config.bin %> image build --base debian12'},
    {
      description: 'On CentOS 7, from a CentOS vault: the base URL holding 7.9.2009/ (its mirrors are retired)',
      command: '<%= config.bin %> image build --base centos7 --mirror https://vault.centos.org',
    },
    {description: 'The result as JSON', command: '<%= config.bin %> image build --json'},
  ]
  static override flags = {
    base: Flags.string({description: 'the distribution', options: [...BUILD_BASES], default: DEFAULT_BASE}),
    tag: Flags.string({description: 'the image tag', default: DEFAULT_IMAGE}),
    mirror: Flags.string({description: 'centos7 only: base URL of the CentOS vault (its mirrors are retired)'}),
  }

  /**
   * Runs image build: the build's output as one listr2 step, then "built TAGS in N s"; returns ImageResult;
   * exit 2 for centos7 without --mirror or a bad --mirror, 1 (a StepError) when the build fails, 130/143 when interrupted.
   */
  async run(): Promise<ImageResult> {
    const {flags} = await this.parse(ImageBuild)
    checkBuildOptions({base: flags.base as BuildBase, mirror: flags.mirror})
    const result = await this.steps((onStep) =>
      buildLabImage(
        this.runtime(),
        {base: flags.base as BuildBase, tag: flags.tag, mirror: flags.mirror},
        {onStep, signal: this.interruptSignal()},
      ),
    )
    this.log(`built ${result.tags.join(', ')} in ${result.seconds.toFixed(0)} s`)
    return result
  }
}
