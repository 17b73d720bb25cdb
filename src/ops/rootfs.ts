// The root filesystem that `image import` takes: what identifies it, its bytes as a tar stream, and the
// check that it has the programs every lab image needs.
import {createHash} from 'node:crypto'
import {createReadStream, existsSync, lstatSync, readFileSync, readlinkSync, statSync} from 'node:fs'
import {dirname, isAbsolute, join, resolve} from 'node:path'
import type {Readable} from 'node:stream'
import {execa} from 'execa'
import {InputError} from '../errors.js'

/**
 * What identifies a root filesystem cheaply, as 12 hex digits of a sha256: its package database (dpkg
 * status or the rpm database), else its path and mtime; for a tar, its path, size and mtime.
 * @throws Error from statSync when the path does not exist (checkRootfs says so first)
 */
export function rootfsFingerprint(path: string): string {
  const h = createHash('sha256')
  const st = statSync(path)
  if (st.isDirectory()) {
    const db = ['var/lib/dpkg/status', 'var/lib/rpm/rpmdb.sqlite', 'var/lib/rpm/Packages']
      .map((p) => join(path, p))
      .find((p) => existsSync(p))
    if (db) h.update(readFileSync(db))
    else h.update(`${resolve(path)}:${st.mtimeMs}`)
  } else {
    h.update(`${resolve(path)}:${st.size}:${st.mtimeMs}`)
  }
  return h.digest('hex').slice(0, 12)
}

/** A root filesystem as a tar stream: a folder through tar(1) (numeric owners), a tar file as it is; `done` settles when tar ends. */
export function rootfsStream(path: string): {stream: Readable; done: Promise<unknown>} {
  const st = statSync(path)
  if (st.isDirectory()) {
    const tar = execa('tar', ['-C', path, '--numeric-owner', '-c', '.'], {buffer: false, stderr: 'pipe'})
    return {stream: tar.stdout as Readable, done: tar}
  }
  return {stream: createReadStream(path), done: Promise.resolve()}
}

/**
 * Whether `rel` is there inside the root filesystem `root`, following links as the root filesystem's own
 * (at most 8): Debian's /usr/bin/awk is a link to /etc/alternatives/awk, an absolute path that means the
 * root filesystem's, not this host's, and that is a link to /usr/bin/mawk in turn.
 */
function presentIn(root: string, rel: string): boolean {
  let p = join(root, rel)
  for (let hop = 0; hop < 8; hop++) {
    let st
    try {
      st = lstatSync(p)
    } catch {
      return false
    }
    if (!st.isSymbolicLink()) return true
    const target = readlinkSync(p)
    p = isAbsolute(target) ? join(root, target) : join(dirname(p), target)
  }
  return false
}

/**
 * Checks a root filesystem for `image import` before anything runs: a folder with keepalived,
 * ipvsadm, ip, tc, ps, curl, awk, sed and Apache httpd, or a tar file (a tar's content is checked when
 * the image is built: templates/Dockerfile.lvslab-layer.hbs).
 * @throws InputError naming what is missing and how to add it
 */
export function checkRootfs(path: string): void {
  let st
  try {
    st = statSync(path)
  } catch {
    throw new InputError(
      `--rootfs ${path}: no such file or folder (fix: give a root filesystem folder or a tar of one, e.g. made with debootstrap)`,
    )
  }
  if (st.isDirectory()) {
    const tools: [bin: string, pkg: string][] = [
      ['keepalived', 'keepalived'],
      ['ipvsadm', 'ipvsadm'],
      ['ip', 'iproute2'],
      ['ps', 'procps'],
      ['curl', 'curl'],
      // the drills' tc (partition, netem) and the track_table script's awk (templates/lvslab-svc.hbs)
      ['tc', 'iproute2'],
      ['awk', 'mawk or gawk'],
      ['sed', 'sed'],
    ]
    const missing = tools
      .filter(([bin]) => !['usr/sbin', 'usr/bin', 'sbin', 'bin'].some((d) => presentIn(path, join(d, bin))))
      .map(([, pkg]) => pkg)
      .filter((pkg, k, all) => all.indexOf(pkg) === k)
    if (!['usr/sbin/httpd', 'usr/sbin/apache2'].some((p) => presentIn(path, p))) missing.push('Apache httpd')
    if (missing.length > 0)
      throw new InputError(
        `--rootfs ${path}: this root filesystem lacks ${missing.join(', ')} (fix: install them into it, e.g. debootstrap --include=keepalived,ipvsadm,iproute2,procps,curl,apache2, which with Debian's own mawk and sed has them all)`,
      )
  } else if (!st.isFile()) {
    throw new InputError(`--rootfs ${path}: not a folder or a tar file (fix: give a root filesystem folder or a tar of one)`)
  }
}
