// Every generated file comes from a Handlebars template in templates/: one instance, partials
// registered once. Rendering is pure: no Docker, no network.
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import Handlebars from 'handlebars'
import {type Director, type Lab, type RealServer, withAuthPass} from '../lab/model.js'
import type {KeepalivedVersion} from '../parse/keepalived.js'

export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url))

const hbs = Handlebars.create()
hbs.registerPartial('lvslabLayer', readTemplate('Dockerfile.lvslab-layer.hbs'))
const cache = new Map<string, Handlebars.TemplateDelegate>()

function readTemplate(name: string): string {
  return readFileSync(`${TEMPLATES_DIR}${name}`, 'utf8')
}

export function render(name: string, context: object): string {
  let tpl = cache.get(name)
  if (!tpl) {
    tpl = hbs.compile(readTemplate(name), {noEscape: true, strict: true})
    cache.set(name, tpl)
  }
  return tpl(context)
}

export type {KeepalivedVersion} from '../parse/keepalived.js'

/** What `render` assumes without an image to ask: Debian 12's keepalived. */
export const DEFAULT_KEEPALIVED: KeepalivedVersion = {major: 2, minor: 2, patch: 7, raw: 'v2.2.7'}

/** Keywords that changed name: keepalived 2.x rejects nb_get_retry; 1.3 (CentOS 7) knows only it. */
export function keepalivedKeywords(v: KeepalivedVersion): {sched: string; method: string; retry: string} {
  return v.major >= 2
    ? {sched: 'lvs_sched', method: 'lvs_method', retry: 'retry'}
    : {sched: 'lb_algo', method: 'lb_kind', retry: 'nb_get_retry'}
}

export function renderKeepalivedConf(labFile: Lab, director: Director, version: KeepalivedVersion = DEFAULT_KEEPALIVED): string {
  const lab = withAuthPass(labFile)
  return render('keepalived.conf.hbs', {
    lab,
    director,
    // strict VRRP allows the MASTER state only to the address owner (priority 255): all start as
    // BACKUP and the election makes the highest priority MASTER.
    state: lab.vrrp.strict ? 'BACKUP' : director.state,
    peers: lab.directors.filter((d) => d.name !== director.name),
    auth: lab.vrrp.auth_type !== 'NONE' && !lab.vrrp.strict,
    routerId: `${lab.name}_${director.name}`.replaceAll('-', '_'),
    hc: lab.virtual_server.health_check,
    kw: keepalivedKeywords(version),
    keepalived: version,
  })
}

/** Where a real server's page lies for a URL path: the document root, plus the health check's path. */
export function pagePaths(lab: Lab): string[] {
  const path = lab.virtual_server.health_check.path.split('?')[0]!
  const file = `/var/www/html${path.endsWith('/') ? `${path}index.html` : path}`
  return [...new Set(['/var/www/html/index.html', file])]
}

export function renderIndexHtml(rs: RealServer): string {
  return render('index.html.hbs', {ip: rs.ip})
}

export type ImageVariant = 'rocky9' | 'centos7' | 'debian12' | 'import'
export const BASE_IMAGES: Record<Exclude<ImageVariant, 'import'>, string> = {
  rocky9: 'rockylinux:9',
  centos7: 'centos:7',
  debian12: 'debian:12',
}

/** The build context of the lab image: its Dockerfile and lvslab's own files, by name. */
export function renderImageContext(variant: ImageVariant, opts: {baseImage?: string; mirror?: string; rootfs?: string} = {}): Record<string, string> {
  const baseImage = opts.baseImage ?? (variant === 'import' ? undefined : BASE_IMAGES[variant])
  if (!baseImage) throw new Error('an imported image needs its base image')
  return {
    Dockerfile: render(`Dockerfile.${variant}.hbs`, {baseImage, mirror: opts.mirror ?? '', variant, rootfs: opts.rootfs ?? ''}),
    'lvslab-init': render('lvslab-init.hbs', {}),
    'lvslab-svc': render('lvslab-svc.hbs', {}),
  }
}

export interface RenderedFile {
  /** The node it is installed on. */
  node: string
  /** Its path inside the node's container. */
  path: string
  content: string
  mode: number
}

/** Every file `up` installs into the lab's containers. */
export function renderLabFiles(labFile: Lab, version: KeepalivedVersion = DEFAULT_KEEPALIVED): RenderedFile[] {
  const lab = withAuthPass(labFile)
  return [
    ...lab.directors.map((d) => ({node: d.name, path: '/etc/keepalived/keepalived.conf', content: renderKeepalivedConf(lab, d, version), mode: 0o644})),
    ...lab.real_servers.flatMap((r) => pagePaths(lab).map((path) => ({node: r.name, path, content: renderIndexHtml(r), mode: 0o644}))),
  ]
}
