/**
 * Base class of every error csplade raises on purpose. `code` is stable and machine-readable
 * (the edge maps codes to HTTP statuses); `message` names what was wrong for a person.
 */
export class CspladeError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * A family of CspladeErrors whose codes are a closed set (a union of string literals): the family's
 * class is `class XError extends CodedError<XErrorCode> {}`, and its `code` is typed as that union.
 */
export class CodedError<Code extends string> extends CspladeError {
  declare readonly code: Code;
  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
