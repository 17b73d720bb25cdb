// A container's log, followed until it says a marker: the wait strategy of a container that configures
// itself at its start (testcontainers' Wait.forLogMessage), with no process started in the container.
import type Docker from 'dockerode'
import {StepError} from '../../errors.js'
import type {CallOptions, LogsUntil} from '../types.js'
import {READ_TIMEOUT_MS, withDeadline} from './calls.js'
import {type Demuxer, drain, type OutputStream, splitLines} from './exec.js'

/** The part of dockerode logsUntil uses. */
export interface LogsClient {
  modem: Demuxer
  getContainer(id: string): {logs(opts: Docker.ContainerLogsOptions & {follow: true}): Promise<NodeJS.ReadableStream>}
}

/**
 * Runtime.logsUntil over the engine: GET /containers/{id}/logs?follow=1&stdout=1&stderr=1 (from the
 * container's start; a container without a TTY, so the stream is multiplexed), read line by line until
 * a stdout line starts with `marker`; the stream is then closed. The request has READ_TIMEOUT_MS; the
 * whole wait opts.timeoutMs (READ_TIMEOUT_MS when absent).
 * @returns the marker's line, and the lines of each stream before it (joined by "\n")
 * @throws StepError "read the log of CONTAINER": "it ended before saying MARKER" (the container
 *   stopped), "waiting for MARKER timed out after N s", "interrupted"; the engine's error otherwise
 */
export async function logsUntil(client: LogsClient, container: string, marker: string, opts: CallOptions = {}): Promise<LogsUntil> {
  const step = `read the log of ${container}`
  const stream = (await withDeadline({step, call: 'container logs', timeoutMs: READ_TIMEOUT_MS, signal: opts.signal}, (abortSignal) =>
    client.getContainer(container).logs({follow: true, stdout: true, stderr: true, abortSignal}),
  )) as OutputStream
  const lines = {stdout: [] as string[], stderr: [] as string[]}
  let found: string | undefined
  const sinks = splitLines((s, line) => {
    if (found !== undefined) return
    if (s === 'stdout' && line.startsWith(marker)) {
      found = line
      stream.destroy()
    } else lines[s].push(line)
  })
  const timeoutMs = opts.timeoutMs ?? READ_TIMEOUT_MS
  await drain(client.modem, stream, sinks, {step, call: `waiting for "${marker.trim()}"`, timeoutMs, signal: opts.signal}).catch(
    (error: unknown) => {
      if (found === undefined) throw error
    },
  )
  if (found === undefined)
    throw new StepError(step, `it ended before saying "${marker.trim()}" (the container stopped; see \`docker logs ${container}\`)`)
  return {line: found, stdout: lines.stdout.join('\n'), stderr: lines.stderr.join('\n')}
}
