// Unit tests for the form expression language: grammar, errors, functions and value semantics.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ExprSyntaxError,
  FUNCTIONS,
  evaluate,
  parseCached,
  parseExpr,
  references,
  truthy,
  type EvalContext,
  type Expr,
  type ExprValue,
  type FunctionName,
} from "../../shared/expr/index.js";

const answers: Record<string, ExprValue> = {
  q3: "2",
  age: 35,
  name: "Lan",
  empty: "",
  multi: ["a", "c"],
  spaced: "a b c",
  none: null,
  yes: true,
  "I.2": 80,
  "points:II": 7.5,
};
const ctx = (extra: Partial<EvalContext> = {}): EvalContext => ({
  get: (n) => (Object.hasOwn(answers, n) ? answers[n] : undefined),
  today: "2024-05-01",
  ...extra,
});
const run = (src: string, extra: Partial<EvalContext> = {}): ExprValue => evaluate(parseExpr(src), ctx(extra));

function syntaxError(src: string): ExprSyntaxError {
  try {
    parseExpr(src);
  } catch (e) {
    if (e instanceof ExprSyntaxError) return e;
    throw e;
  }
  throw new Error(`expected a syntax error for ${src}`);
}

describe("parser", () => {
  it("produces a plain JSON AST", () => {
    const ast = parseExpr("selected(${q}, 'a') and ${n} >= 2.5");
    expect(ast).toEqual({
      type: "binary",
      op: "and",
      left: {
        type: "call",
        name: "selected",
        args: [
          { type: "ref", name: "q" },
          { type: "string", value: "a" },
        ],
      },
      right: { type: "binary", op: ">=", left: { type: "ref", name: "n" }, right: { type: "number", value: 2.5 } },
    });
    expect(JSON.parse(JSON.stringify(ast))).toEqual(ast);
  });

  it("orders precedence or < and < comparison < additive < multiplicative < unary", () => {
    expect(parseExpr("1 or 2 and 3")).toMatchObject({ op: "or", right: { op: "and" } });
    expect(parseExpr("1 and 2 = 3")).toMatchObject({ op: "and", right: { op: "=" } });
    expect(parseExpr("1 = 2 + 3")).toMatchObject({ op: "=", right: { op: "+" } });
    expect(parseExpr("1 + 2 * 3")).toMatchObject({ op: "+", right: { op: "*" } });
    expect(parseExpr("-2 * 3")).toMatchObject({ op: "*", left: { type: "negate" } });
    expect(run("2 + 3 * 4")).toBe(14);
    expect(run("(2 + 3) * 4")).toBe(20);
    expect(run("1 = 1 or 1 = 2 and 1 = 2")).toBe(true);
    expect(run("(1 = 1 or 1 = 2) and 1 = 2")).toBe(false);
    expect(run("-2 * -3")).toBe(6);
    expect(run("- - 4")).toBe(4);
  });

  it("associates binary operators to the left", () => {
    expect(run("10 - 4 - 3")).toBe(3);
    expect(run("64 div 4 div 2")).toBe(8);
    expect(run("64 / 4 / 2")).toBe(8);
    expect(run("17 mod 5 mod 2")).toBe(0);
    expect(parseExpr("1 < 2 < 3")).toMatchObject({ op: "<", left: { op: "<" } });
  });

  it("reads references with any character but '}', and '.' as the value under test", () => {
    expect(parseExpr("${I.2} + ${points:II}")).toMatchObject({ left: { name: "I.2" }, right: { name: "points:II" } });
    expect(run("${I.2} + ${points:II}")).toBe(87.5);
    expect(parseExpr(". > 3")).toMatchObject({ left: { type: "self" } });
    expect(parseExpr(".5")).toEqual({ type: "number", value: 0.5 });
    expect(parseExpr(`"it's"`)).toEqual({ type: "string", value: "it's" });
  });

  it("keeps hyphenated function names apart from subtraction", () => {
    expect(parseExpr("count-selected(${m})")).toMatchObject({ type: "call", name: "count-selected" });
    expect(run("${age} div-5")).toBe(-7);
    expect(run("3 mod-2")).toBe(1);
  });

  it("lists distinct references in order, without '.'", () => {
    expect(references(parseExpr("${b} + ${a} * ${b} + . + if(${c}, ${a}, 1)"))).toEqual(["b", "a", "c"]);
    expect(references(parseExpr(". > 1"))).toEqual([]);
  });

  it("caches parsed expressions and freezes the shared AST", () => {
    const a = parseCached("${x} + 1");
    expect(parseCached("${x} + 1")).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(() => parseCached("${x} +")).toThrow(ExprSyntaxError);
  });
});

describe("syntax errors", () => {
  it("reports a missing operand at the end", () => {
    const e = syntaxError("${q1} = ");
    expect([e.position, e.expected, e.found]).toEqual([8, "an operand", "end of expression"]);
    expect(e.message).toContain("${q1} = \n");
    expect(e.message.split("\n")[2]).toBe(`  ${" ".repeat(8)}^`);
  });

  it("reports a missing closing parenthesis", () => {
    const e = syntaxError("selected(${q}, 'a'");
    expect([e.position, e.expected, e.found]).toEqual([18, "')'", "end of expression"]);
    expect(syntaxError("(1 + 2").expected).toBe("')'");
  });

  it("rejects unknown functions at parse time", () => {
    const e = syntaxError("1 + foo(2)");
    expect([e.position, e.expected, e.found]).toEqual([4, "a known function", "'foo'"]);
    expect(e.message).toMatch(/Unknown function 'foo'/);
  });

  it("checks arity at parse time", () => {
    expect(syntaxError("if(1, 2)")).toMatchObject({ position: 7, expected: "','", found: "')'" });
    expect(syntaxError("not(1, 2)")).toMatchObject({ position: 5, expected: "')'", found: "','" });
    expect(syntaxError("today(1)")).toMatchObject({ position: 6, expected: "')'" });
    expect(syntaxError("min()")).toMatchObject({ position: 4, expected: "an operand" });
    expect(syntaxError("round(1, 2, 3)")).toMatchObject({ position: 10, expected: "')'" });
    expect(syntaxError("round(1 2)")).toMatchObject({ position: 8, expected: "',' or ')'" });
    expect(syntaxError("selected")).toMatchObject({ position: 8, expected: "'('" });
  });

  it("locates lexical errors", () => {
    expect(syntaxError("${a")).toMatchObject({ position: 3, expected: "'}'" });
    expect(syntaxError("${}")).toMatchObject({ position: 2, expected: "a question name" });
    expect(syntaxError("1 = 'abc")).toMatchObject({ position: 8, expected: "a closing '" });
    expect(syntaxError("1 ! 2")).toMatchObject({ position: 2, expected: "'!='" });
    expect(syntaxError("1 @ 2")).toMatchObject({ position: 2, found: "'@'" });
    expect(syntaxError("$x")).toMatchObject({ position: 1, expected: "'{'" });
  });

  it("rejects bare words, stray tokens and empty input", () => {
    expect(syntaxError("${a} = yes")).toMatchObject({ position: 7, expected: "an operand", found: "'yes'" });
    expect(syntaxError("and 1")).toMatchObject({ position: 0, expected: "an operand" });
    expect(syntaxError("1 2")).toMatchObject({ position: 2, expected: "an operator or end of expression" });
    expect(syntaxError("1 + 2)")).toMatchObject({ position: 5, found: "')'" });
    expect(syntaxError("")).toMatchObject({ position: 0, expected: "an operand" });
  });

  it("refuses nesting and length that would exhaust the stack", () => {
    expect(syntaxError(`${"(".repeat(500)}1${")".repeat(500)}`).message).toMatch(/nested too deeply/);
    expect(syntaxError(`${"-".repeat(500)}1`).message).toMatch(/nested too deeply/);
    expect(syntaxError(`1${" + 1".repeat(3000)}`).message).toMatch(/longer than/);
    expect(parseExpr(`${"(".repeat(50)}1${")".repeat(50)}`)).toEqual({ type: "number", value: 1 });
  });
});

describe("values and comparisons", () => {
  it("compares numeric strings and numbers numerically", () => {
    expect(run("${q3} = 2")).toBe(true);
    expect(run("${q3} = 2.0")).toBe(true);
    expect(run("2 = ${q3}")).toBe(true);
    expect(run("${q3} != 2")).toBe(false);
    expect(run("${q3} < 10")).toBe(true);
    expect(run("${q3} = '2'")).toBe(true);
    expect(run("'2' = '2.0'")).toBe(false); // two strings compare as text
    expect(run("${name} = 0")).toBe(false);
    expect(run("${name} = 'Lan'")).toBe(true);
    expect(run("${q3} + 1")).toBe(3);
  });

  it("treats null as absent", () => {
    expect(run("${none} = ''")).toBe(true);
    expect(run("${unknown} = ''")).toBe(true);
    expect(run("'' = ${none}")).toBe(true);
    expect(run("${none} = ${unknown}")).toBe(true);
    expect(run("${none} = 0")).toBe(false);
    expect(run("${none} = 'x'")).toBe(false);
    expect(run("${none} != 'x'")).toBe(true); // != is not(=)
    expect(run("${none} != ''")).toBe(false);
    for (const op of ["<", "<=", ">", ">="]) {
      expect(run(`${"${none}"} ${op} 1`)).toBe(false);
      expect(run(`1 ${op} ${"${none}"}`)).toBe(false);
    }
    expect(run("${none} + 1")).toBeNaN();
    expect(run("${empty} = ${none}")).toBe(true);
  });

  it("makes NaN fail every comparison but !=", () => {
    expect(run("${name} * 2")).toBeNaN();
    expect(run("${name} * 2 = ${name} * 2")).toBe(false);
    expect(run("${name} * 2 > 0")).toBe(false);
    expect(run("${name} * 2 <= 0")).toBe(false);
    expect(run("${name} * 2 != 0")).toBe(true);
  });

  it("divides by zero to NaN, never Infinity", () => {
    expect(run("1 div 0")).toBeNaN();
    expect(run("-1 / 0")).toBeNaN();
    expect(run("5 mod 0")).toBeNaN();
    expect(run("7 div 2")).toBe(3.5);
    expect(run("-7 mod 3")).toBe(-1);
  });

  it("compares booleans as booleans and ISO dates as dates", () => {
    expect(run("${yes} = true()")).toBe(true);
    expect(run("1 = true()")).toBe(true);
    expect(run("${none} = false()")).toBe(false); // null equals only blanks
    expect(run("'2024-01-31' < '2024-02-01'")).toBe(true);
    expect(run("'2024-05-01' <= today()")).toBe(true);
    expect(run("'2024-05-02' <= today()")).toBe(false);
    expect(run("'b' > 'a'")).toBe(false); // non-date text does not order
  });

  it("compares a multiple-choice answer by its space-separated form", () => {
    expect(run("${multi} = 'a c'")).toBe(true);
    expect(run("${multi} = 'a'")).toBe(false);
  });

  it("defines truthiness", () => {
    for (const v of [null, "", 0, NaN, false, []] as ExprValue[]) expect(truthy(v)).toBe(false);
    for (const v of ["0", "false", 1, -1, true, ["a"]] as ExprValue[]) expect(truthy(v)).toBe(true);
  });

  it("short-circuits and/or and returns booleans", () => {
    const seen: string[] = [];
    const spy: EvalContext = { get: (n) => (seen.push(n), 1) };
    expect(evaluate(parseExpr("0 and ${a}"), spy)).toBe(false);
    expect(evaluate(parseExpr("1 or ${b}"), spy)).toBe(true);
    expect(seen).toEqual([]);
    expect(run("2 and 'x'")).toBe(true);
    expect(run("0 or ''")).toBe(false);
  });

  it("reads '.' from ctx.self, null when absent", () => {
    expect(run(". >= 18 and . <= 70", { self: 30 })).toBe(true);
    expect(run(". >= 18", { self: 12 })).toBe(false);
    expect(run(". = ''")).toBe(true);
  });
});

describe("functions", () => {
  it("selected", () => {
    expect(run("selected(${multi}, 'a')")).toBe(true);
    expect(run("selected(${multi}, 'b')")).toBe(false);
    expect(run("selected(${spaced}, 'b')")).toBe(true);
    expect(run("selected(${q3}, 2)")).toBe(true);
    expect(run("selected(${none}, 'x')")).toBe(false);
    expect(run("selected(${unknown}, '')")).toBe(false);
  });

  it("count-selected", () => {
    expect(run("count-selected(${multi})")).toBe(2);
    expect(run("count-selected(${spaced})")).toBe(3);
    expect(run("count-selected(${none})")).toBe(0);
    expect(run("count-selected(${empty})")).toBe(0);
  });

  it("if evaluates only the chosen branch", () => {
    expect(run("if(${age} >= 18, 'adult', 'minor')")).toBe("adult");
    expect(run("if(${none}, 1, 2)")).toBe(2);
    const seen: string[] = [];
    evaluate(parseExpr("if(true(), ${a}, ${b})"), { get: (n) => (seen.push(n), null) });
    expect(seen).toEqual(["a"]);
  });

  it("not, true, false", () => {
    expect(run("not(${none})")).toBe(true);
    expect(run("not(${age} > 18)")).toBe(false);
    expect(run("true()")).toBe(true);
    expect(run("false()")).toBe(false);
  });

  it("string-length counts code points", () => {
    expect(run("string-length(${name})")).toBe(3);
    expect(run("string-length('Huế')")).toBe(3);
    expect(run("string-length('😀')")).toBe(1);
    expect(run("string-length(${none})")).toBe(0);
    expect(run("string-length(12.5)")).toBe(4);
  });

  it("number", () => {
    expect(run("number(${q3})")).toBe(2);
    expect(run("number(' -3.5 ')")).toBe(-3.5);
    expect(run("number('1e3')")).toBeNaN();
    expect(run("number('')")).toBeNaN();
    expect(run("number(${none})")).toBeNaN();
    expect(run("number(true())")).toBe(1);
  });

  it("coalesce", () => {
    expect(run("coalesce(${none}, 'x')")).toBe("x");
    expect(run("coalesce(${empty}, ${none}, ${age})")).toBe(35);
    expect(run("coalesce(${name}, 'x')")).toBe("Lan");
    expect(run("coalesce(${none}, ${empty})")).toBeNull();
  });

  it("min and max", () => {
    expect(run("min(3, ${q3}, 7)")).toBe(2);
    expect(run("max(3, ${q3}, 7)")).toBe(7);
    expect(run("max(${none}, 1)")).toBeNaN();
    expect(run("min(${name})")).toBeNaN();
    expect(evaluate(parseExpr("max(${xs})"), { get: () => ["4", "9", "1"] })).toBe(9);
  });

  it("round half away from zero in decimal", () => {
    expect(run("round(2.5)")).toBe(3);
    expect(run("round(-2.5)")).toBe(-3);
    expect(run("round(1.005, 2)")).toBe(1.01);
    expect(run("round(79.555, 2)")).toBe(79.56);
    expect(run("round(1234.5, -2)")).toBe(1200);
    expect(run("round(-0.4)")).toBe(0);
    expect(run("round(${none}, 2)")).toBeNaN();
    expect(run("round(1.5, 400)")).toBe(1.5);
  });

  it("today is injectable and ISO-formatted otherwise", () => {
    expect(run("today()")).toBe("2024-05-01");
    expect(evaluate(parseExpr("today()"), { get: () => null })).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe("properties", () => {
  const pieces = [
    "${q}",
    "${m}",
    ".",
    "1",
    "2.5",
    "'a'",
    '"b"',
    "(",
    ")",
    ",",
    " and ",
    " or ",
    "+",
    "-",
    "*",
    " div ",
    " mod ",
    "=",
    "!=",
    "<",
    ">=",
    "not(",
    "if(",
    "selected(",
    "count-selected(",
    "round(",
    "min(",
    "today()",
    "foo(",
    " ",
    "$",
    "{",
    "}",
    "!",
  ];

  it("parse throws only ExprSyntaxError on random input", () => {
    const check = (src: string) => {
      try {
        parseExpr(src);
      } catch (e) {
        if (!(e instanceof ExprSyntaxError)) throw e;
        expect(e.position).toBeGreaterThanOrEqual(0);
        expect(e.position).toBeLessThanOrEqual(src.length);
      }
    };
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 60 }), check), { numRuns: 2000 });
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...pieces), { maxLength: 25 }).map((a) => a.join("")),
        check,
      ),
      { numRuns: 3000 },
    );
  });

  const value: fc.Arbitrary<ExprValue> = fc.oneof(
    fc.constant(null),
    fc.string({ maxLength: 5 }),
    fc.constantFrom("2", " 3.5 ", "2024-01-01", ""),
    fc.double(),
    fc.boolean(),
    fc.array(fc.constantFrom("a", "b", "1"), { maxLength: 3 }),
  );

  const { expr } = fc.letrec<{ expr: Expr }>((tie) => ({
    expr: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.record({ type: fc.constant("number" as const), value: fc.double() }),
      fc.record({ type: fc.constant("string" as const), value: fc.string({ maxLength: 4 }) }),
      fc.record({ type: fc.constant("ref" as const), name: fc.constantFrom("a", "b", "c") }),
      fc.constant({ type: "self" as const }),
      fc.record({ type: fc.constant("negate" as const), operand: tie("expr") }),
      fc.record({
        type: fc.constant("binary" as const),
        op: fc.constantFrom("or", "and", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "div", "mod"),
        left: tie("expr"),
        right: tie("expr"),
      }),
      fc.constantFrom(...(Object.keys(FUNCTIONS) as FunctionName[])).chain((name) => {
        const { min, max } = FUNCTIONS[name];
        return fc.array(tie("expr"), { minLength: min, maxLength: Math.min(max, min + 2) }).map((args) => ({ type: "call" as const, name, args }));
      }),
    ),
  }));

  it("evaluate never throws on well-formed ASTs", () => {
    fc.assert(
      fc.property(expr, value, value, value, value, (e, a, b, c, self) => {
        const env: Record<string, ExprValue> = { a, b, c };
        const out = evaluate(e, { get: (n) => env[n], self, today: "2024-05-01" });
        expect(out === null || ["string", "number", "boolean"].includes(typeof out) || Array.isArray(out)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
