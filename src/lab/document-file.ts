// Where Apache httpd finds the page of a health-check URL path: the lab's rule for
// virtual_server.health_check.path beyond its characters (schema.ts URL_PATH), shared by the lab's
// validation (meaning.ts) and the rendering of the real servers' pages (render/index.ts). Pure.

/**
 * The characters a health-check path may hold in a file name once percent-decoded: ASCII letters,
 * digits and ._~-+:@,;=& (and "/" between segments). None has a meaning to a shell inside single
 * quotes (the page's path goes into shell commands in the real servers, e.g. `mkdir -p "$(dirname
 * '<path>')"`), to the file system, or to Apache's mapping of a URL path to a file.
 */
export const PAGE_CHAR = /^[A-Za-z0-9._~+:@,;=&-]$/

/**
 * First path segments that the lab images' default Apache configuration maps elsewhere than the
 * document root, with where it does so. Debian 12 (read in the lab image): mods-enabled/alias.conf
 * `Alias /icons/`, conf-enabled/serve-cgi-bin.conf `ScriptAlias /cgi-bin/`, mods-enabled/status.conf
 * `<Location /server-status>`. The Red Hat family's httpd (Rocky 9, CentOS 7): httpd.conf
 * `ScriptAlias /cgi-bin/`, conf.d/autoindex.conf `Alias /icons/`, conf.d/welcome.conf `Alias
 * /noindex/...` and the single files in RESERVED_FILES.
 */
const RESERVED_FIRST_SEGMENTS: Record<string, string> = {
  icons: 'Alias /icons/',
  'cgi-bin': 'ScriptAlias /cgi-bin/',
  'server-status': '<Location /server-status> (mod_status)',
  noindex: 'Alias /noindex/ (welcome.conf)',
}
/** Single files the Red Hat family's conf.d/welcome.conf aliases out of the document root. */
const RESERVED_FILES = new Set([
  '.noindex.html',
  'poweredby.png',
  'system_noindex_logo.png',
  'images/apache_pb.gif',
  'images/poweredby.png',
])

/** Where Apache finds a health-check path, or why it finds no plain file for it. */
export type DocumentFile =
  | {
      ok: true
      /** The file, relative to the document root: decoded segments joined by "/", "index.html" for a path ending in "/". */ file: string
    }
  | {ok: false; /** What is wrong, to follow the quoted path in a message. */ problem: string; /** How to write it instead. */ fix: string}

/**
 * The file under the document root that Apache httpd serves for a health-check URL path, the way
 * its default configuration maps it: the query (from the first "?") is no part of the file; every
 * segment is percent-decoded (RFC 3986 section 2.1: "%" and two hex digits give one byte); a path
 * ending in "/" is its folder's index.html (mod_dir's DirectoryIndex).
 *
 * Refused (ok false, one problem and its fix), as Apache would not serve a plain file of the
 * document root for them, or as the decoded name must stay safe in a shell's single quotes:
 * an invalid "%" escape (Apache answers 400); an encoded "/" (%2F: Apache's AllowEncodedSlashes is
 * Off by default and answers 404, see https://httpd.apache.org/docs/2.4/mod/core.html#allowencodedslashes);
 * NUL and other control characters; "\"; non-ASCII bytes; any other character outside PAGE_CHAR;
 * empty segments ("//"); "." and ".." segments (resolved before mapping; ".." leaves the document
 * root); names starting ".ht" (denied by the default `<Files ".ht*">` / `<FilesMatch "^\.ht">`);
 * the paths of RESERVED_FIRST_SEGMENTS and RESERVED_FILES; a folder named index.html (the document
 * root's own page). Pure: throws nothing.
 */
export function documentFileOf(urlPath: string): DocumentFile {
  const bad = (problem: string, fix: string): DocumentFile => ({ok: false, problem, fix})
  const query = urlPath.indexOf('?')
  const path = query < 0 ? urlPath : urlPath.slice(0, query)
  if (!path.startsWith('/')) return bad('does not start with "/"', 'start the path with "/"')
  const parts = path.slice(1).split('/')
  const folder = parts.at(-1) === ''
  if (folder) parts.pop()
  const segments: string[] = []
  const safeFix = 'use ASCII letters, digits or ._~-+:@,;=& in the path, written as they are or percent-encoded'
  for (const part of parts) {
    if (part === '') return bad('has an empty segment ("//")', 'write a single "/" between segments')
    let name = ''
    for (let i = 0; i < part.length; i++) {
      let ch = part.charAt(i)
      let shown = JSON.stringify(ch)
      if (ch === '%') {
        const hex = part.slice(i + 1, i + 3)
        if (!/^[0-9A-Fa-f]{2}$/.test(hex))
          return bad(
            `has ${JSON.stringify(part.slice(i, i + 3))}, which is not a percent escape ("%" and two hex digits, RFC 3986 section 2.1): Apache answers 400`,
            'write "%" itself as %25, or complete the escape',
          )
        const code = Number.parseInt(hex, 16)
        const escape = part.slice(i, i + 3)
        i += 2
        if (code === 0x2f)
          return bad(
            `encodes "/" as ${escape}: Apache answers 404 for it (AllowEncodedSlashes Off, its default)`,
            'write "/" itself between segments, or leave it out of the name',
          )
        if (code >= 0x80) return bad(`has ${escape}, a byte outside ASCII, in a file name`, safeFix)
        ch = String.fromCharCode(code)
        shown = `${escape} (${JSON.stringify(ch)})`
      }
      const code = ch.charCodeAt(0)
      if (code === 0) return bad(`has ${shown}, a NUL character, which no file name can hold`, 'remove it')
      if (code < 0x20 || code === 0x7f) return bad(`has ${shown}, a control character`, 'remove it')
      if (ch === '\\')
        return bad(
          `has ${shown}, a backslash, which Apache does not treat as "/" on Linux and a shell treats specially`,
          'use "/" between segments and no "\\"',
        )
      if (code >= 0x80) return bad(`has ${shown}, a character outside ASCII`, safeFix)
      if (!PAGE_CHAR.test(ch)) return bad(`has ${shown}, which a page's file name must not hold`, safeFix)
      name += ch
    }
    if (name === '.' || name === '..')
      return bad(
        `has a "${name}" segment, which is resolved before Apache maps the path${name === '..' ? ' and would climb out of the document root' : ''}`,
        `remove the "${name}" segment`,
      )
    if (name.startsWith('.ht'))
      return bad(
        `names a file starting ".ht", which Apache's default configuration denies (403)`,
        'choose a name that does not start with ".ht"',
      )
    segments.push(name)
  }
  const first = segments[0]
  if (first !== undefined && segments.length + (folder ? 1 : 0) > 1 && first === 'index.html') {
    return bad("would make index.html, the document root's own page, a folder", 'choose another first segment')
  }
  if (first !== undefined && RESERVED_FIRST_SEGMENTS[first] !== undefined) {
    return bad(
      `starts with /${first}, which Apache maps elsewhere than the document root (${RESERVED_FIRST_SEGMENTS[first]})`,
      'choose another first segment',
    )
  }
  const file = [...segments, ...(folder || segments.length === 0 ? ['index.html'] : [])].join('/')
  if (RESERVED_FILES.has(file))
    return bad(
      `is /${file}, which Apache's default configuration maps elsewhere than the document root (Alias in welcome.conf)`,
      'choose another name',
    )
  return {ok: true, file}
}
