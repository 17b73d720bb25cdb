// curl as the probers in a container run it: its -m, the drills' per-request shell line, and what its
// output and exit code say about a request that got no status.

/**
 * What curl's exit code adds to a failed request's words: 28 (CURLE_OPERATION_TIMEDOUT) " (curl timed
 * out)", another " (curl exit N)" (7 a refused or unreachable connection, 52 an empty reply, 56 a reset:
 * libcurl-errors(3)); nothing for 0 or none (verify's one curl for many requests prints no exit code).
 */
export function curlExit(exit: string | undefined): string {
  if (exit === undefined || exit === '0') return ''
  return exit === '28' ? ` ${CURL_TIMED_OUT}` : ` (curl exit ${exit})`
}

/**
 * The words of a request curl itself timed out (exit 28). Its -m is wall-clock time, so the request
 * waited at least that long, even when curl's %{time_total} says 0: a curl starved of CPU before its
 * connection began (seen in the emulated kernel VM as "Failed to resolve host '172.20.1.100' with
 * timeout after 1425 ms", time_total 0.000000) reports no time at all.
 */
export const CURL_TIMED_OUT = '(curl timed out)'

/**
 * A request curl timed out, as the drills' prober counts it (ContainerContinuousProber): it took at
 * least `waitMs` (curl's -m, proberWaitMs), and when curl's own time_total said less, its words keep
 * that figure ("no connection (curl timed out; its time_total 0 ms)"), since it shows a curl starved of CPU.
 * Any other answer as it is.
 * @param waitMs the prober's wait (ms)
 */
export function curlTimeout<A extends {ms: number; error?: string}>(a: A, waitMs: number): A {
  if (!a.error?.endsWith(CURL_TIMED_OUT) || a.ms >= waitMs) return a
  return {...a, ms: waitMs, error: `${a.error.slice(0, -1)}; its time_total ${a.ms} ms)`}
}

/**
 * Why curl got no status: "connected, no answer" when a TCP connection was made (its local port is
 * known, or its %{time_connect} is above 0; curl(1) --write-out) and then nothing, or a reset, came in
 * time; "no connection" when none was (the SYN went unanswered or was refused: the director, IPVS or the
 * real server's kernel); "no answer" when the line says neither. Both are read: curl before 7.52 (CentOS
 * 7's 7.29) prints time_connect with 3 decimals, 0.000 for a connection made in under 0.5 ms.
 */
export function noAnswer(port: string | undefined, connect: string | undefined): string {
  if (port === undefined && connect === undefined) return 'no answer'
  return (port !== undefined && port !== '0') || Number(connect ?? 0) > 0 ? 'connected, no answer' : 'no connection'
}

/**
 * curl's -m for a timeout: whole seconds, at least 1. curl before 7.32 (CentOS 7 has 7.29) refuses a
 * fractional -m, and a request whose curl refuses its options is no probe at all.
 * @param timeoutMs the request's timeout in ms
 */
export function curlMaxTime(timeoutMs: number): number {
  return Math.max(1, Math.ceil(timeoutMs / 1000))
}

/**
 * How long a prober waits for an answer (ms): from a container curl's -m, whole seconds (curlMaxTime);
 * from this machine the timeout itself.
 * @param timeoutMs the request's timeout in ms
 */
export function proberWaitMs(via: 'host' | 'container', timeoutMs: number): number {
  return via === 'container' ? curlMaxTime(timeoutMs) * 1000 : timeoutMs
}

/**
 * The bash command of one probe request in a container: "R <body> <seconds> <status> <address>:<port>
 * <connect seconds> exit=<curl's exit code>" on one line (curl's %{local_ip} and %{local_port}, both since curl 7.29, CentOS 7's;
 * %{time_connect}, older; the exit code from the shell, since curl 7.29 has no %{exitcode})
 * (see ContainerProber.parseLine). Only builtins besides curl itself: in an emulated VM every extra
 * process costs a request's worth of time. The URL is lvslab's own (VIP, port, a validated path).
 * @param timeoutMs the request's timeout in ms (rounded up to whole seconds, see curlMaxTime)
 */
export function curlLine(url: string, timeoutMs: number): string {
  return `r=$(LC_ALL=C curl -s -m ${curlMaxTime(timeoutMs)} -w '\\n%{time_total} %{http_code} %{local_ip}:%{local_port} %{time_connect}' '${url}'); c=$?; echo "R \${r//$'\\n'/ } exit=$c"`
}
