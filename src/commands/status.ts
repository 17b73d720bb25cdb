import {BaseCommand, ResultError} from '../cli/base.js'
import {labStatus, type StatusResult} from '../ops/status.js'
import {table} from '../cli/report/text.js'

/**
 * `lvslab status`: the VIP holder, a table of the directors (container, keepalived pid, VRRP state as
 * keepalived reports it, priority, VIP label, IPVS table) and of the real servers (httpd, page, VIP on
 * lo, arp_ignore/arp_announce of eth0 and all), then notes; returns StatusResult (src/ops/status.ts).
 * @throws ResultError (exit 1, the result kept for --json) on split brain; InputError (exit 2) for a bad lab file
 */
export default class Status extends BaseCommand {
  static override summary =
    "Show each director's VRRP state as keepalived reports it, the VIP holder, the IPVS table, and each real server's setup"
  static override examples = [
    {description: 'Show the classic lab', command: '<%= config.bin %> status'},
    {description: 'The same as JSON', command: '<%= config.bin %> status --json'},
    {description: 'Show a second lab', command: '<%= config.bin %> status -f examples/lab2.yaml'},
  ]

  /**
   * Runs status: prints the VIP holder, the directors' and the real servers' tables and the notes (or that the
   * lab is not running, exit 0), returns StatusResult; exit 1 (with the result and error) on split brain, 2 for a bad
   * lab file, 130/143 when interrupted.
   */
  async run(): Promise<StatusResult> {
    const {flags} = await this.parse(Status)
    const lab = this.lab(flags.file)
    const s = await labStatus(this.runtime(), lab, {signal: this.interruptSignal()})
    if (!s.exists) {
      this.log(`lab ${lab.name} is not running (start it with \`lvslab up\`)`)
      return s
    }
    this.log(`lab ${lab.name}: VIP ${lab.vip} held by ${s.vipHolders.join(', ') || 'nobody'}`)
    this.log('')
    for (const line of table([
      ['DIRECTOR', 'CONTAINER', 'KEEPALIVED', 'VRRP STATE', 'PRIORITY', 'VIP', 'IPVS'],
      ...s.directors.map((d) => [
        d.name,
        d.running ? 'running' : 'stopped',
        d.keepalivedPid ? `pid ${d.keepalivedPid}` : 'stopped',
        d.vrrpState,
        String(d.priority),
        d.holdsVip ? `yes (${d.vipLabel ?? '-'})` : 'no',
        d.ipvs
          ? `${d.ipvs.scheduler}: ${d.ipvs.realServers.map((r) => `${r.address} ${r.forward} w${r.weight} ${r.activeConn}/${r.inactConn}`).join(', ') || 'empty'}`
          : (d.ipvsError ?? '-'),
      ]),
    ]))
      this.log(line)
    this.log('')
    for (const line of table([
      ['REAL SERVER', 'CONTAINER', 'HTTPD', 'PAGE', 'VIP ON LO', 'ARP_IGNORE (eth0/all)', 'ARP_ANNOUNCE (eth0/all)'],
      ...s.realServers.map((r) => [
        r.name,
        r.running ? 'running' : 'stopped',
        r.httpd ? 'up' : 'down',
        r.page ?? '-',
        r.vipOnLo ? `/${r.vipPrefix} ${r.vipLabel ?? ''}`.trim() : 'no',
        `${r.sysctls['net.ipv4.conf.eth0.arp_ignore'] ?? '?'}/${r.sysctls['net.ipv4.conf.all.arp_ignore'] ?? '?'}`,
        `${r.sysctls['net.ipv4.conf.eth0.arp_announce'] ?? '?'}/${r.sysctls['net.ipv4.conf.all.arp_announce'] ?? '?'}`,
      ]),
    ]))
      this.log(line)
    for (const note of s.notes) this.log(`\nnote: ${note}`)
    if (s.splitBrain) throw new ResultError(`lab ${lab.name}: split brain, ${s.vipHolders.join(' and ')} hold the VIP`, s)
    return s
  }
}
