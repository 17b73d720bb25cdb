/** A problem of the user's input: one line each, naming the field or flag, what is wrong and the fix. */
export class InputError extends Error {
  readonly lines: string[]
  /** @param lines one problem per line ("FIELD: what is wrong (fix: ...)"), or a single line; the message is them joined by "\n". */
  constructor(lines: string[] | string) {
    const all = Array.isArray(lines) ? lines : [lines]
    super(all.join('\n'))
    this.name = 'InputError'
    this.lines = all
  }
}

/** A failure of a step against the engine or the lab, with the step's name and, where known, the fix. */
export class StepError extends Error {
  /**
   * @param step the step that failed, as the user sees it, e.g. "create container classic-lvs1"
   * @param message what went wrong, often the engine's own words; the error's message is "STEP: MESSAGE (fix: FIX)"
   * @param fix how to fix it, when known
   */
  constructor(
    readonly step: string,
    message: string,
    readonly fix?: string,
  ) {
    super(`${step}: ${message}${fix ? ` (fix: ${fix})` : ''}`)
    this.name = 'StepError'
  }
}
