#!/usr/bin/env node
// `npm run bench`: `lvslab up` side by side with the docker-CLI script it replaces
// (test/bench/classic-script.sh), on one engine (DOCKER_HOST or the local one), alternately, N rounds.
// Both end at the same state: a client container on the lab network gets answers from both real
// servers through the VIP, and lvs1's IPVS table lists both as Route; the bench checks that state
// after each, outside the timing. Also times a second `lvslab up` on the converged lab, and
// `lvslab down` against `docker rm -f` plus `docker network rm`. Not a test: it prints each round,
// then the medians and the ratio to the goal (`up` at most 0.6x the script).
//
// usage: npm run bench -- [--rounds N] [--json FILE] [--goal R]
// Needs: the docker CLI, the lab image on the engine (`lvslab up` or `lvslab image build` once), no lab
// named classic and nothing of the bench's (label lvslab.bench=lvsbench) on the engine, ip_vs in the
// engine's kernel. Here: ../shared/kernel-vm/vm engine -- npm run bench
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'
import {performance} from 'node:perf_hooks'
import {execa} from 'execa'
import {roundLines, summary} from './figures.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const lvslab = join(root, 'bin', 'run.js')
const script = join(root, 'test', 'bench', 'classic-script.sh')
const IMAGE = 'lvslab/lab:latest'
const PREFIX = 'lvsbench'

const {values: opts} = parseArgs({
  options: {rounds: {type: 'string', default: '3'}, json: {type: 'string'}, goal: {type: 'string', default: '0.6'}},
})
const rounds = Number(opts.rounds)
const goal = Number(opts.goal)
if (!Number.isInteger(rounds) || rounds < 1) fail(`--rounds must be a whole number of at least 1, not ${opts.rounds}`)
if (!(goal > 0)) fail(`--goal must be a ratio above 0, e.g. 0.6, not ${opts.goal}`)

/** Stops the bench with one line (and the fix when there is one). */
function fail(line) {
  console.error(`bench: ${line}`)
  process.exit(1)
}

/** Runs a command to its end; its ms, stdout and exit code. Output is kept, not shown. */
async function timed(file, args) {
  const started = performance.now()
  const r = await execa(file, args, {reject: false, all: true, env: {FORCE_COLOR: '0'}})
  return {ms: Math.round(performance.now() - started), code: r.exitCode, stdout: r.stdout, all: r.all}
}

/** Runs a command that must succeed; stops the bench with its output when it does not. */
async function must(what, file, args) {
  const r = await timed(file, args)
  if (r.code !== 0) fail(`${what} failed (exit ${r.code}):\n${r.all.split('\n').slice(-15).join('\n')}`)
  return r
}

const docker = (...args) => execa('docker', args, {reject: false})

/** Whether the state both must reach holds: the client gets both real servers through the VIP, lvs1 lists both as Route. */
async function reached(client, director) {
  const pages = await docker('exec', client, 'sh', '-c', 'for i in 1 2 3 4; do curl -s -m 2 http://172.20.1.100/; echo; done')
  const servers = new Set(pages.stdout.split('\n').filter((l) => l.startsWith('from ')))
  const table = await docker('exec', director, 'ipvsadm', '-Ln')
  const routes = table.stdout.split('\n').filter((l) => / Route /.test(l)).length
  return {
    ok: servers.size === 2 && routes === 2,
    seen: `answers from ${[...servers].join(', ') || 'none'}; ${routes} Route entries on ${director}`,
  }
}

/** The script's lab removed as a person would: every container of it, then its network. */
async function scriptDown() {
  const started = performance.now()
  const ids = (await docker('ps', '-aq', '--filter', `label=lvslab.bench=${PREFIX}`)).stdout.split('\n').filter(Boolean)
  if (ids.length) await docker('rm', '-f', ...ids)
  await docker('network', 'rm', `${PREFIX}_dr`)
  return Math.round(performance.now() - started)
}

// Preconditions: an engine, the image, and a free stage.
if ((await docker('version', '--format', '{{.Server.Version}}')).exitCode !== 0)
  fail('no Docker engine answers (start one, or set DOCKER_HOST; here: ../shared/kernel-vm/vm engine -- npm run bench)')
if ((await docker('image', 'inspect', IMAGE)).exitCode !== 0)
  fail(`the lab image ${IMAGE} is not on the engine (fix: lvslab image build, or lvslab up once)`)
const busy = (await docker('ps', '-aq', '--filter', 'label=lvslab.lab=classic')).stdout.trim()
const ours = (await docker('ps', '-aq', '--filter', `label=lvslab.bench=${PREFIX}`)).stdout.trim()
if (busy || ours)
  fail(
    `the engine already runs ${busy ? 'lab classic' : "the bench's script lab"} (fix: ${busy ? 'lvslab down' : 'docker rm -f those containers'})`,
  )

// The directors' keepalived.conf for the script, rendered once (a person's script has its files ready).
const confDir = mkdtempSync(join(tmpdir(), 'lvsbench-'))
const rendered = JSON.parse((await must('lvslab render', process.execPath, [lvslab, 'render', '--json'])).stdout)
for (const f of rendered.files) if (f.path === '/etc/keepalived/keepalived.conf') writeFileSync(join(confDir, `${f.node}.conf`), f.content)

const engine = (await docker('version', '--format', '{{.Server.Version}}')).stdout.trim()
console.log(`bench: Docker ${engine}${process.env.DOCKER_HOST ? ` at ${process.env.DOCKER_HOST}` : ''}, ${rounds} round(s), image ${IMAGE}`)

const results = []
for (let round = 1; round <= rounds; round++) {
  const order = round % 2 ? ['script', 'lvslab'] : ['lvslab', 'script']
  const r = {round, order}
  for (const who of order) {
    if (who === 'script') {
      const up = await must('the script', 'bash', [script, IMAGE, PREFIX, confDir])
      const state = await reached(`${PREFIX}-client`, `${PREFIX}-lvs1`)
      if (!state.ok) fail(`the script ended without the state: ${state.seen}`)
      r.script = {upMs: up.ms, downMs: await scriptDown()}
    } else {
      const up = await must('lvslab up', process.execPath, [lvslab, 'up', '--from', 'container', '--json'])
      const state = await reached('classic-client', 'classic-lvs1')
      if (!state.ok) fail(`lvslab up ended without the state: ${state.seen}`)
      const again = await must('the second lvslab up', process.execPath, [lvslab, 'up', '--from', 'container', '--json'])
      const down = await must('lvslab down', process.execPath, [lvslab, 'down', '--json'])
      r.lvslab = {
        upMs: up.ms,
        againMs: again.ms,
        downMs: down.ms,
        steps: JSON.parse(up.stdout).steps,
        againSteps: JSON.parse(again.stdout).steps,
      }
    }
  }
  results.push(r)
  for (const line of roundLines(r)) console.log(line)
}
rmSync(confDir, {recursive: true, force: true})
const s = summary(results, goal)
for (const line of s.lines) console.log(line)
if (opts.json) writeFileSync(opts.json, `${JSON.stringify({engine, rounds: results, summary: {...s, lines: undefined}}, null, 2)}\n`)
