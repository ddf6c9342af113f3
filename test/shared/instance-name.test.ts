// Unit tests for an instrument's instance name (XLSForm instance_name): checked when the definition loads, and evaluated over answers with concat().
import { describe, expect, it } from "vitest";
import { checkInstrument, type Instrument } from "../../shared/instrument/index.js";
import { instanceNameOf } from "../../shared/instrument/instance-name.js";
import { evaluate, parseExpr } from "../../shared/expr/index.js";

const T = (s: string) => ({ vi: s, en: s });

function definition(instanceName: string | undefined): Record<string, unknown> {
  return {
    id: "ho-gia-dinh-2024",
    family: "test",
    version: "1.0.0",
    year: 2024,
    title: T("Hộ gia đình"),
    intro: T("Giới thiệu"),
    unitLevel: "village",
    respondentGroups: [{ code: "citizen", label: T("Người dân") }],
    sections: [
      {
        id: "s1",
        title: T("Hộ"),
        items: [
          { id: "household", type: "integer", label: T("Số hộ") },
          { id: "head", type: "text", label: T("Chủ hộ"), maxLength: 100 },
          { id: "note1", type: "note", label: T("Ghi chú") },
        ],
      },
    ],
    ...(instanceName === undefined ? {} : { instanceName }),
  };
}

function build(instanceName: string): Instrument {
  const result = checkInstrument(definition(instanceName));
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.path}: ${e.message}`).join("\n"));
  return result.instrument;
}

describe("concat()", () => {
  it("joins its arguments as text; an absent answer adds nothing", () => {
    const get = (id: string) => ({ a: "Hộ ", b: 12, c: ["x", "y"] })[id] ?? null;
    expect(evaluate(parseExpr('concat(${a}, ${b}, " — ", ${c}, ${missing})'), { get })).toBe("Hộ 12 — x y");
  });
});

describe("instanceName", () => {
  it("names a filled form from its answers", () => {
    const instrument = build('concat("Hộ số ", ${household}, " — ", ${head})');
    expect(instanceNameOf(instrument, { household: 7, head: "Nguyễn Văn A" })).toBe("Hộ số 7 — Nguyễn Văn A");
    expect(instanceNameOf(instrument, {})).toBe("Hộ số —");
  });

  it("gives no name when the instrument declares none or it comes out empty", () => {
    expect(instanceNameOf(build("${head}"), {})).toBeNull();
    const result = checkInstrument(definition(undefined));
    expect(result.ok && instanceNameOf(result.instrument, { head: "A" })).toBeNull();
  });

  it("is checked when the definition loads: syntax, unknown questions, notes, and '.'", () => {
    for (const [source, message] of [
      ["concat(${head}", "syntax error"],
      ["${nobody}", "unknown question 'nobody'"],
      ["${note1}", "has no answer"],
      ["concat(., ${head})", "only allowed in a constraint"],
    ] as const) {
      const result = checkInstrument(definition(source));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.errors.find((e) => e.path === "instanceName")?.message).toContain(message);
    }
  });
});
