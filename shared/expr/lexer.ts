/** Tokenizer for the form expression language (see parser.ts for the grammar). */

/** A syntax error in an expression, located by a 0-based character offset into the source. */
export class ExprSyntaxError extends Error {
  override readonly name = "ExprSyntaxError";
  readonly source: string;
  readonly position: number;
  /** What the parser needed at `position`, e.g. "')'" or "an operand". */
  readonly expected: string;
  /** What it found there instead, e.g. "end of expression" or "'and'". */
  readonly found: string;

  constructor(source: string, position: number, expected: string, found: string, detail?: string) {
    const head = detail ?? `Expected ${expected} but found ${found}`;
    super(`${head} at position ${position}\n  ${source}\n  ${" ".repeat(position)}^`);
    this.source = source;
    this.position = position;
    this.expected = expected;
    this.found = found;
  }
}

export type Token =
  | { kind: "number"; value: number; pos: number; text: string }
  | { kind: "string"; value: string; pos: number; text: string }
  | { kind: "ref"; name: string; pos: number; text: string }
  /** A bare name: an operator word (and, or, div, mod) or a function name. */
  | { kind: "name"; name: string; pos: number; text: string }
  | { kind: "punct"; op: Punct; pos: number; text: string }
  | { kind: "eof"; pos: number; text: "" };

export type Punct = "(" | ")" | "," | "." | "+" | "-" | "*" | "/" | "=" | "!=" | "<" | "<=" | ">" | ">=";

const DIGIT = /[0-9]/;
const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_]/;

/** How a token is named in error messages. */
export function describeToken(tok: Token): string {
  return tok.kind === "eof" ? "end of expression" : `'${tok.text}'`;
}

/** Splits `source` into tokens, ending with an `eof` token; throws ExprSyntaxError on a bad character. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = source.length;
  const at = (k: number): string => source.charAt(k);

  while (i < n) {
    const c = at(i);
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    const start = i;

    if (c === "$") {
      if (at(i + 1) !== "{") throw new ExprSyntaxError(source, i + 1, "'{'", foundAt(source, i + 1));
      const close = source.indexOf("}", i + 2);
      if (close === -1) {
        throw new ExprSyntaxError(source, n, "'}'", "end of expression", `Unterminated reference starting at position ${start}: expected '}'`);
      }
      const name = source.slice(i + 2, close);
      if (name.trim() === "") throw new ExprSyntaxError(source, i + 2, "a question name", foundAt(source, i + 2));
      tokens.push({ kind: "ref", name, pos: start, text: source.slice(start, close + 1) });
      i = close + 1;
      continue;
    }

    if (DIGIT.test(c) || (c === "." && DIGIT.test(at(i + 1)))) {
      while (DIGIT.test(at(i))) i++;
      if (at(i) === "." && DIGIT.test(at(i + 1))) {
        i++;
        while (DIGIT.test(at(i))) i++;
      }
      const text = source.slice(start, i);
      tokens.push({ kind: "number", value: Number(text), pos: start, text });
      continue;
    }

    if (c === "'" || c === '"') {
      // XPath strings have no escapes: a quote of the other kind delimits a string containing this one.
      const close = source.indexOf(c, i + 1);
      if (close === -1) {
        throw new ExprSyntaxError(
          source,
          n,
          `a closing ${c}`,
          "end of expression",
          `Unterminated string starting at position ${start}: expected a closing ${c}`,
        );
      }
      tokens.push({ kind: "string", value: source.slice(i + 1, close), pos: start, text: source.slice(start, close + 1) });
      i = close + 1;
      continue;
    }

    if (NAME_START.test(c)) {
      i++;
      // Hyphens join name parts (count-selected) only when a letter follows, so `${a} div-1` still subtracts.
      for (;;) {
        while (NAME_PART.test(at(i))) i++;
        if (at(i) === "-" && NAME_START.test(at(i + 1))) {
          i++;
          continue;
        }
        break;
      }
      const text = source.slice(start, i);
      tokens.push({ kind: "name", name: text, pos: start, text });
      continue;
    }

    const two = source.slice(i, i + 2);
    if (two === "!=" || two === "<=" || two === ">=") {
      tokens.push({ kind: "punct", op: two, pos: start, text: two });
      i += 2;
      continue;
    }
    if (c === "!") throw new ExprSyntaxError(source, i, "'!='", foundAt(source, i));
    if ("().,+-*/=<>".includes(c)) {
      tokens.push({ kind: "punct", op: c as Punct, pos: start, text: c });
      i++;
      continue;
    }
    throw new ExprSyntaxError(source, i, "an operand or operator", foundAt(source, i), `Unexpected character ${foundAt(source, i)}`);
  }
  tokens.push({ kind: "eof", pos: n, text: "" });
  return tokens;
}

function foundAt(source: string, i: number): string {
  if (i >= source.length) return "end of expression";
  const cp = source.codePointAt(i) ?? 0;
  return `'${String.fromCodePoint(cp)}'`;
}
