/**
 * Evaluator for parsed expressions: a tree walk over the AST (never eval or new Function).
 *
 * Semantics, close to XLSForm/ODK XPath, written down because forms, the server and index formulas
 * all depend on them:
 *
 * - Values are `string | number | boolean | string[] | null`. An unanswered (or non-relevant)
 *   question is `null`; `ctx.get` returning `undefined` also means `null`. `.` is `ctx.self`.
 * - Conversions. To number: numbers as they are; booleans 1/0; strings that are decimal numerals
 *   (optional sign, surrounding spaces allowed) by value, any other string (including '') NaN;
 *   a one-element array as its element; null and other arrays NaN.
 *   To string: null ''; integers without ".0"; NaN "NaN"; booleans "true"/"false"; arrays joined
 *   by a space (as ODK stores multiple choices).
 *   To boolean (`truthy`): false for null, '', 0, NaN, false and []; true otherwise — note that
 *   the strings '0' and 'false' are true, as in XPath.
 * - `=`: null equals null, '' and []; null equals nothing else. If either side is boolean both
 *   sides are compared as booleans. A number and a string compare numerically (so a choice code
 *   "2" equals 2); a string that is not a numeral equals no number. Two strings compare as text;
 *   arrays compare as their string form. NaN equals nothing.
 * - `!=` is exactly `not(a = b)`: an unanswered question is "not 2", as in a form where the blank
 *   answer is the empty string. (The one place where a comparison with null is true.)
 * - `< <= > >=`: false when either side is null or NaN. Two strings that both look like ISO dates
 *   (YYYY-MM-DD…) compare as text, which orders dates, so `. <= today()` works; everything else
 *   compares as numbers.
 * - Arithmetic converts both sides to numbers; null or non-numeric text gives NaN, which then
 *   makes ordering comparisons false. `x div 0` and `x mod 0` are NaN, never Infinity.
 * - `and`/`or` short-circuit and return booleans; `if` and `coalesce` evaluate only what they need.
 * - `selected(v, code)`: v is an array of codes or a space-separated string; null gives false.
 *   `count-selected(null)` is 0.
 * - `string-length` counts Unicode code points (as maxLength of text questions does).
 * - `coalesce(a, b, …)`: the first argument that is not null, '' or []; null if none.
 * - `min`/`max`: over all arguments, arrays contributing each element; NaN if any value is not a
 *   number or there is none.
 * - `round(x, digits = 0)`: half away from zero, in decimal (round(1.005, 2) = 1.01).
 * - `today()`: `ctx.today` when given (tests, or a fixed survey date), else the local date as
 *   YYYY-MM-DD.
 */
import type { Expr } from "./parser.js";

export type ExprValue = string | number | boolean | string[] | null;

export interface EvalContext {
  /** The value of `${name}`; undefined is treated as null (unanswered). */
  get(name: string): ExprValue | undefined;
  /** The value of `.` in constraints. */
  self?: ExprValue;
  /** ISO date (YYYY-MM-DD) returned by today(). */
  today?: string;
}

const NUMERAL = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/;
const ISO_DATE_PREFIX = /^\d{4}-\d{2}-\d{2}/;

export function toNumber(v: ExprValue): number {
  if (v === null) return NaN;
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (Array.isArray(v)) return v.length === 1 ? toNumber(v[0] ?? null) : NaN;
  return NUMERAL.test(v) ? Number(v) : NaN;
}

export function toText(v: ExprValue): string {
  if (v === null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "true" : "false";
  if (Array.isArray(v)) return v.join(" ");
  return Object.is(v, -0) ? "0" : String(v);
}

export function truthy(v: ExprValue): boolean {
  if (v === null) return false;
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0 && !Number.isNaN(v);
  return v.length > 0;
}

function isBlank(v: ExprValue): boolean {
  return v === null || v === "" || (Array.isArray(v) && v.length === 0);
}

function equals(a: ExprValue, b: ExprValue): boolean {
  if (a === null || b === null) return isBlank(a) && isBlank(b);
  if (typeof a === "boolean" || typeof b === "boolean") return truthy(a) === truthy(b);
  if (typeof a === "number" || typeof b === "number") {
    const x = toNumber(a);
    const y = toNumber(b);
    return x === y; // NaN !== NaN
  }
  return toText(a) === toText(b);
}

function order(a: ExprValue, b: ExprValue): number {
  // Returns NaN when the values are not comparable; every ordering test on NaN is false.
  if (a === null || b === null) return NaN;
  if (typeof a === "string" && typeof b === "string" && ISO_DATE_PREFIX.test(a) && ISO_DATE_PREFIX.test(b)) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return toNumber(a) - toNumber(b);
}

function localToday(): string {
  const d = new Date();
  const pad = (k: number) => String(k).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Moves the decimal point by `k` places without binary rounding error. */
function shiftDecimal(x: number, k: number): number {
  const [mantissa, exponent = "0"] = String(x).split("e");
  return Number(`${mantissa}e${Number(exponent) + k}`);
}

function roundHalfAway(x: number, digits: number): number {
  if (Number.isNaN(digits)) return NaN;
  if (!Number.isFinite(x)) return x;
  const d = Math.trunc(digits);
  const shifted = shiftDecimal(Math.abs(x), d);
  if (!Number.isFinite(shifted)) return x; // more digits than a double holds: nothing to round
  const magnitude = shiftDecimal(Math.round(shifted), -d);
  const result = x < 0 ? -magnitude : magnitude;
  return result === 0 ? 0 : result; // no -0
}

function numbersOf(values: ExprValue[]): number[] {
  const out: number[] = [];
  for (const v of values) {
    if (Array.isArray(v)) for (const item of v) out.push(toNumber(item));
    else out.push(toNumber(v));
  }
  return out;
}

function selectedCodes(v: ExprValue): string[] {
  if (v === null) return [];
  if (Array.isArray(v)) return v;
  return toText(v)
    .split(/\s+/)
    .filter((s) => s !== "");
}

function arithmetic(op: "+" | "-" | "*" | "div" | "mod", x: number, y: number): number {
  switch (op) {
    case "+":
      return x + y;
    case "-":
      return x - y;
    case "*":
      return x * y;
    case "div":
      return y === 0 ? NaN : x / y;
    case "mod":
      return y === 0 ? NaN : x % y;
  }
}

export function evaluate(expr: Expr, ctx: EvalContext): ExprValue {
  switch (expr.type) {
    case "number":
    case "string":
      return expr.value;
    case "ref":
      return ctx.get(expr.name) ?? null;
    case "self":
      return ctx.self ?? null;
    case "negate":
      return -toNumber(evaluate(expr.operand, ctx));
    case "binary": {
      const { op } = expr;
      if (op === "and") return truthy(evaluate(expr.left, ctx)) && truthy(evaluate(expr.right, ctx));
      if (op === "or") return truthy(evaluate(expr.left, ctx)) || truthy(evaluate(expr.right, ctx));
      const a = evaluate(expr.left, ctx);
      const b = evaluate(expr.right, ctx);
      switch (op) {
        case "=":
          return equals(a, b);
        case "!=":
          return !equals(a, b);
        case "<":
          return order(a, b) < 0;
        case "<=":
          return order(a, b) <= 0;
        case ">":
          return order(a, b) > 0;
        case ">=":
          return order(a, b) >= 0;
        default:
          return arithmetic(op, toNumber(a), toNumber(b));
      }
    }
    case "call":
      return call(expr.name, expr.args, ctx);
  }
}

function call(name: Extract<Expr, { type: "call" }>["name"], args: Expr[], ctx: EvalContext): ExprValue {
  // Arity was checked by the parser; a hand-built AST with missing arguments sees null.
  const arg = (i: number): ExprValue => {
    const node = args[i];
    return node ? evaluate(node, ctx) : null;
  };
  switch (name) {
    case "true":
      return true;
    case "false":
      return false;
    case "today":
      return ctx.today ?? localToday();
    case "not":
      return !truthy(arg(0));
    case "selected": {
      const v = arg(0);
      const code = toText(arg(1));
      return selectedCodes(v).includes(code);
    }
    case "count-selected":
      return selectedCodes(arg(0)).length;
    case "if":
      return truthy(arg(0)) ? arg(1) : arg(2);
    case "string-length":
      return [...toText(arg(0))].length;
    case "number":
      return toNumber(arg(0));
    case "coalesce":
      for (let i = 0; i < args.length; i++) {
        const v = arg(i);
        if (!isBlank(v)) return v;
      }
      return null;
    case "min":
    case "max": {
      const nums = numbersOf(args.map((_, i) => arg(i)));
      if (nums.length === 0 || nums.some(Number.isNaN)) return NaN;
      return name === "min" ? Math.min(...nums) : Math.max(...nums);
    }
    case "round":
      return roundHalfAway(toNumber(arg(0)), args.length > 1 ? toNumber(arg(1)) : 0);
    case "concat":
      // XLSForm's concat(): the arguments as text, joined; an absent answer adds nothing.
      return args.map((_, i) => toText(arg(i))).join("");
  }
}
