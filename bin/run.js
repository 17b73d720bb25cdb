#!/usr/bin/env node
// Node's on-disk compile cache: later runs skip compiling the CLI's modules (it matters on slow hosts).
import {enableCompileCache} from 'node:module'
import {execute} from '@oclif/core'

enableCompileCache?.()
await execute({dir: import.meta.url})
