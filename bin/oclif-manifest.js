#!/usr/bin/env node
// Writes oclif.manifest.json for `npm pack` (the prepack script, after the build; postpack removes
// it again), so the installed CLI reads its commands from it instead of importing every command.
// It does what `oclif manifest` (oclif 6) does, through the same public API of @oclif/core, a
// dependency already: load this package as an oclif plugin ignoring any old manifest, fail on any
// command that cannot be loaded, write the manifest (the same bytes as `oclif manifest` writes).
// The `oclif` package would add some 210 packages (the AWS SDK, for its upload commands) to the dev
// tree for this one step.
import {rmSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {Plugin} from '@oclif/core'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const file = join(root, 'oclif.manifest.json')
rmSync(file, {force: true})
const plugin = new Plugin({root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true, respectNoCacheDefault: true})
await plugin.load()
const ids = Object.keys(plugin.manifest.commands)
if (ids.length === 0) throw new Error(`no commands found under ${plugin.pjson.oclif.commands}: run the build first`)
writeFileSync(file, JSON.stringify(plugin.manifest, null, 2))
console.error(`wrote ${file} (${ids.length} commands: ${ids.sort().join(', ')})`)
