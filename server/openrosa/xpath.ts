/**
 * chiso expressions as XPath for XForm binds. The AST printer of shared/expr does the layout; this
 * file says how a `${q}` reference is written (the question's absolute instance path, e.g.
 * `/data/procedure/on_time`) and rewrites the few functions whose XForms form differs.
 *
 * The two languages agree on what the forms use: `=`/`!=` between a choice and a quoted code,
 * ordering of numbers, `selected()`, `count-selected()`, `if()`, `not()`, `and`/`or`, arithmetic
 * with `div`/`mod`. An unanswered or non-relevant question reads as '' in XForms (ODK treats a
 * non-relevant node as blank), as null reads in chiso, so relevance stays transitive in both.
 */
import { parseCached, type Expr } from "../../shared/expr/index.js";
import { printExpr } from "../../shared/expr/print.js";

/** Rewrites calls XForms spells differently: ODK's coalesce() takes exactly two arguments. */
function toXFormsAst(expr: Expr): Expr {
  switch (expr.type) {
    case "negate":
      return { ...expr, operand: toXFormsAst(expr.operand) };
    case "binary":
      return { ...expr, left: toXFormsAst(expr.left), right: toXFormsAst(expr.right) };
    case "call": {
      const args = expr.args.map(toXFormsAst);
      if (expr.name === "coalesce" && args.length > 2) {
        // coalesce(a, b, c) = coalesce(a, coalesce(b, c))
        const nested = args.slice(1).reduceRight((rest, arg) => ({ type: "call", name: "coalesce", args: [arg, rest] }) as Expr);
        return { type: "call", name: "coalesce", args: [args[0]!, nested] };
      }
      return { ...expr, args };
    }
    default:
      return expr;
  }
}

/**
 * XPath for a chiso expression. `pathOf` gives a question's absolute path; an unknown name (the
 * instrument checks rule it out) is written as an empty string, which is what chiso reads it as.
 */
export function toXPath(source: string, pathOf: (name: string) => string | undefined): string {
  return printExpr(toXFormsAst(parseCached(source)), { ref: (name) => pathOf(name) ?? "''" });
}

/** Several conditions that must all hold, as one XPath (each parenthesised). */
export function allOf(conditions: readonly string[]): string | undefined {
  if (conditions.length === 0) return undefined;
  if (conditions.length === 1) return conditions[0];
  return conditions.map((c) => `(${c})`).join(" and ");
}

/** A string literal for XPath: quotes the value in the quote mark it lacks, or builds it with concat(). */
export function xpathString(value: string): string {
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"')) return `"${value}"`;
  return `concat(${value
    .split("'")
    .map((part) => `'${part}'`)
    .join(`, "'", `)})`;
}
