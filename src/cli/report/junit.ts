// JUnit XML through junit-report-builder: one test suite per run, one test case per check.
import builder, {type Builder} from 'junit-report-builder'
import type {VerifyResult} from '../../ops/verify.js'

/** One JUnit test case: a check or a drill's phase, its detail (standard output when it passed, the failure else) and time in s. */
export interface JunitCase {
  name: string
  ok: boolean
  detail: string
  seconds?: number
}

/**
 * Writes one JUnit XML test suite named `suiteName` (also each case's class name) to `file`, through
 * junit-report-builder (which makes the file's folders); a case's `seconds` becomes its time attribute.
 * @throws Error from writing the file (no permission, a full disk)
 */
export function writeJunit(suiteName: string, cases: JunitCase[], file: string): void {
  const b = (builder as unknown as Builder).newBuilder()
  const suite = b.testSuite().name(suiteName)
  for (const c of cases) {
    const tc = suite.testCase().className(suiteName).name(c.name)
    if (c.seconds !== undefined) tc.time(c.seconds)
    if (c.ok) tc.standardOutput(c.detail)
    else tc.failure(c.detail)
  }
  b.writeTo(file)
}

/**
 * Writes `verify`'s checks as JUnit XML to `file`: suite lvslab.verify.<lab>, one case per check (no time).
 * @throws Error from writing the file, as writeJunit
 */
export function writeVerifyJunit(result: VerifyResult, file: string): void {
  writeJunit(`lvslab.verify.${result.lab}`, result.checks, file)
}
