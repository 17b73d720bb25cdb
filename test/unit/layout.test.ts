// The source stays in small files: no file under src/ is longer than MAX_LINES lines (issue 8). A file
// that grows past it is split where the split is natural (one concern per module).
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

const SRC = join(import.meta.dirname, '..', '..', 'src')
const MAX_LINES = 250

/** Every file under src/, as a path relative to src/ (sorted). */
const files = readdirSync(SRC, {recursive: true, withFileTypes: true})
  .filter((e) => e.isFile())
  .map((e) => join(e.parentPath, e.name).slice(SRC.length + 1))
  .sort()

/** A file's lines, as `wc -l` counts them: its newlines, plus a last line without one. */
function lineCount(text: string): number {
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0)
}

describe('the layout of src/', () => {
  it('has files to check', () => {
    expect(files.length).toBeGreaterThan(0)
  })

  it.each(files)(`src/%s has at most ${MAX_LINES} lines`, (file) => {
    const lines = lineCount(readFileSync(join(SRC, file), 'utf8'))
    expect(lines, `src/${file} has ${lines} lines, more than ${MAX_LINES}: split it`).toBeLessThanOrEqual(MAX_LINES)
  })
})
