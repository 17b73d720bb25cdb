/**
 * Parsers of what keepalived says about itself: its version banner and its --help text, for every
 * keepalived lvslab supports: 1.3.5 (CentOS 7), 2.2.7 (Debian 12), 2.2.8 (Rocky 9), 2.3.3 (Debian 13).
 * Recorded outputs of each are in test/fixtures/userland/ (see SOURCES.md there). Its state dumps
 * are read by keepalived-data.ts (/tmp/keepalived.data) and keepalived-json.ts
 * (/tmp/keepalived.json), re-exported here.
 */
// the state dumps' parsers and shapes, importable from here as before
export {type KeepalivedDataOptions, parseKeepalivedData} from './keepalived-data.js'
export {parseKeepalivedJson} from './keepalived-json.js'
export type {VrrpInstanceState, VrrpState} from './vrrp-state.js'
import {snippet} from './text.js'

/** A keepalived version, e.g. {major: 2, minor: 2, patch: 7, raw: "Keepalived v2.2.7 (01/16,2022)"}. */
export interface KeepalivedVersion {
  major: number
  minor: number
  patch: number
  /** The banner line it was read from, trimmed. */
  raw: string
}

const VERSION_RE = /^Keepalived v(\d+)\.(\d+)\.(\d+)\b/

/**
 * Parse `keepalived --version` (or `-v`) output; only the banner line is read. Every version prints
 * this on *stderr* and exits 0 (keepalived/core/main.c parse_cmdline(), case 'v'), so capture 2>&1.
 * The banner is `PACKAGE_NAME " v" VERSION " (" VERSION_DATE ")"` plus `", git commit X"` when the
 * build had git-commit.h:
 *   1.3.5 (CentOS 7):  `Keepalived v1.3.5 (03/19,2017), git commit v1.3.5-6-g6fa32f2`
 *                      then "Copyright(C) 2001-2017 ..." and one "Build options:  ..." line.
 *   2.2.7 (Debian 12): `Keepalived v2.2.7 (01/16,2022)`
 *   2.2.8 (release tarball, e.g. Rocky 9 / Ubuntu 24.04): `Keepalived v2.2.8 (04/04,2023), git commit v2.2.7-154-g292b299e+`
 *   2.3.3 (Debian 13): `Keepalived v2.3.3 (03/30,2025)`
 *   2.x then prints "Copyright(C) ...", "Built with kernel headers for Linux X", "Running on ...",
 *   "Distro: ...", "configure options: ...", "Config options: ...", "System options: ...".
 * A bare `Keepalived v2.2.7` is accepted too (lvslab's own /etc/lvslab-keepalived-version).
 * @returns major/minor/patch and `raw`, the trimmed banner line.
 * @throws Error when no line starts with `Keepalived vX.Y.Z` (empty text — e.g. stdout captured
 *   without stderr —, "command not found", a cut banner such as `Keepalived v2.2`).
 */
export function parseKeepalivedVersion(text: string): KeepalivedVersion {
  for (const rawLine of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = rawLine.trim()
    const m = VERSION_RE.exec(line)
    if (m) {
      return {major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), raw: line}
    }
  }
  throw new Error(
    text.trim() === ''
      ? 'keepalived --version: empty output (note: keepalived prints its version on stderr)'
      : `unrecognised keepalived --version output: ${snippet(text)}`,
  )
}

/** What a keepalived binary's command line offers, as read from its `--help` text. */
export interface KeepalivedFeatures {
  /** `-t, --config-test[=LOG_FILE]`: check the configuration and exit (keepalived >= 2.0.4). */
  configTest: boolean
  /** `--signum=SIGFUNC`: print the number of the signal for STOP, RELOAD, DATA, STATS, ... (>= 1.3.8). */
  signum: boolean
  /** `-g, --log-file=FILE`: also log to a file (>= 1.4.0, and only when built with --enable-log-file). */
  logFile: boolean
  /** `--signum` lists JSON: the build has the JSON dump (--enable-json; >= 1.3.8). */
  json: boolean
}

const HELP_USAGE_RE = /^Usage: \S+ \[OPTION\.\.\.\]\s*$/m
const HELP_LAST_RE = /^\s+-h, --help\s+Display this help message\s*$/m

/**
 * Read which command-line features a keepalived build has from its `keepalived --help` (or `-h`)
 * text. keepalived prints the usage on *stderr* and exits 0 (main.c usage()), so capture 2>&1.
 *
 * Why read the help and not the version: two of these are build options, not versions. Per
 * keepalived's ChangeLog (acassen/keepalived, ChangeLog at 2.0.19, commit 6e3cf646):
 * - `--signum` came in 1.3.8 (2017-10-15: "Add --signum command line option to report signal
 *   numbers"), together with the JSON dump; the help lists ", JSON" in the --signum line only when
 *   built with _WITH_JSON_ (--enable-json).
 * - `-g, --log-file` came in 1.4.0 (2017-12-29: "Add log to file and no syslog options"); since then
 *   main.c prints it only `#ifdef ENABLE_LOG_TO_FILE` (configure --enable-log-file): Debian 12's 2.2.7
 *   lacks it, Debian 13's 2.3.3 has it.
 * - `-t, --config-test` came in 2.0.4 (2018-06-17: "Add -t config-test option", issue #389); 2.0.5
 *   made a failed check exit 1.
 * keepalived 1.3.5 (CentOS 7) has none of the three: its usage() ends "-i, --config_id id ...",
 * "-v, --version", "-h, --help", and its getopt loop treats any unknown option with
 * `default: exit(0);` — so `keepalived --signum=JSON` or `keepalived -t` there print getopt's
 * "unrecognized option" on stderr, print nothing on stdout and exit 0 without starting a daemon
 * (and without checking anything). Gate on these features, never on the exit code.
 *
 * @param helpText the usage text (`Usage: keepalived [OPTION...]` ... `-h, --help  Display this help message`).
 * @throws Error when the text is not keepalived's usage or is cut short: it must contain the
 *   `Usage: PROG [OPTION...]` line and end with the `-h, --help` line, which every version prints last.
 */
export function keepalivedFeatures(helpText: string): KeepalivedFeatures {
  const text = helpText.replace(/\r\n?/g, '\n')
  if (text.trim() === '') {
    throw new Error('keepalived --help: empty output (note: keepalived prints its usage on stderr)')
  }
  if (!HELP_USAGE_RE.test(text)) {
    throw new Error(`not keepalived --help output (no "Usage: keepalived [OPTION...]" line): ${snippet(text)}`)
  }
  if (!HELP_LAST_RE.test(text)) {
    throw new Error('keepalived --help: no "-h, --help" line, which keepalived prints last (output cut short?)')
  }
  const signumLine = /^\s+--signum=\S+\s+(.*)$/m.exec(text)
  return {
    configTest: /^\s+-t, --config-test\b/m.test(text),
    signum: signumLine !== null,
    logFile: /^\s+-g, --log-file\b/m.test(text),
    json: signumLine !== null && /\bJSON\b/.test(signumLine[1] ?? ''),
  }
}
