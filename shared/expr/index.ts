/** The form expression language: parse once, evaluate many times. */
export { ExprSyntaxError, tokenize, type Token } from "./lexer.js";
export { FUNCTIONS, parseCached, parseExpr, references, usesSelf, visit, type BinaryOp, type Expr, type FunctionName } from "./parser.js";
export { evaluate, toNumber, toText, truthy, type EvalContext, type ExprValue } from "./evaluate.js";
