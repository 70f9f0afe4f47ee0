/**
 * The one base of the project's typed errors: thrown deep, caught once, branched on by `code` (stable),
 * never by message text. Each area narrows `Code` to its own set (ReleaseError, StoreError) and names itself:
 * the bundler renames classes, so `name` is written out rather than taken from the class.
 */
export class CodedError<Code extends string> extends Error {
  readonly code: Code;
  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
