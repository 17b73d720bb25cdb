/** A problem of the user's input: one line each, naming the field or flag, what is wrong and the fix. */
export class InputError extends Error {
  readonly lines: string[]
  constructor(lines: string[] | string) {
    const all = Array.isArray(lines) ? lines : [lines]
    super(all.join('\n'))
    this.name = 'InputError'
    this.lines = all
  }
}

/** A failure of a step against the engine or the lab, with the step's name and, where known, the fix. */
export class StepError extends Error {
  constructor(
    readonly step: string,
    message: string,
    readonly fix?: string,
  ) {
    super(`${step}: ${message}${fix ? ` (fix: ${fix})` : ''}`)
    this.name = 'StepError'
  }
}
