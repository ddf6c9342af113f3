/**
 * Parser for the form expression language, an XLSForm-like subset used for relevance, required-if,
 * constraints and index formulas. Produces a plain JSON-serialisable AST.
 *
 *   expr       := or
 *   or         := and ("or" and)*
 *   and        := comparison ("and" comparison)*
 *   comparison := additive (("=" | "!=" | "<" | "<=" | ">" | ">=") additive)*
 *   additive   := multiplicative (("+" | "-") multiplicative)*
 *   multiplicative := unary (("*" | "/" | "div" | "mod") unary)*
 *   unary      := "-" unary | primary
 *   primary    := number | string | "${" name "}" | "." | "(" expr ")" | function "(" args ")"
 *
 * All binary operators are left-associative.
 */
import { ExprSyntaxError, describeToken, tokenize, type Token } from "./lexer.js";

export { ExprSyntaxError } from "./lexer.js";

export type BinaryOp = "or" | "and" | "=" | "!=" | "<" | "<=" | ">" | ">=" | "+" | "-" | "*" | "div" | "mod";

/** The functions of the language with their arity; anything else is a syntax error. */
export const FUNCTIONS = {
  true: { min: 0, max: 0 },
  false: { min: 0, max: 0 },
  today: { min: 0, max: 0 },
  not: { min: 1, max: 1 },
  selected: { min: 2, max: 2 },
  "count-selected": { min: 1, max: 1 },
  if: { min: 3, max: 3 },
  "string-length": { min: 1, max: 1 },
  number: { min: 1, max: 1 },
  coalesce: { min: 2, max: Infinity },
  min: { min: 1, max: Infinity },
  max: { min: 1, max: Infinity },
  round: { min: 1, max: 2 },
  concat: { min: 1, max: Infinity },
} as const satisfies Record<string, { min: number; max: number }>;
export type FunctionName = keyof typeof FUNCTIONS;

export type Expr =
  | { type: "number"; value: number }
  | { type: "string"; value: string }
  /** `${name}`: the (relevant) answer to another question, or a node value in index formulas. */
  | { type: "ref"; name: string }
  /** `.`: the value being checked by a constraint. */
  | { type: "self" }
  | { type: "negate"; operand: Expr }
  | { type: "binary"; op: BinaryOp; left: Expr; right: Expr }
  | { type: "call"; name: FunctionName; args: Expr[] };

// Deep nesting and very long chains only come from malformed or hostile input; refuse them before
// the parser's or the evaluator's recursion exhausts the stack.
const MAX_DEPTH = 100;
const MAX_TOKENS = 2000;

const COMPARISON: ReadonlySet<string> = new Set(["=", "!=", "<", "<=", ">", ">="]);

function isFunctionName(name: string): name is FunctionName {
  return Object.hasOwn(FUNCTIONS, name);
}

function arityText(name: FunctionName): string {
  const { min, max } = FUNCTIONS[name];
  const plural = (k: number) => (k === 1 ? "argument" : "arguments");
  if (min === max) return `${name}() takes ${min} ${plural(min)}`;
  if (max === Infinity) return `${name}() takes at least ${min} ${plural(min)}`;
  return `${name}() takes ${min} to ${max} arguments`;
}

/** Parses an expression; throws ExprSyntaxError with the position of the first problem. */
export function parseExpr(source: string): Expr {
  const tokens = tokenize(source);
  if (tokens.length > MAX_TOKENS) {
    const tok = tokens[MAX_TOKENS]!;
    throw new ExprSyntaxError(source, tok.pos, "a shorter expression", describeToken(tok), `Expression longer than ${MAX_TOKENS} tokens`);
  }
  let index = 0;
  let depth = 0;

  const peek = (): Token => tokens[index] ?? tokens[tokens.length - 1]!;
  const next = (): Token => {
    const tok = peek();
    if (tok.kind !== "eof") index++;
    return tok;
  };
  const fail = (tok: Token, expected: string, detail?: string): never => {
    throw new ExprSyntaxError(source, tok.pos, expected, describeToken(tok), detail);
  };
  const isPunct = (tok: Token, op: string): boolean => tok.kind === "punct" && tok.op === op;
  const isWord = (tok: Token, word: string): boolean => tok.kind === "name" && tok.name === word;
  const expectPunct = (op: string, detail?: string): void => {
    const tok = peek();
    if (!isPunct(tok, op)) fail(tok, `'${op}'`, detail ? `${detail}: expected '${op}' but found ${describeToken(tok)}` : undefined);
    next();
  };

  function parseOr(): Expr {
    if (++depth > MAX_DEPTH) fail(peek(), "a shallower expression", "Expression nested too deeply");
    let left = parseAnd();
    while (isWord(peek(), "or")) {
      next();
      left = { type: "binary", op: "or", left, right: parseAnd() };
    }
    depth--;
    return left;
  }

  function parseAnd(): Expr {
    let left = parseComparison();
    while (isWord(peek(), "and")) {
      next();
      left = { type: "binary", op: "and", left, right: parseComparison() };
    }
    return left;
  }

  function parseComparison(): Expr {
    let left = parseAdditive();
    for (;;) {
      const tok = peek();
      if (tok.kind !== "punct" || !COMPARISON.has(tok.op)) return left;
      next();
      left = { type: "binary", op: tok.op as BinaryOp, left, right: parseAdditive() };
    }
  }

  function parseAdditive(): Expr {
    let left = parseMultiplicative();
    for (;;) {
      const tok = peek();
      if (!isPunct(tok, "+") && !isPunct(tok, "-")) return left;
      next();
      left = { type: "binary", op: tok.text as "+" | "-", left, right: parseMultiplicative() };
    }
  }

  function parseMultiplicative(): Expr {
    let left = parseUnary();
    for (;;) {
      const tok = peek();
      let op: BinaryOp;
      if (isPunct(tok, "*")) op = "*";
      else if (isPunct(tok, "/") || isWord(tok, "div")) op = "div";
      else if (isWord(tok, "mod")) op = "mod";
      else return left;
      next();
      left = { type: "binary", op, left, right: parseUnary() };
    }
  }

  function parseUnary(): Expr {
    if (isPunct(peek(), "-")) {
      next();
      if (++depth > MAX_DEPTH) fail(peek(), "a shallower expression", "Expression nested too deeply");
      const operand = parseUnary();
      depth--;
      return { type: "negate", operand };
    }
    return parsePrimary();
  }

  function parsePrimary(): Expr {
    const tok = peek();
    switch (tok.kind) {
      case "number":
        next();
        return { type: "number", value: tok.value };
      case "string":
        next();
        return { type: "string", value: tok.value };
      case "ref":
        next();
        return { type: "ref", name: tok.name };
      case "punct":
        if (tok.op === ".") {
          next();
          return { type: "self" };
        }
        if (tok.op === "(") {
          next();
          const inner = parseOr();
          expectPunct(")");
          return inner;
        }
        return fail(tok, "an operand");
      case "name":
        return parseCall(tok);
      case "eof":
        return fail(tok, "an operand");
    }
  }

  function parseCall(tok: Extract<Token, { kind: "name" }>): Expr {
    const followedByParen = isPunct(tokens[index + 1] ?? tok, "(");
    if (!isFunctionName(tok.name)) {
      if (followedByParen) fail(tok, "a known function", `Unknown function '${tok.name}'`);
      // A bare word: an operator out of place, or text that lacks quotes.
      return fail(tok, "an operand", `Expected an operand but found '${tok.name}' (text values need quotes)`);
    }
    const name = tok.name;
    const arity = FUNCTIONS[name];
    next();
    expectPunct("(", `${name} is a function`);
    const args: Expr[] = [];
    if (arity.max === 0 || (arity.min === 0 && isPunct(peek(), ")"))) {
      expectPunct(")", arityText(name));
      return { type: "call", name, args };
    }
    for (;;) {
      args.push(parseOr());
      const sep = peek();
      if (isPunct(sep, ",")) {
        if (args.length >= arity.max) fail(sep, "')'", `${arityText(name)}: expected ')' but found ','`);
        next();
        continue;
      }
      if (isPunct(sep, ")")) {
        if (args.length < arity.min) fail(sep, "','", `${arityText(name)}: expected ',' but found ')'`);
        next();
        return { type: "call", name, args };
      }
      const expected = args.length < arity.min ? "','" : args.length >= arity.max ? "')'" : "',' or ')'";
      return fail(sep, expected);
    }
  }

  const expr = parseOr();
  const rest = peek();
  if (rest.kind !== "eof") fail(rest, "an operator or end of expression");
  return expr;
}

/** The distinct `${…}` names an expression refers to, in order of first appearance (`.` excluded). */
export function references(expr: Expr): string[] {
  const seen = new Set<string>();
  visit(expr, (node) => {
    if (node.type === "ref") seen.add(node.name);
  });
  return [...seen];
}

/** Whether the expression uses `.`, the value under test (only meaningful in constraints). */
export function usesSelf(expr: Expr): boolean {
  let found = false;
  visit(expr, (node) => {
    if (node.type === "self") found = true;
  });
  return found;
}

/** Calls `fn` on every node, parents before children, left to right. */
export function visit(expr: Expr, fn: (node: Expr) => void): void {
  fn(expr);
  switch (expr.type) {
    case "negate":
      visit(expr.operand, fn);
      break;
    case "binary":
      visit(expr.left, fn);
      visit(expr.right, fn);
      break;
    case "call":
      for (const arg of expr.args) visit(arg, fn);
      break;
    default:
      break;
  }
}

const CACHE_LIMIT = 5000;
const cache = new Map<string, Expr>();

/**
 * parseExpr with a memo: forms evaluate the same few hundred expressions on every change.
 * The returned AST is frozen because it is shared between callers.
 */
export function parseCached(source: string): Expr {
  const hit = cache.get(source);
  if (hit) return hit;
  const expr = deepFreeze(parseExpr(source));
  // A crude bound is enough: the set of expressions in use is small and stable.
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(source, expr);
  return expr;
}

function deepFreeze(expr: Expr): Expr {
  visit(expr, (node) => {
    if (node.type === "call") Object.freeze(node.args);
    Object.freeze(node);
  });
  return expr;
}
