// Bad input through the commands as oclif runs them in this process (test/helpers/oclif.ts; the built
// CLI: run `npm run build` first): exit 2 with one line per problem, "lvslab: <field or flag>: <what
// is wrong> (fix: <how>)" on stderr, or {error: {kind: "input", lines}} on stdout with --json, before
// any engine call; and unknown drills and drill targets refused.
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {inProcessCli, lvslab, refusalLines} from '../helpers/oclif.js'

const {tmp, labFile} = inProcessCli('lvslab-refusals-')

describe('bad input: exit 2, one line per problem naming the field or flag and the fix', () => {
  it('a lab file with a VRID out of range', async () => {
    const file = labFile('vrid.yaml', 'vrrp: {virtual_router_id: 300}')
    const r = await lvslab('render', '--file', file)
    expect(r.exit).toBe(2)
    expect(refusalLines(r.stderr)).toEqual([
      `lvslab: ${file}: vrrp.virtual_router_id: 300 is above the maximum 255 (fix: use a whole number from 1 to 255)`,
    ])
    expect(r.stdout).toBe('')
  })

  it('an unknown key, a wrong type and a meaning error, one line each', async () => {
    const file = labFile('many.yaml', 'nmae: x\nvip: [1, 2]\n')
    const r = await lvslab('render', '--file', file)
    expect(r.exit).toBe(2)
    expect(refusalLines(r.stderr)).toEqual([
      `lvslab: ${file}: vip: expected a string, got [1,2] (fix: write a string there)`,
      `lvslab: ${file}: unknown key "nmae" (fix: remove it or correct the spelling; known keys here: name, image, network, vip, vrrp, directors, real_servers, virtual_server, notify)`,
    ])
    const meaning = labFile('vip.yaml', 'vip: 10.1.1.1')
    const m = await lvslab('render', '--file', meaning)
    expect(m.exit).toBe(2)
    expect(refusalLines(m.stderr)).toEqual([
      `lvslab: ${meaning}: vip: 10.1.1.1 is outside the lab network 172.20.0.0/16 (fix: choose an address inside 172.20.0.0/16, or change network.subnet)`,
    ])
  })

  it('a number YAML read where text was written shows the writing and the quoted fix', async () => {
    const file = labFile('pass.yaml', 'vrrp: {auth_pass: 00001111}')
    const r = await lvslab('status', '--file', file)
    expect(r.exit).toBe(2)
    expect(refusalLines(r.stderr)).toEqual([
      `lvslab: ${file}: vrrp.auth_pass: YAML reads 00001111 as the number 1111, not as the text written (fix: quote it: auth_pass: "00001111")`,
    ])
  })

  it('with --json, the lines come as {error: {kind: "input", lines}} on stdout', async () => {
    const file = labFile('json.yaml', 'name: 05')
    const r = await lvslab('verify', '--json', '--file', file)
    expect(r.exit).toBe(2)
    expect(JSON.parse(r.stdout)).toEqual({
      error: {kind: 'input', lines: [`${file}: name: YAML reads 05 as the number 5, not as the text written (fix: quote it: name: "05")`]},
    })
  })

  it('a lab file that does not exist, and a folder', async () => {
    const missing = join(tmp, 'nope.yaml')
    const r = await lvslab('doctor', '--file', missing)
    expect(r.exit).toBe(2)
    expect(refusalLines(r.stderr)[0]).toMatch(new RegExp(`^lvslab: --file ${missing}: no such file \\(fix: `))
    const dir = await lvslab('render', '--file', tmp)
    expect(dir.exit).toBe(2)
    expect(refusalLines(dir.stderr)[0]).toContain('not a regular file')
  })

  it.each([
    ['a keepalived version that is not one', ['render', '--keepalived-version', 'latest'], '--keepalived-version'],
    ['a number out of range', ['verify', '--requests', '0'], '--requests'],
    ['a flag value out of its options', ['verify', '--from', 'nowhere'], '--from'],
    ['an unknown flag', ['render', '--bogus'], '--bogus'],
    ['a lab name that is not a DNS label', ['down', '--name', 'Bad_Name'], '--name'],
  ])('%s', async (_what, args, flag) => {
    const r = await lvslab(...args)
    expect(r.exit).toBe(2)
    const lines = refusalLines(r.stderr)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(flag)
  })
})

describe('unknown drills and drill targets are refused', () => {
  it.each([
    ['rs-down', 'rs9', 'no real server rs9 in lab classic (fix: name one of rs1, rs2)'],
    ['director-down', 'lvs9', 'no director lvs9 in lab classic (fix: name one of lvs1, lvs2)'],
  ])('chaos %s %s: exit 2 before touching anything', async (drill, target, says) => {
    const r = await lvslab('chaos', drill, target)
    expect(r.exit).toBe(2)
    const lines = refusalLines(r.stderr)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(says)
  })

  it('a drill lvslab does not have is no command', async () => {
    const r = await lvslab('chaos', 'pull-the-plug')
    expect(r.exit).toBe(2)
    expect(r.error?.message).toContain('command chaos:pull-the-plug not found')
  })
})
