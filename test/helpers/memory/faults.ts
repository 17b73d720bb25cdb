// The faults a test can put into the memory runtime: an engine call or exec that fails (with the
// engine's or the command's own words), one that hangs until its signal aborts, and faults of the
// lab itself (a keepalived that never becomes MASTER, a split brain, frozen health checks,
// unreadable facts).
import {StepError} from '../../../src/errors.js'

/** The Runtime methods a fault can be put on. */
export type CallName =
  | 'info'
  | 'listNetworks'
  | 'findNetwork'
  | 'createNetwork'
  | 'removeNetwork'
  | 'listContainers'
  | 'findContainer'
  | 'createContainer'
  | 'startContainer'
  | 'setPaused'
  | 'removeContainer'
  | 'exec'
  | 'execStream'
  | 'putFile'
  | 'findImage'
  | 'listImages'
  | 'tagImage'
  | 'buildImage'
  | 'importImage'
  | 'runOnce'
  | 'logsUntil'
  | 'readImageFile'

/** What a faulty call does instead of its work. */
export type Effect =
  /** Throws as the Docker adapter does: StepError(its step name, the engine's own words). */
  | {fail: string}
  /** Never answers, until the call's signal aborts (then "interrupted") or the runtime is closed. */
  | {hang: true}
  /** An exec, putFile or runOnce whose command ends with this exit code and output. */
  | {exit: number; stdout?: string; stderr?: string}

/** A fault on a Runtime method. */
export interface CallFault {
  call: CallName
  /**
   * Only the calls whose subject matches: for exec and execStream "CONTAINER COMMAND" (the argv joined
   * by spaces), for putFile "CONTAINER PATH", for runOnce "IMAGE COMMAND", else the first argument
   * (a name, id, reference or a spec's name). Every call of the method when absent.
   */
  match?: RegExp
  effect: Effect
  /** How many calls it takes (every one when absent). */
  times?: number
}

/** A fault of one fact of lvslab-facts, or of its whole document. */
export type FactFault =
  /** The fact's command fails with this exit code and stderr (the document still comes). */
  | {fact: 'ip' | 'sysctl' | 'keepalived' | 'httpd' | 'ipvs' | 'vrrp' | 'page'; code: number; err: string; out?: string}
  /** The helper prints this instead of its JSON document (e.g. a text cut short), exit 1. */
  | {document: string}

/** Faults of the lab's behaviour, by container name. */
export interface LabFaults {
  /** Directors whose keepalived stays BACKUP whatever happens (e.g. its adverts never leave). */
  neverMaster: Set<string>
  /** Every director whose keepalived runs with eth0 up is MASTER and holds the VIP (VRRP adverts lost between them). */
  splitBrain: boolean
  /** The health checks no longer change any IPVS table (a checker that hangs). */
  checksFrozen: boolean
  /** Unreadable facts of a node's lvslab-facts. */
  facts: Map<string, FactFault[]>
  /**
   * How many of the next requests come from a client port the holder's IPVS still tracks (the client's
   * kernel wrapped its port range within IPVS's FIN_WAIT 120 s): each goes to the real server of the
   * tracked connection, unscheduled (conn_reuse_mode 1).
   */
  reusePorts: number
  /** Real servers whose `ip addr add` of the VIP on lo does nothing, though it exits 0 (packets to the VIP are dropped there). */
  noLoVip: Set<string>
}

/** No lab fault. */
export function newLabFaults(): LabFaults {
  return {neverMaster: new Set(), splitBrain: false, checksFrozen: false, facts: new Map(), reusePorts: 0, noLoVip: new Set()}
}

/** The call faults of a runtime, taken in the order they were put. */
export class CallFaults {
  private readonly list: CallFault[] = []
  private readonly hung = new Set<(e: Error) => void>()

  /** Puts a fault after those already put (the first that matches a call takes it). */
  add(f: CallFault): void {
    this.list.push({...f})
  }

  /** The fault that takes this call, if any (its count goes down). */
  take(call: CallName, subject: string): Effect | undefined {
    const f = this.list.find((x) => x.call === call && (!x.match || x.match.test(subject)) && (x.times ?? 1) > 0)
    if (!f) return undefined
    if (f.times !== undefined) f.times--
    return f.effect
  }

  /**
   * Applies an effect that is not an exit: throws StepError(step, the text) for `fail`, waits for the
   * signal (then throws "interrupted") for `hang`. Returns for an exit effect, which the caller plays.
   */
  async apply(effect: Effect, step: string, signal?: AbortSignal): Promise<void> {
    if ('fail' in effect) throw new StepError(step, effect.fail)
    if (!('hang' in effect)) return
    await new Promise<void>((_, reject) => {
      const end = (e: Error) => {
        this.hung.delete(end)
        reject(e)
      }
      this.hung.add(end)
      if (signal?.aborted) end(new StepError(step, 'interrupted'))
      signal?.addEventListener('abort', () => end(new StepError(step, 'interrupted')), {once: true})
    })
  }

  /** Ends every hanging call (with "runtime closed"), so that a test leaves nothing pending. */
  close(): void {
    for (const end of [...this.hung]) end(new Error('memory runtime closed'))
  }
}
