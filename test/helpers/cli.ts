import {execa} from 'execa'
import {expect} from 'vitest'

export interface CliResult {
  exitCode: number
  stdout: string
  stderr: string
  json?: any
}

/** Runs the built CLI as a user would (bin/run.js), as in CI (plain progress lines). */
export async function cli(...args: string[]): Promise<CliResult> {
  const r = await execa('node', ['bin/run.js', ...args], {reject: false, env: {CI: 'true', NODE_ENV: 'production'}, timeout: 1_500_000})
  let json
  if (args.includes('--json')) {
    try {
      json = JSON.parse(r.stdout)
    } catch {
      json = undefined
    }
  }
  return {exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr, json}
}

/**
 * Runs the built CLI (cli) and expects exit 0: any other exit code fails the test with a message
 * naming the command and quoting the tail of its stdout (3000 characters) and stderr (1000).
 */
export async function cliOk(...args: string[]): Promise<CliResult> {
  const r = await cli(...args)
  expect(r.exitCode, `lvslab ${args.join(' ')}: exit ${r.exitCode}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-1000)}`).toBe(0)
  return r
}
