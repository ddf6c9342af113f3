// The vendored administrative-unit registry: counts, hierarchy, crosswalk, search over real names,
// byte-identical rebuild from shared/data, and the village/agency CSV imports.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_DATA_DIR, GENERATED_FILES, buildUnitFiles } from "../../scripts/build-units.js";
import { loadVendoredUnits, parseAgencyCsv, parseVillageCsv, type UnitRecord, type VendoredUnits } from "../../server/units/registry-data.js";
import { foldVietnamese } from "../../shared/i18n.js";
import { buildUnitSearchIndex, searchUnits, unitSearchForm } from "../../shared/units/search.js";

let data: VendoredUnits;
let byKey: Map<string, UnitRecord>;
beforeAll(() => {
  data = loadVendoredUnits();
  byKey = new Map(data.units.map((u) => [u.key, u]));
});

const count = (pred: (u: UnitRecord) => boolean) => data.units.filter(pred).length;

describe("vendored units", () => {
  it("has the two registries with their validity", () => {
    expect(data.registries.map((r) => [r.id, r.validFrom, r.validTo])).toEqual([
      ["pre2025", "2008-08-01", "2025-06-30"],
      ["2025", "2025-07-01", null],
    ]);
    const bad = data.units.filter((u) => {
      const r = data.registries.find((x) => x.id === u.registry)!;
      return u.validFrom !== r.validFrom || u.validTo !== r.validTo;
    });
    expect(bad).toEqual([]);
  });

  it("has 63 / 696 / 10,047 units before 2025", () => {
    const pre = (level: string) => count((u) => u.registry === "pre2025" && u.level === level);
    expect([pre("province"), pre("district"), pre("commune")]).toEqual([63, 696, 10_047]);
  });

  it("has 34 / 3,321 units from 2025: 2,611 Xã, 697 Phường, 13 Đặc khu, no districts", () => {
    const post = (pred: (u: UnitRecord) => boolean) => count((u) => u.registry === "2025" && pred(u));
    expect(post((u) => u.level === "province")).toBe(34);
    expect(post((u) => u.level === "district")).toBe(0);
    expect(post((u) => u.level === "commune")).toBe(3_321);
    expect(post((u) => u.level === "commune" && u.type === "Xã")).toBe(2_611);
    expect(post((u) => u.level === "commune" && u.type === "Phường")).toBe(697);
    expect(post((u) => u.level === "commune" && u.type === "Đặc khu")).toBe(13);
  });

  it("agrees with the counts recorded in registries.json", () => {
    for (const r of data.registries) {
      for (const [level, n] of Object.entries(r.counts)) expect(count((u) => u.registry === r.id && u.level === level)).toBe(n);
    }
  });

  it("has unique keys of the form <registry>:<GSO code>", () => {
    expect(byKey.size).toBe(data.units.length);
    const width = { province: 2, district: 3, commune: 5 } as Record<string, number>;
    const bad = data.units.filter((u) => u.key !== `${u.registry}:${u.code}` || !new RegExp(`^\\d{${width[u.level]}}$`).test(u.code));
    expect(bad).toEqual([]);
    expect(byKey.get("2025:01")?.name).toBe("Hà Nội");
    expect(byKey.get("pre2025:001")?.fullName).toBe("Quận Ba Đình");
  });

  it("links every unit to an existing parent one level up, in the same registry", () => {
    const parentLevel: Record<string, Record<string, string | null>> = {
      pre2025: { province: null, district: "province", commune: "district" },
      "2025": { province: null, commune: "province" },
    };
    const bad = data.units.filter((u) => {
      const expected = parentLevel[u.registry]![u.level];
      if (expected === null) return u.parentKey !== null;
      const parent = byKey.get(u.parentKey ?? "");
      return !parent || parent.level !== expected || parent.registry !== u.registry;
    });
    expect(bad).toEqual([]);
  });

  it("stores clean names: NFC, single spaces, full name = type + name", () => {
    const clean = (s: string) => s === s.normalize("NFC") && s === s.replace(/\s+/g, " ").trim() && s !== "";
    const bad = data.units.filter((u) => ![u.name, u.fullName, ...(u.formerNames ?? [])].every(clean) || u.fullName !== `${u.type} ${u.name}`);
    expect(bad).toEqual([]);
    expect(data.units.filter((u) => u.registry === "2025").every((u) => typeof u.nameEn === "string" && u.nameEn !== "")).toBe(true);
    expect(byKey.get("2025:79")).toMatchObject({ name: "Hồ Chí Minh", fullName: "Thành phố Hồ Chí Minh", type: "Thành phố", nameEn: "Ho Chi Minh" });
    expect(byKey.get("pre2025:27046")).toMatchObject({ fullName: "Phường 5", type: "Phường" });
  });

  it("finds Hà Nội and Thừa Thiên Huế by folded name", () => {
    const folded = (name: string) => data.units.filter((u) => [u.name, ...(u.formerNames ?? [])].some((n) => foldVietnamese(n) === name)).map((u) => u.key);
    expect(folded("ha noi")).toEqual(expect.arrayContaining(["pre2025:01", "2025:01"]));
    expect(folded("thua thien hue")).toEqual(["pre2025:46"]);
    expect(folded("hue")).toEqual(expect.arrayContaining(["pre2025:46", "2025:46"]));
  });
});

describe("crosswalk pre2025 → 2025", () => {
  it("refers only to units of the right registries, at matching levels", () => {
    const bad = data.crosswalk.filter((l) => {
      const from = byKey.get(l.fromKey);
      const to = byKey.get(l.toKey);
      return (
        from?.registry !== "pre2025" ||
        to?.registry !== "2025" ||
        from.level !== l.level ||
        to.level !== (l.level === "province" ? "province" : "commune") ||
        (l.kind !== "full" && l.kind !== "partial")
      );
    });
    expect(bad).toEqual([]);
    expect(new Set(data.crosswalk.map((l) => `${l.fromKey}>${l.toKey}`)).size).toBe(data.crosswalk.length);
  });

  it("maps every old commune to at least one new commune, and every old province to one new province", () => {
    const targets = new Map<string, string[]>();
    for (const l of data.crosswalk) targets.set(l.fromKey, [...(targets.get(l.fromKey) ?? []), l.toKey]);
    const pre = data.units.filter((u) => u.registry === "pre2025");
    expect(pre.filter((u) => u.level === "commune" && (targets.get(u.key)?.length ?? 0) < 1)).toEqual([]);
    expect(pre.filter((u) => u.level === "province" && targets.get(u.key)?.length !== 1)).toEqual([]);
    const reached = new Set(data.crosswalk.map((l) => l.toKey));
    expect(data.units.filter((u) => u.registry === "2025" && !reached.has(u.key))).toEqual([]);
    expect(targets.get("pre2025:46")).toEqual(["2025:46"]);
    expect(targets.get("pre2025:33")).toEqual(["2025:33"]);
    expect(targets.get("pre2025:34")).toEqual(["2025:33"]); // Thái Bình → Hưng Yên
    expect(targets.get("pre2025:49")).toEqual(["2025:48"]); // Quảng Nam → Đà Nẵng
  });

  it("keeps the recorded counts and the corrected link", () => {
    const of = (level: string, kind: string) => data.crosswalk.filter((l) => l.level === level && l.kind === kind).length;
    expect([of("province", "full"), of("commune", "full"), of("commune", "partial"), of("district", "full")]).toEqual([63, 9_587, 1_012, 5]);
    const tanPhu = data.crosswalk.filter((l) => l.fromKey === "pre2025:30622").map((l) => l.toKey);
    expect(tanPhu).toEqual(["2025:30604"]);
  });
});

describe("search over the real registry", () => {
  it("ranks the expected unit first", () => {
    const parents = new Map(data.units.map((u) => [u.key, u.name]));
    const entries = data.units.map((u) => ({ ...u, parentName: u.parentKey ? parents.get(u.parentKey) : undefined }));
    const index = buildUnitSearchIndex(entries);
    const top = (q: string, level?: string) => searchUnits(index, q, { level })[0]?.unit.key;
    expect(
      searchUnits(index, "ha noi", { limit: 2 })
        .map((h) => h.unit.key)
        .sort(),
    ).toEqual(["2025:01", "pre2025:01"]);
    expect(top("thua thien hue")).toBe("pre2025:46");
    expect(top("hue", "province")).toMatch(/^(2025|pre2025):46$/);
    expect(top("phuong ba dinh")).toMatch(/:00004$/);
    expect(top("00004")).toMatch(/^(2025|pre2025):00004$/);
    expect(top("quan ba dinh")).toBe("pre2025:001");
  });

  it("folds every real name exactly as foldVietnamese would", () => {
    const reference = (s: string) =>
      foldVietnamese(s.replace(/['’ʼ‘`]/g, ""))
        .replace(/[^\p{L}\p{N}]+/gu, " ")
        .trim();
    const differing = data.units.flatMap((u) => [u.name, u.fullName, ...(u.formerNames ?? [])]).filter((s) => unitSearchForm(s) !== reference(s));
    expect(differing).toEqual([]);
  });
});

const dataPresent = existsSync(DEFAULT_DATA_DIR);
describe("build script", () => {
  it.skipIf(!dataPresent)(`regenerates byte-identical files from ${dataPresent ? DEFAULT_DATA_DIR : "../shared/data (absent here: skipped)"}`, () => {
    const { files } = buildUnitFiles(DEFAULT_DATA_DIR);
    for (const name of GENERATED_FILES) {
      const vendored = readFileSync(fileURLToPath(new URL(`../../server/units/data/${name}`, import.meta.url)), "utf8");
      expect(files[name] === vendored, `${name} differs: run npx tsx scripts/build-units.ts`).toBe(true);
    }
  });
});

describe("village CSV import", () => {
  const registry = { id: "2025", validFrom: "2025-07-01", validTo: null };
  let known: Set<string>;
  beforeAll(() => {
    known = new Set(data.units.map((u) => u.key));
  });

  it("reads a BOM, ';' separators, quoted fields and CRLF line ends", () => {
    const csv = '\uFEFFcommune_code;village_code;name\r\n00004;T01;"Tổ dân phố 1; khu ""A"""\r\n4;T02;  Thôn   Đông  \r\n';
    const { units, errors } = parseVillageCsv(csv, registry, known);
    expect(errors).toEqual([]);
    expect(units).toEqual([
      {
        registry: "2025",
        code: "00004-T01",
        key: "2025:00004-T01",
        level: "village",
        name: 'Tổ dân phố 1; khu "A"',
        fullName: 'Tổ dân phố 1; khu "A"',
        type: "",
        parentKey: "2025:00004",
        validFrom: "2025-07-01",
        validTo: null,
      },
      expect.objectContaining({ key: "2025:00004-T02", name: "Thôn Đông", parentKey: "2025:00004" }),
    ]);
  });

  it("reads ',' separators, line breaks inside quotes, NFC-normalises names and uses an optional type column", () => {
    const decomposed = "Tha\u0300nh Công".normalize("NFD");
    const csv = `name,commune_code,village_code,type\n"${decomposed}\nBắc",00004,1,Thôn\n${decomposed},00004,2,\n`;
    const { units, errors } = parseVillageCsv(csv, registry, known);
    expect(errors).toEqual([]);
    expect(units.map((u) => [u.code, u.name, u.fullName, u.type])).toEqual([
      ["00004-1", "Thành Công Bắc", "Thôn Thành Công Bắc", "Thôn"],
      ["00004-2", "Thành Công", "Thành Công", ""],
    ]);
    expect(units[0]!.name).toBe(units[0]!.name.normalize("NFC"));
  });

  it("reports bad rows by line and field and keeps the good ones", () => {
    const csv = [
      "commune_code,village_code,name", // line 1
      "00004,T1,Thôn Một", // 2: fine
      "99999,T1,Thôn Hai", // 3: unknown commune
      "00004,,Thôn Ba", // 4: missing village code
      "00004,T 4,Thôn Bốn", // 5: bad village code
      "00004,T5,", // 6: missing name
      "abc,T6,Thôn Sáu", // 7: bad commune code
      "", // 8: blank, skipped
      "00004,T1,Thôn Một lần nữa", // 9: duplicate
      '00004,T7,"Thôn\nBảy"', // 10–11: fine, spans two lines
      "00004,T8,Thôn Tám", // 12: fine
    ].join("\n");
    const { units, errors } = parseVillageCsv(csv, registry, known);
    expect(units.map((u) => u.code)).toEqual(["00004-T1", "00004-T7", "00004-T8"]);
    expect(errors.map((e) => [e.line, e.field, e.code])).toEqual([
      [3, "commune_code", "unit_not_found"],
      [4, "village_code", "required"],
      [5, "village_code", "invalid_field"],
      [6, "name", "required"],
      [7, "commune_code", "invalid_field"],
      [9, "village_code", "invalid_field"],
    ]);
    for (const e of errors) {
      expect(e.message_vi.length).toBeGreaterThan(0);
      expect(e.message_en.length).toBeGreaterThan(0);
    }
    expect(errors[0]!.message_vi).toContain("99999");
  });

  it("rejects a file without the required header or with an open quote", () => {
    expect(parseVillageCsv("ma_xa,ten\n00004,Thôn A\n", registry, known).errors.map((e) => [e.line, e.field])).toEqual([
      [1, "commune_code"],
      [1, "village_code"],
      [1, "name"],
    ]);
    expect(parseVillageCsv("", registry, known).errors).toHaveLength(1);
    const open = parseVillageCsv('commune_code,village_code,name\n00004,T1,"Thôn A\n', registry, known);
    expect(open.units).toEqual([]);
    expect(open.errors.map((e) => e.line)).toEqual([2]);
  });

  it("checks the commune against the chosen registry", () => {
    const pre = { id: "pre2025", validFrom: "2008-08-01", validTo: "2025-06-30" };
    // 00001 (Phúc Xá) existed before 2025 only.
    expect(parseVillageCsv("commune_code,village_code,name\n00001,1,Tổ 1\n", pre, known).errors).toEqual([]);
    expect(parseVillageCsv("commune_code,village_code,name\n00001,1,Tổ 1\n", registry, known).errors[0]?.field).toBe("commune_code");
  });
});

describe("agency CSV import", () => {
  const registry = { id: "2025", validFrom: "2025-07-01", validTo: null };

  it("imports agencies under their province and reports bad rows", () => {
    const known = new Set(loadVendoredUnits().units.map((u) => u.key));
    const csv = "agency_code;name;province_code\nSNV;Sở Nội vụ;46\nUB;Ủy ban nhân dân tỉnh;1\nX;Sở Tài chính;99\n;Sở Y tế;46\n";
    const { units, errors } = parseAgencyCsv(csv, registry, known);
    expect(units.map((u) => [u.key, u.level, u.name, u.parentKey])).toEqual([
      ["2025:A-SNV", "agency", "Sở Nội vụ", "2025:46"],
      ["2025:A-UB", "agency", "Ủy ban nhân dân tỉnh", "2025:01"],
    ]);
    expect(errors.map((e) => [e.line, e.field])).toEqual([
      [4, "province_code"],
      [5, "agency_code"],
    ]);
  });
});
