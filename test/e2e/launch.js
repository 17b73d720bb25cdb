#!/usr/bin/env node
// Runs the end-to-end suite where real IPVS is: directly on a host whose kernel has ip_vs, else in
// ../shared/kernel-vm/vm (a Debian kernel with IPVS and Docker inside). Never skipped silently:
// without either it fails, and LVSLAB_E2E=skip is refused in CI.
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
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

const rootfs = process.env.LVSLAB_ROOTFS ?? execFileSync('bash', ['test/fixtures/make-rootfs.sh'], {stdio: ['ignore', 'pipe', 'inherit']}).toString().trim()
const vitest = ['node_modules/.bin/vitest', 'run', '--project', 'e2e', ...process.argv.slice(2)]
const env = {...process.env, LVSLAB_ROOTFS: rootfs}
const hasIpvs = existsSync('/proc/net/ip_vs') || existsSync('/sys/module/ip_vs')
let res
if (hasIpvs) {
  say('this kernel has ip_vs: running the end-to-end tests here')
  res = spawnSync(vitest[0], vitest.slice(1), {stdio: 'inherit', env})
} else {
  const vm = resolve(process.env.LVSLAB_KERNEL_VM ?? '../shared/kernel-vm/vm')
  if (!existsSync(vm)) {
    say(`this kernel has no ip_vs and there is no kernel VM at ${vm}: the end-to-end tests cannot run (fix: sudo modprobe ip_vs, or set LVSLAB_KERNEL_VM)`)
    process.exit(1)
  }
  // The VM is emulated (no KVM): everything takes 5-10x longer, so the waits' bounds are scaled.
  env.LVSLAB_TIME_SCALE = process.env.LVSLAB_TIME_SCALE ?? '8'
  // the VM's console is a terminal: without CI, vitest would redraw its live view there
  env.CI = process.env.CI || 'true'
  say(`this kernel has no ip_vs: running the end-to-end tests in ${vm} (time scale ${env.LVSLAB_TIME_SCALE})`)
  res = spawnSync(vm, ['run', '--share', dirname(rootfs), '--timeout', process.env.LVSLAB_E2E_TIMEOUT ?? '3600', '--', ...vitest], {stdio: 'inherit', env})
}
if (res.error) {
  say(`could not start: ${res.error.message}`)
  process.exit(1)
}
process.exit(res.status ?? 1)
