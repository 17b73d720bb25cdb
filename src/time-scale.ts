// The host's slowness factor, read by every layer that bounds a wait or a call (a leaf, like errors.ts).

/**
 * The host's slowness factor: LVSLAB_TIME_SCALE when it is a number of at least 1, else 1. Every wait
 * bound (plan's waitMs) and every engine deadline (src/runtime/docker/calls.ts) is multiplied by it: on
 * a slow engine (the emulated test VM uses 8) everything takes 5-10x longer.
 */
export function timeScale(): number {
  const v = Number(process.env.LVSLAB_TIME_SCALE ?? '1')
  return Number.isFinite(v) && v >= 1 ? v : 1
}
