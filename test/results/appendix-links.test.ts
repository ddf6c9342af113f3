/**
 * The dashboard's download links ask for the appendices as the screen shows them: a unit's results
 * with its rank (rank=1), and the ranking appendix of the level chosen, with the table's columns and
 * sort node or the ranking view's node and peer group — parameters the server accepts.
 */
import { describe, expect, it } from "vitest";
import { appendixLevel, exportUrl, NO_FILTERS, type Filters } from "../../client/dashboard/api.js";
import { checkParameters } from "../../server/exports/parameters.js";

const base: Filters = { ...NO_FILTERS, round: "r1" };
const params = (url: string) => Object.fromEntries(new URL(url, "http://x").searchParams);

describe("dashboard download links", () => {
  it("a unit's results carry rank=1, the whole round's do not", () => {
    const unit = params(exportUrl({ ...base, unit: "2025:20056", group: "citizen" }, "results", "xlsx", "vi"));
    expect(unit).toEqual({ format: "xlsx", unit: "2025:20056", group: "citizen", lang: "vi", rank: "1" });
    expect(params(exportUrl(base, "results", "csv", "vi"))).toEqual({ format: "csv", sep: "semicolon", decimal: "comma", lang: "vi" });
    expect(() => checkParameters("results", "xlsx", unit)).not.toThrow();
  });

  it("the ranking appendix follows the units × criteria table: level, columns, sort node (not name or responses)", () => {
    const table = { ...base, unit: "2025:46", by: "commune", cols: "item", sort: "II.3:desc" };
    expect(appendixLevel(table)).toBe("commune");
    const url = exportUrl(table, "ranking", "xlsx", "en");
    expect(url.startsWith("/api/rounds/r1/export/results?")).toBe(true);
    const p = params(url);
    expect(p).toEqual({ format: "xlsx", unit: "2025:46", lang: "en", by: "commune", cols: "item", node: "II.3" });
    expect(() => checkParameters("results", "xlsx", p)).not.toThrow();
    expect(params(exportUrl({ ...table, sort: "name:asc" }, "ranking", "xlsx", "en")).node).toBeUndefined();
    expect(params(exportUrl({ ...table, sort: "responses:desc" }, "ranking", "xlsx", "en")).node).toBeUndefined();
    expect(appendixLevel(base)).toBeNull();
  });

  it("in the ranking view: its level, node and peer group", () => {
    const ranking = { ...base, view: "ranking" as const, level: "province", node: "D3", peers: "vung-3", by: "commune" };
    expect(appendixLevel(ranking)).toBe("province");
    const p = params(exportUrl(ranking, "ranking", "csv", "vi"));
    expect(p).toEqual({ format: "csv", sep: "semicolon", decimal: "comma", lang: "vi", by: "province", node: "D3", peers: "vung-3" });
    expect(() => checkParameters("results", "csv", p)).not.toThrow();
  });
});
