// A node that sets itself to work as its container starts: the script `up` would otherwise run by exec
// runs as the container's first process, then hands over to lvslab-init (PID 1 stays lvslab's init);
// `up` reads its outcome from the container's log, so no exec is needed for a container it creates.
import {LABELS} from '../../runtime/labels.js'
import type {ContainerSpec, ExecResult, Runtime} from '../../runtime/types.js'
import {timeScale} from '../../time-scale.js'
import {noFactsHelper} from '../facts.js'

/** The line a booting container prints when its script has ended, followed by the script's exit code. */
export const BOOT_MARKER = 'lvslab-boot: exit '

/** The file that says a container has booted once: a restart of it runs lvslab-init alone (`up` then configures it by exec, as any container it finds). */
export const BOOTED_FLAG = '/etc/lvslab-booted'

/**
 * The entrypoint of a booting container (its script as $1): the script runs once (exit 99 without
 * lvslab-facts: an image made by an older lvslab), its output going to the container's log, then
 * BOOT_MARKER and its exit code on a line of their own; a later start says BOOT_MARKER "0 (booted
 * before)" and runs nothing. The script's inputs are taken out of PID 1's environment (they stay in
 * the container's own, which `docker exec` gives; lvslab-svc unsets them for the daemons) and
 * lvslab-init is exec'd as PID 1 (templates/lvslab-init.hbs).
 */
export const BOOT_WRAPPER = [
  `if [ ! -e ${BOOTED_FLAG} ]; then`,
  `  : > ${BOOTED_FLAG}`,
  // an image made by an older lvslab: said as the exec's FACTS_MISSING_EXIT; stderr into stdout: the
  // log's two streams are copied apart, so their lines could come out of order
  '  if command -v lvslab-facts >/dev/null; then bash -c "$1" 2>&1; else (exit 99); fi',
  // on a line of its own, whatever the script's last output was
  `  code=$?; printf '\\n${BOOT_MARKER}%s\\n' "$code"`,
  'else',
  // a restart (or a boot cut short): said too, so that whoever waits for the marker is not kept waiting
  `  printf '\\n${BOOT_MARKER}0 (booted before)\\n'`,
  'fi',
  'unset LVSLAB_CONF LVSLAB_PAGE',
  'exec /usr/local/sbin/lvslab-init',
].join('\n')

/** What a container runs when it boots: a bash script, and its inputs in the environment (e.g. a file base64). */
export interface Boot {
  script: string
  env: Record<string, string>
}

/** How long (ms) `up` waits for a container's boot to end: 120 s x LVSLAB_TIME_SCALE (a director's boot waits at most PAGES_WAIT_S for its real servers). */
export const BOOT_TIMEOUT_MS = 120_000 * timeScale()

/** A node's container spec that boots with `boot`: BOOT_WRAPPER as its entrypoint, the script its argument, its inputs in the environment, and the label LABELS.BOOT. */
export function bootSpec(spec: ContainerSpec, boot: Boot): ContainerSpec {
  return {
    ...spec,
    labels: {...spec.labels, [LABELS.BOOT]: 'true'},
    entrypoint: ['bash', '-c', BOOT_WRAPPER, 'lvslab-boot'],
    cmd: [boot.script],
    env: boot.env,
  }
}

/**
 * The outcome of a container's boot, read from its log (Runtime.logsUntil up to BOOT_MARKER), in the
 * shape of an exec's result, so that it is judged as the exec would be (src/ops/up/shell.ts judged):
 * its output (stderr merged into stdout by BOOT_WRAPPER, in order) as both stdout and stderr.
 * @param timeoutMs how long to wait (default BOOT_TIMEOUT_MS)
 * @throws StepError "read CONTAINER" (noFactsHelper) when the image has no lvslab-facts (exit 99, as
 *   FACTS_MISSING_EXIT); StepError "read the log of CONTAINER" when the container stops before it says
 *   the marker, at the timeout, or "interrupted" when the signal aborts
 */
export async function bootOutcome(rt: Runtime, container: string, signal?: AbortSignal, timeoutMs = BOOT_TIMEOUT_MS): Promise<ExecResult> {
  const said = await rt.logsUntil(container, BOOT_MARKER, {timeoutMs, signal})
  const code = Number.parseInt(said.line.slice(BOOT_MARKER.length), 10)
  if (code === 99) throw noFactsHelper(container)
  // the script's stderr went to its stdout (BOOT_WRAPPER): its output is both, as judged reads stderr first
  const out = [said.stdout, said.stderr].filter((t) => t.trim() !== '').join('\n')
  const text = out ? `${out}\n` : ''
  return {exitCode: Number.isInteger(code) ? code : 1, stdout: text, stderr: text}
}
