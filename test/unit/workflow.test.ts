// examples/github/lvs-failover.yml: valid YAML, and it installs lvslab from a tarball it packs from
// lvslab's own repository (lvslab is not on the npm registry), never by name from the registry;
// then IPVS, up, the drills with a JUnit report, down, and the report published.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {parseDocument} from 'yaml'

const FILE = join(import.meta.dirname, '..', '..', 'examples', 'github', 'lvs-failover.yml')

interface Step {
  name?: string
  uses?: string
  run?: string
  if?: string
  with?: Record<string, unknown>
  'working-directory'?: string
}

const doc = parseDocument(readFileSync(FILE, 'utf8'), {uniqueKeys: true, prettyErrors: true})
const wf = doc.toJS() as {
  name: string
  on: Record<string, unknown>
  env: Record<string, string>
  jobs: Record<string, {'runs-on': string; steps: Step[]}>
}
const steps = wf.jobs.failover?.steps ?? []

/** Every shell command of the steps, one per line or `&&` part, with the index of its step. */
const commands = steps.flatMap((s, i) =>
  (s.run ?? '')
    .split(/\n|&&|;/)
    .map((c) => c.trim())
    .filter(Boolean)
    .map((c) => ({step: i, dir: s['working-directory'] ?? '.', argv: c.split(/\s+/)})),
)
const stepOf = (re: RegExp) => {
  const i = commands.findIndex((c) => re.test(c.argv.join(' ')))
  expect(i, `no step runs ${re}`).toBeGreaterThanOrEqual(0)
  return commands[i]!.step
}

describe('examples/github/lvs-failover.yml', () => {
  it('is valid YAML: no errors or warnings, no duplicate keys, one job with steps', () => {
    expect(doc.errors).toEqual([])
    expect(doc.warnings).toEqual([])
    expect(Object.keys(wf.on).sort()).toEqual(['pull_request', 'push', 'workflow_dispatch'])
    expect(steps.length).toBeGreaterThan(5)
    for (const s of steps) expect(Boolean(s.uses) !== Boolean(s.run), `a step has one of uses and run: ${JSON.stringify(s)}`).toBe(true)
  })

  it('checks out the lvslab repository that LVSLAB_REPOSITORY and LVSLAB_REF name', () => {
    expect(wf.env.LVSLAB_REPOSITORY).toMatch(/^[\w.-]+\/[\w.-]+$/)
    expect(wf.env.LVSLAB_REF).toContain('inputs.lvslab_ref')
    const lvslab = steps.find((s) => s.uses?.startsWith('actions/checkout@') && s.with?.repository)
    expect(lvslab?.with).toMatchObject({repository: '${{ env.LVSLAB_REPOSITORY }}', ref: '${{ env.LVSLAB_REF }}', path: '.lvslab-src'})
  })

  it('packs lvslab there with npm ci && npm pack and installs that tarball globally', () => {
    const pack = stepOf(/^npm pack$/)
    expect(stepOf(/^npm ci$/)).toBe(pack)
    expect(steps[pack]!['working-directory']).toBe('.lvslab-src')
    const install = stepOf(/^npm (install|i) (--global|-g) \.\/lvslab-\*\.tgz$/)
    expect(steps[install]!['working-directory']).toBe('.lvslab-src')
    expect(install).toBeGreaterThan(pack)
  })

  it('never installs lvslab (or anything) globally by name from the registry', () => {
    const globalInstalls = commands.filter(
      (c) => c.argv[0] === 'npm' && /^(install|i|add)$/.test(c.argv[1] ?? '') && c.argv.some((a) => a === '--global' || a === '-g'),
    )
    expect(globalInstalls.length).toBeGreaterThan(0)
    for (const c of globalInstalls) {
      const targets = c.argv.slice(2).filter((a) => !a.startsWith('-'))
      expect(targets.length).toBeGreaterThan(0)
      for (const t of targets) expect(t, `npm ${c.argv.slice(1).join(' ')}`).toMatch(/^\.{0,2}\/.*\.tgz$/)
    }
    expect(readFileSync(FILE, 'utf8')).not.toMatch(/^[^#\n]*npm (install|i) (--global|-g) lvslab\b/m)
    expect(commands.filter((c) => c.argv[0] === 'npx')).toEqual([])
  })

  it('loads IPVS, then up, the drills with a JUnit report and the Markdown summary, and down (always), and publishes the report', () => {
    const install = stepOf(/--global \.\/lvslab-\*\.tgz/)
    const modprobe = stepOf(/^sudo modprobe ip_vs$/)
    const up = stepOf(/^lvslab up$/)
    const chaos = stepOf(/^lvslab chaos all --junit lvslab-chaos\.xml --markdown "\$GITHUB_STEP_SUMMARY"$/)
    const down = stepOf(/^lvslab down$/)
    expect(install).toBeLessThan(up)
    expect(modprobe).toBeLessThan(up)
    expect(up).toBeLessThan(chaos)
    expect(chaos).toBeLessThan(down)
    expect(steps[down]!.if).toBe('always()')
    const report = steps.find((s) => s.uses?.startsWith('mikepenz/action-junit-report@'))
    expect(report?.if).toBe('always()')
    expect(report?.with?.report_paths).toBe('lvslab-chaos.xml')
  })
})
