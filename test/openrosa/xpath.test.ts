/** chiso expressions written as XForm XPath: references become absolute instance paths. */
import { describe, expect, it } from "vitest";
import { toXPath, xpathString } from "../../server/openrosa/xpath.js";

const paths: Record<string, string> = { a: "/data/s/a", b: "/data/s/g/b", c: "/data/t/c" };
const x = (source: string) => toXPath(source, (name) => paths[name]);

describe("expressions as XPath", () => {
  it("writes references as absolute paths and keeps operators and functions", () => {
    expect(x("${a} = 'yes'")).toBe("/data/s/a = 'yes'");
    expect(x("${a} = 'full' or ${a} = 'partial'")).toBe("/data/s/a = 'full' or /data/s/a = 'partial'");
    expect(x("selected(${b}, 'other') and not(${c} != 'never')")).toBe("selected(/data/s/g/b, 'other') and not(/data/t/c != 'never')");
    expect(x(". >= 18 and . <= 100")).toBe(". >= 18 and . <= 100");
    expect(x("${a} / 2 > 1")).toBe("/data/s/a div 2 > 1");
    expect(x("count-selected(${b}) >= if(${c} = 1, 2, 3)")).toBe("count-selected(/data/s/g/b) >= if(/data/t/c = 1, 2, 3)");
    expect(x("${a} - (${b} - ${c})")).toBe("/data/s/a - (/data/s/g/b - /data/t/c)");
  });
  it("nests coalesce, which takes two arguments in ODK", () => {
    expect(x("coalesce(${a}, ${b}, ${c})")).toBe("coalesce(/data/s/a, coalesce(/data/s/g/b, /data/t/c))");
  });
  it("quotes text in the quote mark it lacks", () => {
    expect(xpathString("it's")).toBe(`"it's"`);
    expect(xpathString(`a'b"c`)).toBe(`concat('a', "'", 'b"c')`);
  });
});
