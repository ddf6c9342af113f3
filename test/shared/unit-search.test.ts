// Unit search: diacritic-insensitive names, code prefixes, ranking and level filter; units found by
// the names of the units above them; and the real registry's ranking for "Huế".
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PROVINCE, startTestServer, type TestServer } from "../helpers/server.js";
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
    const reference = (s: string) =>
      foldVietnamese(s.replace(/['’ʼ‘`]/g, ""))
        .replace(/[^\p{L}\p{N}]+/gu, " ")
        .trim();
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

  it("answers a query over 15,000 units within a keystroke (a bound that catches a quadratic search, not a benchmark: those live in bench/)", () => {
    const syllables = [
      "an",
      "bình",
      "châu",
      "đông",
      "hà",
      "hòa",
      "khánh",
      "long",
      "minh",
      "nam",
      "phú",
      "quang",
      "sơn",
      "tân",
      "thành",
      "trung",
      "vĩnh",
      "xuân",
      "yên",
      "lộc",
    ];
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
    // ~1 ms on an idle machine; generous so that a loaded CI machine does not fail it.
    expect(perQuery).toBeLessThan(25);
  });
});

describe("searching by an ancestor's name", () => {
  // Huế (formerly Thừa Thiên Huế) → Phường Kim Long, Phường Phú Xuân → villages; and a namesake far away.
  const hue = ["Huế", "Thừa Thiên Huế"];
  const tree: UnitSearchEntry[] = [
    { key: "p:46", code: "46", name: "Huế", fullName: "Thành phố Huế", level: "province", formerNames: ["Thừa Thiên Huế"] },
    { key: "c:1", code: "20002", name: "Kim Long", fullName: "Phường Kim Long", level: "commune", parentName: "Thành phố Huế", ancestorNames: hue },
    { key: "c:2", code: "20001", name: "Phú Xuân", fullName: "Phường Phú Xuân", level: "commune", parentName: "Thành phố Huế", ancestorNames: hue },
    {
      key: "v:1",
      code: "v1",
      name: "Thôn mẫu 1",
      fullName: "Thôn mẫu 1, Phường Kim Long",
      level: "village",
      parentName: "Phường Kim Long",
      ancestorNames: ["Kim Long", ...hue],
    },
    {
      key: "v:2",
      code: "v2",
      name: "Thôn mẫu 2",
      fullName: "Thôn mẫu 2, Phường Phú Xuân",
      level: "village",
      parentName: "Phường Phú Xuân",
      ancestorNames: ["Phú Xuân", ...hue],
    },
    {
      key: "c:9",
      code: "24373",
      name: "Ea Kar",
      fullName: "Xã Ea Kar",
      level: "commune",
      parentName: "Tỉnh Đắk Lắk",
      formerNames: ["Cư Huê"],
      ancestorNames: ["Đắk Lắk"],
    },
  ];
  const idx = buildUnitSearchIndex(tree);
  const found = (q: string, options?: Parameters<typeof searchUnits>[2]) => searchUnits(idx, q, options).map((h) => h.unit.key);

  it("a province's name, current or former, finds the communes and villages under it", () => {
    expect(
      found("Huế", { level: ["commune", "village"] })
        .slice(0, 4)
        .sort(),
    ).toEqual(["c:1", "c:2", "v:1", "v:2"]);
    expect(found("thua thien hue", { level: "village" }).sort()).toEqual(["v:1", "v:2"]);
    expect(searchUnits(idx, "hue", { level: "commune" })[0]?.match).toBe("within");
  });

  it("words of the unit and of its ancestors narrow together", () => {
    expect(found("kim long huế", { level: "village" })).toEqual(["v:1"]);
    expect(found("kim long hue")[0]).toBe("c:1");
    expect(found("thon mau hue", { level: "village" }).sort()).toEqual(["v:1", "v:2"]);
  });

  it("ranks a unit's own exact and prefix names first, then units under it, then a word inside a former name", () => {
    const hits = searchUnits(idx, "Huế");
    expect(hits[0]).toMatchObject({ unit: { key: "p:46" }, match: "exact" });
    const eaKar = hits.findIndex((h) => h.unit.key === "c:9");
    expect(eaKar).toBe(hits.length - 1);
    expect(hits[eaKar]?.match).toBe("word-prefix");
  });
});

describe("the unit directory over the real 2025 registry", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("sqlite");
  });
  afterAll(async () => {
    await server?.close();
  });

  it("“Huế” puts the province and units of Huế before any namesake elsewhere (no Xã Ea Kar among the first hits)", () => {
    const hits = server.ctx.units.search("2025", "Huế", { limit: 20 });
    expect(hits[0]?.unit.key).toBe(DEMO_PROVINCE);
    expect(hits.map((h) => h.unit.fullName)).not.toContain("Xã Ea Kar");
    for (const h of hits) expect(server.ctx.units.isWithin(h.unit.key, DEMO_PROVINCE), h.unit.fullName).toBe(true);
  });

  it("within a round's scope, “huế”, “Thừa Thiên Huế” and “kim long huế” find its villages, each with its path", () => {
    for (const q of ["huế", "Thừa Thiên Huế", "kim long huế", "thon mau hue"]) {
      const hits = server.ctx.units.search("2025", q, { level: "village", within: DEMO_PROVINCE, limit: 20 });
      expect(hits.length, q).toBeGreaterThan(0);
      for (const h of hits) expect(server.ctx.units.isWithin(h.unit.key, DEMO_PROVINCE)).toBe(true);
    }
    const kimLong = server.ctx.units.search("2025", "kim long huế", { level: "village", within: DEMO_PROVINCE });
    for (const h of kimLong) expect(server.ctx.units.lineage(h.unit.key).map((u) => u.name)).toContain("Kim Long");
  });

  it("browsing lists the units under one unit, each saying whether it opens further", async () => {
    const res = await fetch(`${server.url}/api/units/${encodeURIComponent(DEMO_PROVINCE)}/children`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { unit: { fullName: string }; children: Array<{ name: string; level: string; children: number }> };
    expect(body.unit.fullName).toBe("Thành phố Huế");
    expect(body.children.some((c) => c.name === "Kim Long" && c.level === "commune")).toBe(true);
    expect((await fetch(`${server.url}/api/units/nowhere/children`)).status).toBe(404);
  });
});
