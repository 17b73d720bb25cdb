// The memory runtime for orchestration tests: a Runtime whose engine and lab live in memory (see
// runtime.ts), its fault hooks (faults.ts), its lab's delays (model.ts) and a virtual clock (clock.ts).
export {onVirtualClock, sleep} from './clock.js'
export {DEFAULT_ENGINE} from './engine.js'
export type {CallFault, CallName, Effect, FactFault} from './faults.js'
import type {Timings} from './model.js'
export {QUICK, type Timings} from './model.js'
export {type MemoryOptions, MemoryRuntime} from './runtime.js'
export {IPVS_MISSING} from './texts.js'

/**
 * A pace close to the classic lab's own (advert_int 1, delay_loop 6): a takeover in 1.5 s, a health
 * check's verdict in 4 s. For tests on the virtual clock, where seconds cost nothing.
 */
export const LAB_PACE: Timings = {vrrpMs: 1500, checkMs: 4000, httpMs: 2}
