// `up`'s public face at its old path: the use case lives in ./up/ (index.ts orchestrates the steps).
// Kept for the importers not yet moved to ./up/index.js (src/ops/doctor.ts, src/ops/restore.ts and
// test/unit/orchestration/*); delete it once none imports it.
export * from './up/index.js'
