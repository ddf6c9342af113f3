/**
 * shared/expr/print.ts: printing an AST and parsing the text back gives the same AST, with the
 * fewest parentheses; references and `.` go through the renderer given (as XPath output needs).
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseExpr } from "../../shared/expr/index.js";
import { printExpr } from "../../shared/expr/print.js";
import { fromXlsform, toXlsform } from "../../shared/xlsform/expressions.js";

const SURVEYS = path.join(import.meta.dirname, "../../surveys");

function expressionsOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) expressionsOf(v, out);
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if ((k === "relevant" || k === "constraint" || (k === "required" && typeof v === "string")) && typeof v === "string") out.push(v);
      else expressionsOf(v, out);
    }
  }
  return out;
}

describe("printExpr", () => {
  const cases: Array<[string, string]> = [
    ["${a} - (${b} - ${c})", "${a} - (${b} - ${c})"],
    ["(${a} - ${b}) - ${c}", "${a} - ${b} - ${c}"],
    ["(${a} or ${b}) and not(${c})", "(${a} or ${b}) and not(${c})"],
    ["${a} or (${b} and ${c})", "${a} or ${b} and ${c}"],
    ["-(${a} + 1) * 2", "-(${a} + 1) * 2"],
    ["${a} / 2 mod 3", "${a} div 2 mod 3"],
    ["if(. >= 18, \"it's\", 'no')", "if(. >= 18, \"it's\", 'no')"],
    ["count-selected(.) <= 2 and selected(${x}, 'other')", "count-selected(.) <= 2 and selected(${x}, 'other')"],
    ["0.5 + .25", "0.5 + 0.25"],
  ];
  for (const [source, printed] of cases) {
    it(`${source} → ${printed}`, () => {
      expect(printExpr(parseExpr(source))).toBe(printed);
      expect(parseExpr(printExpr(parseExpr(source)))).toEqual(parseExpr(source));
    });
  }

  it("reprints every expression of the 2022 editions to the same meaning", () => {
    const all = fs.readdirSync(SURVEYS).flatMap((d) => expressionsOf(JSON.parse(fs.readFileSync(path.join(SURVEYS, d, "instrument.json"), "utf8"))));
    expect(all.length).toBeGreaterThan(50);
    for (const source of all) expect(parseExpr(printExpr(parseExpr(source))), source).toEqual(parseExpr(source));
  });

  it("renders references and the current value through the renderer given", () => {
    const xpath = printExpr(parseExpr("${age} >= 18 and . != ''"), { ref: (n) => `/data/${n}`, self: () => "." });
    expect(xpath).toBe("/data/age >= 18 and . != ''");
  });
});

describe("XLSForm expressions", () => {
  it("keeps chiso's subset as written and writes / as div", () => {
    expect(fromXlsform("  ${a}  =  'yes' ")).toEqual({ ok: true, text: "${a}  =  'yes'" });
    expect(toXlsform("${a} = 'yes'")).toBe("${a} = 'yes'");
    expect(toXlsform("${a} / ${b} > 0.5")).toBe("${a} div ${b} > 0.5");
  });
});
