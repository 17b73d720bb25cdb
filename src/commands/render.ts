import {mkdirSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base.js'
import type {RenderResult} from '../cli/json.js'
import {InputError} from '../errors.js'
import {parseKeepalivedVersion} from '../parse/keepalived.js'
import {DEFAULT_KEEPALIVED, renderLabFiles} from '../render/index.js'

/**
 * `lvslab render`: every file `up` installs (keepalived.conf per director for the given keepalived
 * version, the real servers' pages), printed or written under --out/<node>/<path>; touches no engine.
 * Returns {lab, files: [{node, path, content}]} (or `written` instead of content with --out).
 * @throws InputError (exit 2) for a bad lab file or --keepalived-version; what writing a file throws
 */
export default class Render extends BaseCommand {
  static override summary =
    "Write every file that `up` would install (keepalived.conf per director, the real servers' pages), touching no Docker"
  static override examples = [
    {description: 'Print every file of the classic lab', command: '<%= config.bin %> render'},
    {description: 'Write them into a folder, one sub-folder per node', command: '<%= config.bin %> render --out ./lvslab-render'},
    {
      description: "For CentOS 7's keepalived 1.3.5 (nb_get_retry instead of retry)",
      command: '<%= config.bin %> render -f examples/weighted.yaml --keepalived-version 1.3.5',
    },
    {description: 'The files as JSON: {lab, files: [{node, path, content}]}', command: '<%= config.bin %> render --json'},
  ]
  static override flags = {
    out: Flags.string({description: 'folder to write into (default: print to stdout)'}),
    'keepalived-version': Flags.string({
      description: 'the keepalived the files are for (default 2.2.7, as in Debian 12; 1.x uses nb_get_retry)',
    }),
  }

  /**
   * Runs render: prints each file under "### node:path" (nothing but the JSON with --json), or "wrote PATH"
   * per file with --out; a note on stderr when the lab file sets no auth_pass. Returns RenderResult; exit 2 for a bad
   * lab file or --keepalived-version, 1 (an unexpected error) when a file cannot be written.
   */
  async run(): Promise<RenderResult> {
    const {flags} = await this.parse(Render)
    const lab = this.lab(flags.file)
    let version = DEFAULT_KEEPALIVED
    if (flags['keepalived-version']) {
      try {
        version = parseKeepalivedVersion(`Keepalived v${flags['keepalived-version'].replace(/^v/, '')}`)
      } catch {
        throw new InputError(
          `--keepalived-version: ${JSON.stringify(flags['keepalived-version'])} is not a version (fix: write it as 2.2.7 or 1.3.5)`,
        )
      }
    }
    const files = renderLabFiles(lab, version)
    const out = files.map((f) => {
      if (!flags.out) {
        if (!this.jsonEnabled()) this.log(`### ${f.node}:${f.path}\n${f.content}`)
        return {node: f.node, path: f.path, content: f.content}
      }
      const target = join(flags.out, f.node, f.path)
      mkdirSync(dirname(target), {recursive: true})
      writeFileSync(target, f.content, {mode: f.mode})
      this.log(`wrote ${target}`)
      return {node: f.node, path: f.path, written: target}
    })
    if (!lab.vrrp.auth_pass && lab.vrrp.auth_type === 'PASS')
      this.logToStderr(
        'note: the lab file sets no vrrp.auth_pass, so these files carry a random one; `lvslab up` makes one per lab and keeps it',
      )
    return {lab: lab.name, files: out}
  }
}
