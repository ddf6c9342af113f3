/**
 * Every questionnaire definition in surveys/ validates (instrument, index, and their fit), and a
 * broken file fails with its file, the path inside it and the reason.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadEdition, loadSurveys, DefinitionError } from "../server/instruments/load.js";
import { REPO_ROOT } from "../server/config.js";
import { answerableQuestions } from "../shared/instrument/walk.js";

const surveysDir = path.join(REPO_ROOT, "surveys");
const editions = fs
  .readdirSync(surveysDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

describe("surveys/", () => {
  it("holds the three 2022 survey editions and the PAR INDEX self-assessment", () => {
    expect(editions.sort()).toEqual(["papi-2022", "par-index-2022", "par-leaders-2022", "sipas-2022"]);
  });

  it.each(editions)("%s validates", (name) => {
    const { edition, problems } = loadEdition(path.join(surveysDir, name));
    expect(problems).toEqual([]);
    // A survey edition has its index; the self-assessment has the composite PAR INDEX instead.
    expect(edition?.index ?? edition?.parIndex).toBeTruthy();
    // Every string of a definition is NFC: diacritics are stored one way only.
    const text = fs.readFileSync(path.join(surveysDir, name, "instrument.json"), "utf8");
    expect(text).toBe(text.normalize("NFC"));
  });

  it("has the structures the domain requires", () => {
    const all = loadSurveys(surveysDir);
    const byId = Object.fromEntries(all.map((e) => [e.instrument.id, e]));
    const count = (id: string, level: string) => {
      const walk = (n: { level: string; children?: unknown[] }): number =>
        (n.level === level ? 1 : 0) + ((n.children ?? []) as Array<typeof n>).reduce((s, c) => s + walk(c), 0);
      return walk(byId[id]!.index!.root);
    };
    expect(count("sipas-2022", "group")).toBe(2);
    expect(count("sipas-2022", "component")).toBe(9);
    expect(count("sipas-2022", "item")).toBe(33);
    expect(count("par-leaders-2022", "item")).toBe(22);
    expect(byId["par-leaders-2022"]!.instrument.respondentGroups).toHaveLength(4);
    expect(count("papi-2022", "dimension")).toBe(8);
    expect(count("papi-2022", "subdimension")).toBe(28);
    expect(byId["papi-2022"]!.index!.root.max).toBe(80);
    expect(answerableQuestions(byId["sipas-2022"]!.instrument).length).toBeGreaterThan(33);
  });
});

describe("a broken definition", () => {
  function brokenCopy(mutate: (instrument: any) => void): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chiso-survey-"));
    const target = path.join(dir, "sipas-2022");
    fs.cpSync(path.join(surveysDir, "sipas-2022"), target, { recursive: true });
    const file = path.join(target, "instrument.json");
    const json = JSON.parse(fs.readFileSync(file, "utf8"));
    mutate(json);
    fs.writeFileSync(file, JSON.stringify(json));
    return target;
  }

  it("names the file, the path and the reason", () => {
    const dir = brokenCopy((i) => {
      delete i.sections[0].title.en;
    });
    const { problems } = loadEdition(dir);
    expect(problems[0]).toMatchObject({ file: path.join(dir, "instrument.json"), path: "sections.0.title.en" });
    expect(problems[0]!.reason).toBeTruthy();
    expect(() => loadSurveys(path.dirname(dir))).toThrow(DefinitionError);
  });

  it("reports a reference to an unknown question and a syntax error with its position", () => {
    const dir = brokenCopy((i) => {
      const q = i.sections.flatMap((s: any) => s.items).find((it: any) => it.type === "single");
      q.relevant = "${no_such_question} = 'x'";
      const q2 = i.sections.flatMap((s: any) => s.items).filter((it: any) => it.type === "single")[1];
      q2.relevant = "${a} = ";
    });
    const reasons = loadEdition(dir)
      .problems.map((p) => p.reason)
      .join("\n");
    expect(reasons).toMatch(/no_such_question/);
    expect(reasons).toMatch(/position|column|at \d+/i);
  });

  it("reports an index item bound to a question that is gone", () => {
    const dir = brokenCopy((i) => {
      for (const s of i.sections) for (const it of s.items) if (it.type === "grid") it.rows = it.rows.filter((r: any) => r.id !== "s1_1_1");
    });
    const problems = loadEdition(dir).problems;
    expect(problems.some((p) => p.file.endsWith("index.json") && /s1_1_1/.test(p.reason))).toBe(true);
  });
});
