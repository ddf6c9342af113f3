/** Problem messages: one per code in both languages, with `{name}` placeholders filled from the problem's detail. */
import { describe, expect, it } from "vitest";
import { PROBLEMS, problemMessage, type ProblemCode } from "../../shared/errors.js";
import { Problem } from "../../server/http/problem.js";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("problem messages", () => {
  it("name the same values in Vietnamese and English for every code", () => {
    for (const [code, entry] of Object.entries(PROBLEMS)) expect(placeholders(entry.vi), code).toEqual(placeholders(entry.en));
  });

  it("fill placeholders from the detail, join lists, and leave a missing value as written", () => {
    expect(problemMessage("registry_unknown", { asOf: "VN-2030", known: ["VN-2024", "VN-2025"] })).toEqual({
      vi: 'Không có danh mục đơn vị "VN-2030" (có: VN-2024, VN-2025).',
      en: 'No unit registry "VN-2030" (known: VN-2024, VN-2025).',
    });
    expect(problemMessage("peer_group_unknown").en).toBe('No peer group "{peers}".');
    expect(problemMessage("not_found", "not an object")).toEqual({ vi: PROBLEMS.not_found.vi, en: PROBLEMS.not_found.en });
  });

  it("are what a Problem's body says, with its status", () => {
    const problem = new Problem("breakdown_not_below", undefined, { by: "province", unit: "VN-2025:01", level: "commune" });
    expect(problem.status).toBe(400);
    expect(problem.body().error).toMatchObject({
      code: "breakdown_not_below" satisfies ProblemCode,
      message_en: 'Level "province" must be below the selected unit\'s level (commune).',
      detail: { by: "province" },
    });
  });
});
