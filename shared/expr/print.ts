/**
 * Prints an expression AST back to text with the fewest parentheses that keep its meaning.
 * References and `.` go through a pluggable renderer, so the same printer writes chiso's own
 * syntax (`${q}`), XLSForm (the same) or XPath for XForms (`/data/q`, a bind's `.`).
 */
import type { BinaryOp, Expr } from "./parser.js";

export interface PrintOptions {
  /** How `${name}` is written; default `${name}`. */
  ref?: (name: string) => string;
  /** How `.` (the value under test) is written; default `.`. */
  self?: () => string;
  /** How a function name is written (e.g. to prefix it); default unchanged. */
  fn?: (name: string) => string;
}

/** Binding strength of each level of the grammar in parser.ts, loosest first. */
const PRECEDENCE: Record<BinaryOp, number> = {
  or: 1,
  and: 2,
  "=": 3,
  "!=": 3,
  "<": 3,
  "<=": 3,
  ">": 3,
  ">=": 3,
  "+": 4,
  "-": 4,
  "*": 5,
  div: 5,
  mod: 5,
};
const UNARY = 6;
const ATOM = 7;

function precedenceOf(expr: Expr): number {
  if (expr.type === "binary") return PRECEDENCE[expr.op];
  if (expr.type === "negate") return UNARY;
  return ATOM;
}

/** A string literal in the quote it does not contain (the language has no escapes). */
function quote(value: string): string {
  return value.includes("'") ? `"${value}"` : `'${value}'`;
}

function number(value: number): string {
  // Integers without ".0", no exponent for the magnitudes forms use.
  return Number.isInteger(value) || Math.abs(value) >= 1e-6 ? String(value) : value.toFixed(20).replace(/0+$/, "");
}

/**
 * Text for `expr`. Left-associative operators need parentheses only around a right operand of the
 * same level (`a - (b - c)`); comparisons chain, so the same rule applies to them.
 */
export function printExpr(expr: Expr, options: PrintOptions = {}): string {
  const ref = options.ref ?? ((name: string) => `\${${name}}`);
  const self = options.self ?? (() => ".");
  const fn = options.fn ?? ((name: string) => name);

  const print = (node: Expr): string => {
    switch (node.type) {
      case "number":
        return number(node.value);
      case "string":
        return quote(node.value);
      case "ref":
        return ref(node.name);
      case "self":
        return self();
      case "negate": {
        const inner = print(node.operand);
        return precedenceOf(node.operand) < UNARY ? `-(${inner})` : `-${inner}`;
      }
      case "binary": {
        const level = PRECEDENCE[node.op];
        const left = precedenceOf(node.left) < level ? `(${print(node.left)})` : print(node.left);
        const right = precedenceOf(node.right) <= level ? `(${print(node.right)})` : print(node.right);
        return `${left} ${node.op} ${right}`;
      }
      case "call":
        return `${fn(node.name)}(${node.args.map(print).join(", ")})`;
    }
  };
  return print(expr);
}
