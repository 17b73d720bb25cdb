// TEMPORARY shim: the drills moved to src/drills/ (data) and src/ops/restore.ts (restoreAll). Only
// src/commands/chaos/all.ts (owned by another task) still imports DRILLS from here: point it at
// '../../drills/drill.js' and delete this file.
export {DRILLS, type DrillName} from '../drills/drill.js'
