// Unit search: diacritic-insensitive names, code prefixes, ranking and level filter.
import { describe, expect, it } from "vitest";
import { foldVietnamese } from "../../shared/i18n.js";
import { buildUnitSearchIndex, searchUnits, unitSearchForm, type UnitSearchEntry } from "../../shared/units/search.js";

const units: UnitSearchEntry[] = [
  { key: "2025:01", code: "01", name: "Hà Nội", fullName: "Thành phố Hà Nội", level: "province" },
  { key: "2025:46", code: "46", name: "Huế", fullName: "Thành phố Huế", level: "province", formerNames: ["Thừa Thiên Huế"] },
  { key: "2025:79", code: "79", name: "Hồ Chí Minh", fullName: "Thành phố Hồ Chí Minh", level: "province" },
  { key: "2025:75", code: "75", name: "Đồng Nai", fullName: "Thành phố Đồng Nai", level: "province" },
  { key: "2025:00004", code: "00004", name: "Ba Đình", fullName: "Phường Ba Đình", level: "commune", parentName: "Hà Nội" },
  { key: "2025:00008", code: "00008", name: "Ngọc Hà", fullName: "Phường Ngọc Hà", level: "commune", parentName: "Hà Nội" },
  { key: "2025:10105", code: "10105", name: "Hà Đông", fullName: "Phường Hà Đông", level: "commune", parentName: "Hà Nội" },
  { key: "2025:19999", code: "19999", name: "Thuận Hóa", fullName: "Phường Thuận Hóa", level: "commune", parentName: "Huế" },
  { key: "2025:20001", code: "20001", name: "Phú Xuân", fullName: "Phường Phú Xuân", level: "commune", parentName: "Huế" },
  { key: "2025:20002", code: "20002", name: "Kim Long", fullName: "Phường Kim Long", level: "commune", parentName: "Huế" },
  { key: "2025:30001", code: "30001", name: "Tân An", fullName: "Xã Tân An", level: "commune", parentName: "Tây Ninh" },
  { key: "2025:30002", code: "30002", name: "An Phú", fullName: "Xã An Phú", level: "commune", parentName: "An Giang" },
  { key: "2025:30003", code: "30003", name: "An", fullName: "Xã An", level: "commune", parentName: "An Giang" },
  { key: "2025:30004", code: "30004", name: "Thanh An", fullName: "Xã Thanh An", level: "commune", parentName: "An Giang" },
  { key: "2025:30005", code: "30005", name: "Bà Rịa - Vũng Tàu", fullName: "Phường Bà Rịa - Vũng Tàu", level: "commune", parentName: "Hồ Chí Minh" },
  { key: "2025:30006", code: "30006", name: "Đạ M'ri", fullName: "Xã Đạ M'ri", level: "commune", parentName: "Lâm Đồng" },
  { key: "2025:30007", code: "30007", name: "Hòa An", fullName: "Xã Hòa An", level: "commune", parentName: "Cao Bằng" },
  { key: "2025:30008", code: "30008", name: "Hoà An", fullName: "Xã Hoà An", level: "commune", parentName: "Đồng Tháp" },
];
const index = buildUnitSearchIndex(units);
const keys = (query: string, options?: Parameters<typeof searchUnits>[2]) => searchUnits(index, query, options).map((h) => h.unit.key);

describe("unitSearchForm", () => {
  it("folds diacritics, case, đ and punctuation", () => {
    expect(unitSearchForm("Thừa Thiên Huế")).toBe("thua thien hue");
    expect(unitSearchForm("  ĐỒNG   Nai ")).toBe("dong nai");
    expect(unitSearchForm("Bà Rịa - Vũng Tàu")).toBe("ba ria vung tau");
    expect(unitSearchForm("Đạ M’ri")).toBe("da mri");
    expect(unitSearchForm("Hoà")).toBe(unitSearchForm("Hòa"));
    expect(unitSearchForm("Thu\u0323y")).toBe("thuy"); // decomposed input
    expect(unitSearchForm("--")).toBe("");
  });

  it("agrees with folding the whole string at once", () => {
    const reference = (s: string) => foldVietnamese(s.replace(/['’ʼ‘`]/g, "")).replace(/[^\p{L}\p{N}]+/gu, " ").trim();
    const samples = ["Thừa Thiên Huế", "  Xã  Cò  Nòi ", "Đắk Lắk", "Phường 15", "Ia H'Drai", "Bà Rịa – Vũng Tàu", "Quỳnh Lưu", "ĐỒNG THÁP", "Ê Đê 𝔸"];
    for (const s of samples) expect(unitSearchForm(s)).toBe(reference(s));
  });
});

describe("searchUnits", () => {
  it("finds names without diacritics or with partial ones", () => {
    expect(keys("ha noi")[0]).toBe("2025:01");
    expect(keys("Hà Nội")[0]).toBe("2025:01");
    expect(keys("HA NOI")[0]).toBe("2025:01");
    expect(keys("hue")[0]).toBe("2025:46");
    expect(keys("dong nai")[0]).toBe("2025:75");
    expect(keys("ba ria vung tau")).toEqual(["2025:30005"]);
    expect(keys("da m'ri")).toEqual(["2025:30006"]);
  });

  it("treats old and new tone-mark placement alike", () => {
    expect(keys("Hoà An").sort()).toEqual(["2025:30007", "2025:30008"]);
    expect(keys("hòa an").sort()).toEqual(["2025:30007", "2025:30008"]);
  });

  it("finds a unit by a former name, after units matching by their current name", () => {
    const hits = searchUnits(index, "thua thien hue");
    expect(hits[0]?.unit.key).toBe("2025:46");
    expect(hits[0]?.match).toBe("exact");
    expect(hits[0]?.matchedFormerName).toBe("Thừa Thiên Huế");
    expect(searchUnits(index, "hue")[0]?.matchedFormerName).toBeUndefined();
  });

  it("matches the full name with its type, but not the type alone", () => {
    expect(keys("thanh pho ha noi")).toEqual(["2025:01"]);
    expect(keys("phuong ba dinh")).toEqual(["2025:00004"]);
    expect(searchUnits(index, "phuong ba")[0]).toMatchObject({ unit: { key: "2025:00004" }, match: "prefix" });
    expect(keys("phuong")).toEqual([]);
    // Several words may still match type and name together, at the lowest rank.
    expect(searchUnits(index, "thanh pho").every((h) => h.match === "words")).toBe(true);
  });

  it("matches codes by prefix, the exact code first", () => {
    expect(keys("00004")).toEqual(["2025:00004"]);
    expect(keys("0000")).toEqual(["2025:00004", "2025:00008"]);
    expect(keys("46")[0]).toBe("2025:46");
    expect(keys("3000").length).toBe(8);
    expect(searchUnits(index, "01")[0]).toMatchObject({ unit: { key: "2025:01" }, match: "code-exact" });
    // Letters never match codes (agency codes start with "A-").
    expect(searchUnits(index, "a").every((h) => !h.match.startsWith("code"))).toBe(true);
  });

  it("ranks exact > prefix > word prefix > substring, shorter names first on ties", () => {
    const hits = searchUnits(index, "an");
    expect(hits.map((h) => [h.unit.name, h.match])).toEqual([
      ["An", "exact"],
      ["An Phú", "prefix"],
      ["Tân An", "word-prefix"],
      ["Hòa An", "word-prefix"],
      ["Hoà An", "word-prefix"],
      ["Thanh An", "word-prefix"],
      ["Phú Xuân", "substring"],
      ["Thuận Hóa", "substring"],
    ]);
    expect(searchUnits(index, "ha").map((h) => [h.unit.name, h.match])).toEqual([
      ["Hà Nội", "prefix"],
      ["Hà Đông", "prefix"],
      ["Ngọc Hà", "word-prefix"],
      ["Thanh An", "substring"],
    ]);
  });

  it("finds a later word-start occurrence after an earlier mid-word one", () => {
    // "an" occurs inside "Tân" before it starts the word "An".
    expect(searchUnits(index, "an").find((h) => h.unit.name === "Tân An")?.match).toBe("word-prefix");
  });

  it("matches words across the name and the parent's name", () => {
    const hits = searchUnits(index, "ba dinh ha noi");
    expect(hits.map((h) => h.unit.key)).toEqual(["2025:00004"]);
    expect(hits[0]?.match).toBe("words");
    expect(keys("kim long hue")).toEqual(["2025:20002"]);
  });

  it("filters by level and respects the limit", () => {
    expect(keys("hue", { level: "commune" })).toEqual([]);
    expect(keys("ha", { level: "province" })).toEqual(["2025:01"]);
    expect(keys("ha", { level: ["province", "commune"] }).length).toBe(4);
    expect(keys("ha", { level: [] })).toEqual([]);
    expect(keys("an", { limit: 2 })).toEqual(["2025:30003", "2025:30002"]);
    expect(keys("")).toEqual([]);
    expect(keys("   ")).toEqual([]);
    expect(keys("zzz")).toEqual([]);
  });

  it("returns the caller's own objects", () => {
    const rich = [{ key: "x:1", code: "1", name: "Một", fullName: "Xã Một", level: "commune", population: 42 }];
    const hit = searchUnits(buildUnitSearchIndex(rich), "mot")[0];
    expect(hit?.unit.population).toBe(42);
  });

  it("answers a query over 15,000 units in well under 5 ms (sanity bound; benchmarks live in bench/)", () => {
    const syllables = ["an", "bình", "châu", "đông", "hà", "hòa", "khánh", "long", "minh", "nam", "phú", "quang", "sơn", "tân", "thành", "trung", "vĩnh", "xuân", "yên", "lộc"];
    const many: UnitSearchEntry[] = [];
    for (let i = 0; i < 15_000; i++) {
      const a = syllables[i % 20]!;
      const b = syllables[Math.floor(i / 20) % 20]!;
      const c = i % 3 === 0 ? " " + syllables[Math.floor(i / 400) % 20]! : "";
      const name = `${a[0]!.toUpperCase()}${a.slice(1)} ${b}${c}`;
      many.push({ key: `t:${i}`, code: String(i).padStart(5, "0"), name, fullName: `Xã ${name}`, level: "commune", parentName: "Tỉnh Thử" });
    }
    const big = buildUnitSearchIndex(many);
    const queries = ["ha", "tan an", "vinh long", "hoa", "0123", "xuan loc", "thanh pho", "z", "minh son nam", "phu"];
    for (const q of queries) searchUnits(big, q); // warm up
    const rounds = 20;
    const start = performance.now();
    for (let r = 0; r < rounds; r++) for (const q of queries) searchUnits(big, q);
    const perQuery = (performance.now() - start) / (rounds * queries.length);
    expect(perQuery).toBeLessThan(5);
  });
});
