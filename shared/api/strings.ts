/**
 * What a string in a request may contain (docs/security.md, "Input rules"), shared by the server's
 * schemas and the browser form: no control characters except tab, line feed and carriage return,
 * and no lone UTF-16 surrogates. PostgreSQL cannot store U+0000 at all, and the others are never
 * typed by a person; refusing them everywhere gives one rule on both databases. No dependencies:
 * the respondent form bundles this.
 */
/** C0 controls other than tab (U+0009), LF (U+000A) and CR (U+000D); DEL; C1 controls. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;
const LONE_SURROGATE = /\p{Surrogate}/u;

/** The first forbidden control character of `s`, as "U+0000", or null. */
export function controlCharacter(s: string): string | null {
  const m = CONTROL.exec(s);
  return m ? `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}` : null;
}

/** True when `s` holds half of a surrogate pair without the other half (not encodable as UTF-8). */
export function hasLoneSurrogate(s: string): boolean {
  // With the u flag, a well-formed pair is one code point and never matches \p{Surrogate}.
  return LONE_SURROGATE.test(s);
}
