/**
 * Short descriptions of rejected request values for error messages: primitives as JSON (cut at 60
 * characters), anything else by its kind. A rejected value is never serialized whole — a deeply nested
 * value would overflow the stack, and a huge one would be echoed back to its sender.
 */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (value !== null && typeof value === 'object') return typeName(value);
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function typeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}
