// Lab files in tests: what a refused one says.
import {expect} from 'vitest'
import {InputError} from '../../src/errors.js'
import {parseLab} from '../../src/lab/load.js'

/** The lines of the InputError a lab file's text (read as "lab.yaml") is refused with; fails the test when it is accepted. */
export function errorLines(text: string | Buffer): string[] {
  try {
    parseLab(text, 'lab.yaml')
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return (error as InputError).lines
  }
  throw new Error('expected the lab file to be refused')
}
