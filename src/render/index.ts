// Every generated file comes from a Handlebars template in templates/: one instance, partials
// registered once. Rendering is pure: no Docker, no network.
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import Handlebars from 'handlebars'
import {type Director, type Lab, type RealServer, trackWeight, withAuthPass} from '../lab/model.js'
import {documentFileOf} from '../lab/document-file.js'
import type {KeepalivedVersion} from '../parse/keepalived.js'

/** The templates/ folder of the package (beside dist/ and src/), with a trailing "/". */
export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url))

const hbs = Handlebars.create()
hbs.registerPartial('lvslabLayer', readTemplate('Dockerfile.lvslab-layer.hbs'))
const cache = new Map<string, Handlebars.TemplateDelegate>()

function readTemplate(name: string): string {
  return readFileSync(`${TEMPLATES_DIR}${name}`, 'utf8')
}

/** Renders a template of templates/ (compiled once, strict: a missing value is an error) with a context. */
export function render(name: string, context: object): string {
  let tpl = cache.get(name)
  if (!tpl) {
    tpl = hbs.compile(readTemplate(name), {noEscape: true, strict: true})
    cache.set(name, tpl)
  }
  return tpl(context)
}

const escaping = new Map<string, Handlebars.TemplateDelegate>()

/**
 * Renders an HTML template of templates/ with Handlebars' HTML escaping on (every {{value}} escaped;
 * only a {{{triple-stash}}} is inserted as is), compiled once, strict. Throws only on a template error.
 */
export function renderHtml(name: string, context: object): string {
  let tpl = escaping.get(name)
  if (!tpl) {
    tpl = hbs.compile(readTemplate(name), {strict: true})
    escaping.set(name, tpl)
  }
  return tpl(context)
}

/** The keepalived version the files are rendered for (parse/keepalived.ts). */
export type {KeepalivedVersion} from '../parse/keepalived.js'

/** What `render` assumes without an image to ask: Debian 12's keepalived. */
export const DEFAULT_KEEPALIVED: KeepalivedVersion = {major: 2, minor: 2, patch: 7, raw: 'v2.2.7'}

/** Keywords that changed name: keepalived 2.x rejects nb_get_retry; 1.3 (CentOS 7) knows only it. */
export function keepalivedKeywords(v: KeepalivedVersion): {sched: string; method: string; retry: string} {
  return v.major >= 2
    ? {sched: 'lvs_sched', method: 'lvs_method', retry: 'retry'}
    : {sched: 'lb_algo', method: 'lb_kind', retry: 'nb_get_retry'}
}

/**
 * The version as keepalived.conf's header names it: major.minor.patch, e.g. "2.2.8", whatever
 * `keepalived --version` printed around it (its raw line is kept in `raw`).
 */
export function keepalivedVersionText(v: KeepalivedVersion): string {
  return `${v.major}.${v.minor}.${v.patch}`
}

/**
 * A director's keepalived.conf (templates/keepalived.conf.hbs) for the keepalived `version` it runs:
 * one VRRP instance and one virtual_server holding every real server. The lab's password is
 * resolved as withAuthPass does (a random one when the lab sets none). Unicast VRRP
 * (unicast_src_ip, unicast_peer) is rendered only when the lab asks for it and the director has
 * peers: keepalived refuses unicast keywords without a peer (`keepalived -t` exit 5: "A unicast
 * keyword has been specified without any unicast peers"), and a lone director has no one to
 * advertise to. VRRP version 3 is said in global_defs (vrrp_version), nopreempt and preempt_delay
 * in the instance, each only when the lab asks for it. Every lab validateLab accepts renders a file `keepalived -t` accepts
 * (test/docker/keepalived-conf.test.ts). Throws only on a template error.
 */
export function renderKeepalivedConf(labFile: Lab, director: Director, version: KeepalivedVersion = DEFAULT_KEEPALIVED): string {
  const lab = withAuthPass(labFile)
  const peers = lab.directors.filter((d) => d.name !== director.name)
  return render('keepalived.conf.hbs', {
    lab,
    director,
    // strict VRRP allows the MASTER state only to the address owner (priority 255), and keepalived
    // honours nopreempt and preempt_delay only from BACKUP (labNotes): all start as BACKUP and the
    // election makes the highest priority MASTER.
    state: lab.vrrp.strict || lab.vrrp.nopreempt || lab.vrrp.preempt_delay > 0 ? 'BACKUP' : director.state,
    peers,
    v3: lab.vrrp.version === 3,
    unicast: lab.vrrp.unicast && peers.length > 0,
    auth: lab.vrrp.auth_type !== 'NONE' && !lab.vrrp.strict,
    routerId: `${lab.name}_${director.name}`.replaceAll('-', '_'),
    trackWeight: trackWeight(lab),
    hc: lab.virtual_server.health_check,
    kw: keepalivedKeywords(version),
    keepalivedVersion: keepalivedVersionText(version),
  })
}

/** Apache's document root in every lab image (Debian's and the Red Hat family's default). */
export const DOCUMENT_ROOT = '/var/www/html'

/**
 * Where a real server's page lies, as absolute paths in its container: the document root's
 * index.html, and the file Apache serves for the health check's URL path (documentFileOf in
 * src/lab/document-file.ts: the query dropped, each segment percent-decoded as Apache decodes it, RFC 3986
 * section 2.1; index.html for a path ending in "/"), once each. So `/health%2Dcheck` lies at
 * /var/www/html/health-check. The paths hold only "/" and PAGE_CHAR characters, safe inside a
 * shell's single quotes. Throws an Error for a path documentFileOf refuses (validateLab refuses
 * such a lab file first).
 */
export function pagePaths(lab: Lab): string[] {
  const path = lab.virtual_server.health_check.path
  const page = documentFileOf(path)
  if (!page.ok) throw new Error(`virtual_server.health_check.path ${JSON.stringify(path)} ${page.problem}`)
  return [...new Set([`${DOCUMENT_ROOT}/index.html`, `${DOCUMENT_ROOT}/${page.file}`])]
}

/** A real server's page: "from <its ip>". */
export function renderIndexHtml(rs: RealServer): string {
  return render('index.html.hbs', {ip: rs.ip})
}

/** Which Dockerfile template makes the lab image: a base distribution, or an imported root filesystem. */
export type ImageVariant = 'rocky9' | 'centos7' | 'debian12' | 'import'
/** The registry image each buildable variant starts FROM. */
export const BASE_IMAGES: Record<Exclude<ImageVariant, 'import'>, string> = {
  // Rocky Linux's own maintained image: the library image `rockylinux` stopped getting updates in 2024
  // (docker-library/official-images PR 16754; projects moved over, e.g. warewulf-node-images PR 53).
  rocky9: 'rockylinux/rockylinux:9',
  centos7: 'centos:7',
  debian12: 'debian:12',
}

/**
 * The build context of the lab image, file name to content: its Dockerfile (templates/Dockerfile.<variant>.hbs,
 * FROM `opts.baseImage` or BASE_IMAGES; centos7's yum pointed at `opts.mirror`) and lvslab's own
 * init, service and facts helpers. Throws an Error for `import` without a base image.
 */
export function renderImageContext(
  variant: ImageVariant,
  opts: {baseImage?: string; mirror?: string; rootfs?: string} = {},
): Record<string, string> {
  const baseImage = opts.baseImage ?? (variant === 'import' ? undefined : BASE_IMAGES[variant])
  if (!baseImage) throw new Error('an imported image needs its base image')
  return {
    Dockerfile: render(`Dockerfile.${variant}.hbs`, {baseImage, mirror: opts.mirror ?? '', variant, rootfs: opts.rootfs ?? ''}),
    'lvslab-init': render('lvslab-init.hbs', {}),
    'lvslab-svc': render('lvslab-svc.hbs', {}),
    'lvslab-facts': render('lvslab-facts.hbs', {}),
  }
}

/** A file for a node's container, as renderLabFiles gives it. */
export interface RenderedFile {
  /** The node it is installed on. */
  node: string
  /** Its path inside the node's container. */
  path: string
  content: string
  /** Its permission bits, e.g. 0o644. */
  mode: number
}

/**
 * Every file `up` installs into the lab's containers, for keepalived `version`: each director's
 * /etc/keepalived/keepalived.conf, then each real server's pages (pagePaths). The VRRP password is
 * resolved once for all directors (withAuthPass: random when the lab sets none). Throws an Error
 * for a health-check path documentFileOf refuses.
 */
export function renderLabFiles(labFile: Lab, version: KeepalivedVersion = DEFAULT_KEEPALIVED): RenderedFile[] {
  const lab = withAuthPass(labFile)
  return [
    ...lab.directors.map((d) => ({
      node: d.name,
      path: '/etc/keepalived/keepalived.conf',
      content: renderKeepalivedConf(lab, d, version),
      mode: 0o644,
    })),
    ...lab.real_servers.flatMap((r) => pagePaths(lab).map((path) => ({node: r.name, path, content: renderIndexHtml(r), mode: 0o644}))),
  ]
}
