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
