// What each command prints with --json (oclif's enableJsonFlag prints the object `run()` returns, and
// BaseCommand.toErrorJson what it prints on failure): the types that schemas/*.schema.json are
// generated from (`npm run schemas`, bin/json-schemas.js; test/unit/schemas.test.ts keeps them in step).
// Naming (README.md "JSON output"): camelCase keys; a duration's key ends in `Ms` (milliseconds) or
// `Seconds`, or is `seconds`; a rate's ends in `Hz`. Keys that are data (a server's IP in `perServer`, a
// sysctl's name in `sysctls`) are kept as they are.
import type {ChaosResult} from '../ops/chaos.js'
import type {DoctorResult} from '../ops/doctor.js'
import type {DownResult} from '../ops/down.js'
import type {ImageResult} from '../ops/image.js'
import type {RestoreResult} from '../ops/restore.js'
import type {StatusResult} from '../ops/status.js'
import type {UpResult} from '../ops/up/index.js'
import type {VerifyResult} from '../ops/verify.js'

/** What a command that fails with its result (exit 1: src/cli/base.ts ResultError) adds to that result. */
export interface FailedWithResult {
  /** Why the command failed, one line (present only when it exits non-zero). */
  error?: string
}

/** A file of `render --json`, printed: its node, its path in that node, its content. */
export interface RenderedFile {
  /** The node the file is for, e.g. "lvs1". */
  node: string
  /** Its path inside the node, e.g. "/etc/keepalived/keepalived.conf". */
  path: string
  /** The file's text. */
  content: string
}

/** A file of `render --out DIR --json`, written: its node, its path in that node, where it was written. */
export interface WrittenFile {
  /** The node the file is for, e.g. "lvs1". */
  node: string
  /** Its path inside the node, e.g. "/etc/keepalived/keepalived.conf". */
  path: string
  /** Where it was written: DIR/<node>/<path>. */
  written: string
}

/** What `render` returns: the lab's name and every file `up` would install (printed, or written with --out). */
export interface RenderResult {
  lab: string
  files: (RenderedFile | WrittenFile)[]
}

/** `lvslab up --json`. */
export type UpJson = UpResult
/** `lvslab verify --json`: with `error` when a check fails (exit 1). */
export type VerifyJson = VerifyResult & FailedWithResult
/** `lvslab status --json`: with `error` on split brain (exit 1). */
export type StatusJson = StatusResult & FailedWithResult
/** `lvslab down --json`. */
export type DownJson = DownResult
/** `lvslab doctor --json`: with `error` when a finding fails (exit 1). */
export type DoctorJson = DoctorResult & FailedWithResult
/** `lvslab render --json`. */
export type RenderJson = RenderResult
/** `lvslab chaos all|rs-down|director-down|kill-master --json`: with `error` when a drill fails (exit 1). */
export type ChaosJson = ChaosResult & FailedWithResult
/** `lvslab chaos restore --json`. */
export type RestoreJson = RestoreResult
/** `lvslab image build|import --json`. */
export type ImageJson = ImageResult

/** Bad input (exit 2): one line per problem, naming the field or flag, what is wrong and the fix. */
export interface InputErrorJson {
  error: {kind: 'input'; lines: string[]}
}

/** A failed step (exit 1): the step's name, the whole message, and the fix where known. */
export interface StepErrorJson {
  error: {kind: 'step'; step: string; message: string; fix?: string}
}

/** An interrupted command (exit 130 for SIGINT, 143 for SIGTERM): what of the lab exists now, and the fix. */
export interface InterruptedJson {
  error: {kind: 'interrupted'; signal: 'SIGINT' | 'SIGTERM'; message: string}
}

/** Any other failure (exit 1): its message. */
export interface OtherErrorJson {
  error: string
}

/** What any command prints with --json when it fails without a result (src/cli/base.ts toErrorJson, interrupted). */
export type ErrorJson = InputErrorJson | StepErrorJson | InterruptedJson | OtherErrorJson
