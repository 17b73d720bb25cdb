// `lvslab-facts [--ipvs] [--vrrp] [--keepalived] [--page URL]` of a simulated node: the one JSON
// document templates/lvslab-facts.hbs prints, each fact the raw output of its command (what bash's
// `$(...)` keeps of it: no trailing newline), as the real helper reports it.
import type {ExecResult} from '../../../src/runtime/types.js'
import type {FactFault} from './faults.js'
import {type LabModel, type SimContainer, timedOut} from './model.js'
import {
  curlRefused,
  curlTimeout,
  ipOneline,
  ipvsadmLn,
  IPVS_MISSING,
  KEEPALIVED_HELP,
  KEEPALIVED_VERSION,
  keepalivedDump,
  macOf,
  type ShownLink,
  substituted,
} from './texts.js'

/** One fact: its command's exit code and outputs. */
interface Fact {
  ok: boolean
  code: number
  out: string
  err: string
}

const fact = (code: number, out = '', err = ''): Fact => ({ok: code === 0, code, out: substituted(out), err: substituted(err)})

/** IPVS's word for keepalived's lvs_method (ipvsadm's Forward column). */
const FORWARD: Record<string, string> = {DR: 'Route', NAT: 'Masq', TUN: 'Tunnel'}

/** A container's links as `ip` shows them: lo (with what was added to it), eth0 with its address and the VIP when held. */
export function linksOf(c: SimContainer, prefix: number): ShownLink[] {
  const n = c.node
  const bytes = c.ip.split('.').map(Number)
  const hostBits = 32 - prefix
  const ipNum = bytes.reduce((a, b) => a * 256 + b, 0)
  const brdNum = Math.floor(ipNum / 2 ** hostBits) * 2 ** hostBits + 2 ** hostBits - 1
  const brd = [24, 16, 8, 0].map((s) => Math.floor(brdNum / 2 ** s) % 256).join('.')
  const eth0 = [{address: c.ip, prefix, brd, scope: 'global' as const, label: 'eth0'}]
  if (n.vipHeld && n.conf) eth0.push({address: n.conf.vip, prefix: 32, brd: '', scope: 'global', label: n.conf.vipLabel})
  return [
    {
      index: 1,
      name: 'lo',
      up: true,
      mac: '00:00:00:00:00:00',
      addresses: [
        {address: '127.0.0.1', prefix: 8, scope: 'host', label: 'lo'},
        ...n.loAddresses.map((a) => ({...a, scope: 'global' as const})),
      ],
    },
    {index: 11, name: 'eth0', up: n.eth0Up, mac: macOf(c.ip), addresses: eth0},
  ]
}

/** `ipvsadm -Ln` in a node: its keepalived's service with the table's real servers, or none. */
export function ipvsText(c: SimContainer): string {
  const n = c.node
  const svc = n.conf?.service
  if (!svc || !n.pids.keepalived) return ipvsadmLn([])
  return ipvsadmLn([
    {
      protocol: svc.protocol,
      address: svc.address,
      port: svc.port,
      scheduler: svc.scheduler,
      destinations: n.table.map((ip) => ({
        address: ip,
        port: svc.port,
        forward: FORWARD[svc.method] ?? svc.method,
        weight: svc.realServers.find((r) => r.ip === ip)?.weight ?? 1,
        activeConn: 0,
        inactConn: n.served.get(ip) ?? 0,
      })),
    },
  ])
}

/** `curl -s -S -m 3 -o - -w '\n%{http_code}' URL` run in a node (the page fact). */
function page(model: LabModel, c: SimContainer, url: string): Fact {
  const m = /^http:\/\/(\d+\.\d+\.\d+\.\d+):(\d+)(\/.*)$/.exec(url)
  if (!m) return fact(3, '\n000', `curl: (3) URL using bad/illegal format or missing URL`)
  const [, ip, port, path] = m
  const target = ip === c.ip ? c : model.at(c.network, ip!)
  const a = target ? model.serve(target, Number(port), path!) : timedOut(3000)
  const code = String(a.status).padStart(3, '0')
  if (a.exit === 7) return fact(7, `\n${code}`, curlRefused(ip!, Number(port)))
  if (a.exit === 28) return fact(28, `\n${code}`, curlTimeout(3))
  return fact(0, `${a.body}\n${code}`)
}

/**
 * Runs lvslab-facts with these arguments in a node.
 * @param ipvs whether the engine's kernel has ip_vs (else ipvsadm cannot initialise)
 * @param faults the node's unreadable facts
 */
export function lvslabFacts(
  model: LabModel,
  c: SimContainer,
  args: string[],
  ipvs: boolean,
  prefix: number,
  faults: FactFault[],
): ExecResult {
  const want = {ipvs: false, vrrp: false, keepalived: false, page: ''}
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (a === '--ipvs' || a === '--vrrp' || a === '--keepalived') want[a.slice(2) as 'ipvs'] = true
    else if (a === '--page') want.page = args[++i] ?? ''
    else return {exitCode: 2, stdout: '', stderr: 'usage: lvslab-facts [--ipvs] [--vrrp] [--keepalived] [--page URL]\n'}
  }
  const whole = faults.find((f): f is {document: string} => 'document' in f)
  if (whole) return {exitCode: 1, stdout: whole.document, stderr: ''}
  const n = c.node
  const sysctls = ['eth0/arp_ignore', 'eth0/arp_announce', 'all/arp_ignore', 'all/arp_announce'].map((k) => {
    const name = `net.ipv4.conf.${k.replace('/', '.')}`
    return `${name}=${n.sysctls[name] ?? '0'}`
  })
  const pid = (p?: number) => (p ? fact(0, `${p}\n`) : fact(3))
  const doc: Record<string, Fact | number> = {
    v: 1,
    ip: fact(0, ipOneline(linksOf(c, prefix))),
    sysctl: fact(0, `${sysctls.join('\n')}\n`),
    keepalived: pid(n.pids.keepalived),
    httpd: pid(n.pids.httpd),
  }
  if (want.ipvs) doc.ipvs = ipvs ? fact(0, ipvsText(c)) : fact(2, '', IPVS_MISSING)
  if (want.vrrp && n.pids.keepalived && n.conf)
    doc.vrrp = fact(
      0,
      keepalivedDump({
        routerId: n.conf.routerId,
        instance: n.conf.instance,
        state: n.vrrp ?? 'INIT',
        vrid: n.conf.vrid,
        priority: n.conf.priority,
        advertInt: n.conf.advertInt,
        srcIp: c.ip,
        vip: n.conf.vip,
        vipSet: n.vipHeld,
      }),
    )
  if (want.keepalived) {
    doc.keepalived_version = fact(0, KEEPALIVED_VERSION)
    doc.keepalived_help = fact(0, KEEPALIVED_HELP)
    const conf = n.files.get('/etc/keepalived/keepalived.conf')
    doc.keepalived_conf =
      conf === undefined ? fact(1, '', 'cat: /etc/keepalived/keepalived.conf: No such file or directory') : fact(0, conf)
  }
  if (want.page) doc.page = page(model, c, want.page)
  for (const f of faults) if ('fact' in f && f.fact in doc) doc[f.fact] = {ok: false, code: f.code, out: f.out ?? '', err: f.err}
  return {exitCode: 0, stdout: `${JSON.stringify(doc)}\n`, stderr: ''}
}
