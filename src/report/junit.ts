// JUnit XML through junit-report-builder: one test suite per run, one test case per check.
import builder, {type Builder} from 'junit-report-builder'
import type {VerifyResult} from '../ops/verify.js'

export interface JunitCase {
  name: string
  ok: boolean
  detail: string
  seconds?: number
}

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

export function writeVerifyJunit(result: VerifyResult, file: string): void {
  writeJunit(`lvslab.verify.${result.lab}`, result.checks, file)
}
