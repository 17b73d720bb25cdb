#!/usr/bin/env node
// Runs the end-to-end suite where real IPVS is. On a host whose kernel has ip_vs: every file, here, once.
// Otherwise in ../shared/kernel-vm/vm, as legs that together cover the engine matrix:
//   1. Docker 20.10 (bookworm), lvslab inside the VM beside its engine: the host-prober path; the
//      classic lab least-privilege, neighbouring labs, interrupted runs and repeated cycles.
//   2. Docker 20.10 through `vm engine`: a remote engine (DOCKER_HOST), lvslab at native speed here,
//      probes from a client container; the privileged mode; the failover variants (fast VRRP 3,
//      hard-kill, nopreempt, --repeat, --markdown) of test/e2e/failover.test.ts.
//   3. Docker 28.5 (sid) through `vm engine`: both modes, up, verify, status, chaos, down.
//   4. A Debian 13 rootfs (keepalived 2.3) imported as the lab image, on Docker 20.10 through `vm engine`.
//   5. (only when asked: LVSLAB_E2E_LEGS=5) Docker 26.1 (trixie) through `vm engine`, both modes.
// Never skipped silently: without a kernel with ip_vs or the VM it fails, and LVSLAB_E2E=skip is refused in CI.
// LVSLAB_E2E_LEGS=1,3 runs some legs only; arguments after `--` go to vitest (e.g. a test file).
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {dirname, resolve} from 'node:path'

const say = (line) => process.stderr.write(`e2e: ${line}\n`)
const ci = Boolean(process.env.CI) && process.env.CI !== 'false'
if (process.env.LVSLAB_E2E === 'skip') {
  if (ci) {
    say('LVSLAB_E2E=skip is not allowed in CI: the end-to-end tests must run')
    process.exit(1)
  }
  say('END-TO-END TESTS SKIPPED (LVSLAB_E2E=skip): nothing with real IPVS was tested')
  process.exit(0)
}

const rootfs = (suite) =>
  execFileSync('bash', ['test/fixtures/make-rootfs.sh', suite], {stdio: ['ignore', 'pipe', 'inherit']})
    .toString()
    .trim()
const bookworm = process.env.LVSLAB_ROOTFS ?? rootfs('bookworm')
// vitest's arguments from the caller; a JSON report file gets one per leg (FILE becomes FILE-legN.json)
let legTag = ''
const passed = () => process.argv.slice(2).map((a) => (legTag ? a.replace(/^(--outputFile\.json=.*?)(\.json)?$/, `$1-${legTag}.json`) : a))
const vitest = (files) => ['node_modules/.bin/vitest', 'run', '--project', 'e2e', ...files, ...passed()]
// The JSON report of the leg that just ran, when the caller asked for one (npm test does)
const reportOf = () =>
  passed()
    .find((a) => a.startsWith('--outputFile.json='))
    ?.slice('--outputFile.json='.length)
// Every failed test of a leg with the first lines of its message, repeated at the very end: CI's log
// may keep only its last part, and a leg's own output is long.
const failures = []
function collectFailures(leg) {
  const file = reportOf()
  if (!file || !existsSync(file)) return
  try {
    for (const suite of JSON.parse(readFileSync(file, 'utf8')).testResults ?? []) {
      for (const t of suite.assertionResults ?? []) {
        if (t.status !== 'failed') continue
        const message = (t.failureMessages ?? [])
          .join('\n')
          .split('\n')
          .filter((l) => l.trim() && !/^\s+at /.test(l))
          .slice(0, 12)
          .map((l) => `    ${l.slice(0, 400)}`)
        failures.push(`leg ${leg}: ${t.fullName}\n${message.join('\n')}`)
      }
      if (suite.status === 'failed' && !(suite.assertionResults ?? []).some((t) => t.status === 'failed'))
        failures.push(`leg ${leg}: ${suite.name}: ${(suite.message ?? '').split('\n').slice(0, 6).join(' / ')}`)
    }
  } catch (error) {
    failures.push(`leg ${leg}: report ${file} unreadable: ${error.message}`)
  }
}
const hasIpvs = existsSync('/proc/net/ip_vs') || existsSync('/sys/module/ip_vs')
const results = []

// The exit code of a remote-engine leg whose tests failed while the VM's engine itself no longer
// answers (GET /_ping, asked after the tests): the emulated VM lost its engine, which is not lvslab's
// doing (seen once: a container start hung 480 s, then every call met ECONNRESET for the rest of the leg).
const ENGINE_LOST = 86

function run(name, cmd, args, env, again = false) {
  const started = Date.now()
  say(`leg ${name}: starting${again ? ' again, in a new VM' : ''}`)
  const res = spawnSync(cmd, args, {stdio: 'inherit', env: {...process.env, ...env}})
  const seconds = Math.round((Date.now() - started) / 1000)
  if (res.error) say(`leg ${name}: could not start: ${res.error.message}`)
  const code = res.error ? 1 : (res.status ?? 1)
  if (code === ENGINE_LOST && !again) {
    // once, and said: the failures of this run are in the log above, the next run's are judged
    say(
      `leg ${name}: the VM's engine stopped answering during the leg (GET /_ping failed at its end) after ${seconds} s; the leg runs once more`,
    )
    const before = failures.length
    collectFailures(name.split(' ')[0])
    for (const f of failures.splice(before)) say(`failed in the run that lost its engine: ${f}`)
    return run(name, cmd, args, env, true)
  }
  say(`leg ${name}: ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${seconds} s`)
  results.push({name: again ? `${name}, run again after the VM lost its engine` : name, code, seconds})
  if (code !== 0) collectFailures(name.split(' ')[0])
}

/**
 * A command for `vm engine` that exits ENGINE_LOST instead of its own failure when the engine no longer
 * answers at its end (curl: `vm engine` needs it on this machine already).
 */
const engineChecked = (argv) => [
  'bash',
  '-c',
  `"$@"; rc=$?; if [ $rc -ne 0 ] && ! curl -sf -m 20 "http://127.0.0.1:$KERNEL_VM_DOCKER_PORT/_ping" >/dev/null; then exit ${ENGINE_LOST}; fi; exit $rc`,
  'e2e-leg',
  ...argv,
]

if (hasIpvs) {
  say('this kernel has ip_vs: running the end-to-end tests here')
  run('local', vitest([])[0], vitest([]).slice(1), {LVSLAB_ROOTFS: bookworm, LVSLAB_E2E_VIA: 'host'})
} else {
  const vm = resolve(process.env.LVSLAB_KERNEL_VM ?? '../shared/kernel-vm/vm')
  if (!existsSync(vm)) {
    say(
      `this kernel has no ip_vs and there is no kernel VM at ${vm}: the end-to-end tests cannot run (fix: sudo modprobe ip_vs, or set LVSLAB_KERNEL_VM)`,
    )
    process.exit(1)
  }
  // The VM is emulated (no KVM): everything takes 5-10x longer, so the waits' bounds are scaled.
  const base = {LVSLAB_TIME_SCALE: process.env.LVSLAB_TIME_SCALE ?? '8', CI: process.env.CI || 'true'}
  const timeout = process.env.LVSLAB_E2E_TIMEOUT ?? '2400'
  const inVm = (files) => ['run', '--share', dirname(bookworm), '--timeout', timeout, '--', ...vitest(files)]
  const viaEngine = (files) => ['engine', '--timeout', timeout, '--', ...engineChecked(vitest(files))]
  const classic = 'test/e2e/classic.test.ts'
  const legs = [
    {
      n: 1,
      name: 'Docker 20.10, lvslab beside the engine (host prober)',
      suite: 'bookworm',
      args: () => inVm([classic, 'test/e2e/neighbours.test.ts', 'test/e2e/cycles.test.ts']),
      env: {LVSLAB_E2E_MODES: 'least-privilege', LVSLAB_E2E_VIA: 'host', LVSLAB_E2E_CYCLES: process.env.LVSLAB_E2E_CYCLES ?? '2'},
    },
    {
      n: 2,
      name: 'Docker 20.10, remote engine',
      suite: 'bookworm',
      args: () => viaEngine([classic, 'test/e2e/failover.test.ts']),
      env: {LVSLAB_E2E_MODES: 'privileged'},
    },
    {
      n: 3,
      name: 'Docker 28.5, remote engine',
      suite: 'sid',
      args: () => viaEngine([classic]),
      env: {LVSLAB_E2E_MODES: 'least-privilege,privileged'},
    },
    {
      n: 4,
      name: 'Debian 13 rootfs (keepalived 2.3), remote engine',
      suite: 'bookworm',
      args: () => viaEngine([classic]),
      env: {LVSLAB_E2E_MODES: 'least-privilege', LVSLAB_E2E_DRILLS: 'kill-master', LVSLAB_ROOTFS: 'trixie'},
    },
    // not in the default run (CI's time): Docker 26.1, both modes, every drill; LVSLAB_E2E_LEGS=5
    {
      n: 5,
      name: 'Docker 26.1, remote engine',
      suite: 'trixie',
      optional: true,
      args: () => viaEngine([classic]),
      env: {LVSLAB_E2E_MODES: 'least-privilege,privileged'},
    },
  ]
  const only = process.env.LVSLAB_E2E_LEGS?.split(',').map(Number)
  for (const leg of legs.filter((l) => (only ? only.includes(l.n) : !l.optional))) {
    legTag = `leg${leg.n}`
    const env = {...base, LVSLAB_ROOTFS: bookworm, LVSLAB_E2E_VIA: 'container', ...leg.env, KERNEL_VM_SUITE: leg.suite}
    if (env.LVSLAB_ROOTFS === 'trixie') env.LVSLAB_ROOTFS = rootfs('trixie')
    say(`leg ${leg.n}: ${leg.name} (KERNEL_VM_SUITE=${leg.suite}, time scale ${env.LVSLAB_TIME_SCALE})`)
    run(`${leg.n} (${leg.name})`, vm, leg.args(), env)
  }
}
for (const f of failures) say(`FAILED TEST ${f}`)
for (const r of results) say(`${r.code === 0 ? 'passed' : 'FAILED'}  ${r.seconds} s  ${r.name}`)
process.exit(results.length > 0 && results.every((r) => r.code === 0) ? 0 : 1)
