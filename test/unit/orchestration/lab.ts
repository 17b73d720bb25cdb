// What the orchestration tests share: the classic lab, a memory runtime per test (closed after it, and
// checked to have met no command it does not know), and `up` run the way the CLI runs it.
import {expect} from 'vitest'
import {parseLab} from '../../../src/lab/load.js'
import type {Lab} from '../../../src/lab/model.js'
import type {DrillName} from '../../../src/drills/drill.js'
import type {DrillParams} from '../../../src/drills/drills.js'
import {type ChaosOptions, type ChaosResult, runChaos} from '../../../src/ops/chaos.js'
import {upLab, type UpOptions, type UpResult} from '../../../src/ops/up/index.js'
import {containerName} from '../../../src/plan/plan.js'
import {type MemoryOptions, MemoryRuntime, onVirtualClock} from '../../helpers/memory/index.js'

/** The classic lab (no lab file): lvs1 MASTER 100, lvs2 BACKUP 50, rs1 .10, rs2 .11, VIP 172.20.1.100. */
export const classic: Lab = parseLab('')

/** `up` as the CLI runs it (its step events unread), probing from the lab's client container. */
export const UP: UpOptions = {mode: 'least-privilege', from: 'container'}

const open: MemoryRuntime[] = []

/** A memory runtime for this test (closed by closeAll). */
export function memory(opts?: MemoryOptions): MemoryRuntime {
  const rt = new MemoryRuntime(opts)
  open.push(rt)
  return rt
}

/** After each test: every runtime closed, and none met a command the simulation does not know. */
export function closeAll(): void {
  const rts = open.splice(0)
  for (const rt of rts) rt.close()
  for (const rt of rts) expect(rt.unrecognised).toEqual([])
}

/** The container name of a node of the classic lab, e.g. c('lvs1') = "classic-lvs1". */
export function c(node: string, lab: Lab = classic): string {
  return containerName(lab, node)
}

/** `up` on the virtual clock (its waits cost nothing). */
export function up(rt: MemoryRuntime, lab: Lab = classic, opts: Partial<UpOptions> = {}): Promise<UpResult> {
  return onVirtualClock(() => upLab(rt, lab, {...UP, ...opts}))
}

/** A memory runtime with the classic lab up and converged. */
export async function running(opts?: MemoryOptions, lab: Lab = classic): Promise<MemoryRuntime> {
  const rt = memory(opts)
  await up(rt, lab)
  return rt
}

/** runChaos as `lvslab chaos` runs it (restoring after each drill), probing from the client container, on the virtual clock. */
export function chaos(
  rt: MemoryRuntime,
  drills: ({name: DrillName; target?: string} & DrillParams)[],
  opts: Partial<ChaosOptions> = {},
  lab: Lab = classic,
): Promise<ChaosResult> {
  return onVirtualClock(() => runChaos(rt, lab, drills, {restore: true, from: 'container', ...opts}))
}
