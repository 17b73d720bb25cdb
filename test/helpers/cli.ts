import {execa} from 'execa'

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
