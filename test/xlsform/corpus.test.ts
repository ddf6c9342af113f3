/**
 * XLSForms written the way other people write them: forms modelled on pyxform's example forms and
 * test cases and on the xlsform.org documentation (older spellings such as "select one from",
 * "list name" and "label:English" included). Some import; the others must be refused with every
 * problem placed on its sheet, row and column.
 */
import { describe, expect, it } from "vitest";
import type { Instrument } from "../../shared/instrument/schema.js";
import { importXlsform } from "../../shared/xlsform/import.js";
import { importSheets, lines } from "./build.js";

async function imported(...args: Parameters<typeof importSheets>): Promise<Instrument> {
  const result = await importSheets(...args);
  if (!result.ok) throw new Error(lines(result.issues).join("\n"));
  return result.instrument;
}

async function refused(...args: Parameters<typeof importSheets>): Promise<string[]> {
  const result = await importSheets(...args);
  if (result.ok) throw new Error("the form was imported but should have been refused");
  // Every problem is bilingual.
  for (const i of result.issues) expect(i.message.vi.length * i.message.en.length).toBeGreaterThan(0);
  return lines(result.issues);
}

describe("forms that import", () => {
  it("text and integer, English labels only, no settings sheet (pyxform's text_and_integer)", async () => {
    const instrument = await imported(
      {
        survey: [
          ["type", "name", "label:english"],
          ["text", "your_name", "What is your name?"],
          ["integer", "your_age", "How many years old are you?"],
        ],
        choices: [["list name", "name", "label:english"]],
      },
      { fileName: "text_and_integer.xlsx" },
    );
    expect(instrument.id).toBe("text-and-integer");
    expect(instrument.version).toBe("1.0.0");
    expect(instrument.sections).toHaveLength(1);
    const [name, age] = instrument.sections[0]!.items;
    expect(name).toMatchObject({ id: "your_name", type: "text", maxLength: 2000, label: { vi: "What is your name?", en: "What is your name?" } });
    expect(age).toMatchObject({ id: "your_age", type: "integer", required: false });
  });

  it("select one from a list with the older spellings (pyxform's yes_or_no_question)", async () => {
    const instrument = await imported({
      survey: [
        ["type", "name", "label:english"],
        ["select one from yes_or_no", "good_day", "have you had a good day today?"],
      ],
      choices: [
        ["list name", "name", "label:english"],
        ["yes_or_no", "yes", "yes"],
        ["yes_or_no", "no", "no"],
      ],
      settings: [
        ["form_title", "form_id"],
        ["Yes or no", "yes-or-no"],
      ],
    });
    expect(instrument.choiceLists).toEqual({
      yes_or_no: [
        { code: "yes", label: { vi: "yes", en: "yes" } },
        { code: "no", label: { vi: "no", en: "no" } },
      ],
    });
    expect(instrument.sections[0]!.items[0]).toMatchObject({ type: "single", choices: "yes_or_no" });
  });

  it("groups, relevance, constraints and required-if in XLSForm's expression language", async () => {
    const instrument = await imported({
      survey: [
        [
          "Type",
          "Name",
          "Label::English (en)",
          "Label::Tiếng Việt (vi)",
          "Hint::English (en)",
          "Required",
          "Relevant",
          "Constraint",
          "Constraint_Message::English (en)",
        ],
        ["begin group", "household", "Household", "Hộ gia đình", "", "", "", "", ""],
        ["integer", "age", "How old are you?", "Bạn bao nhiêu tuổi?", "In years", "yes", "", ". >= 18 and . <= 120", "Between 18 and 120"],
        [
          "select_multiple sources",
          "water",
          "Where does your water come from?",
          "Nước từ đâu?",
          "",
          "TRUE",
          "${age} >= 18",
          "count-selected(.) <= 2",
          "At most two",
        ],
        ["text", "water_other", "Which other source?", "Nguồn nào khác?", "", "", "selected(${water}, 'other')", "string-length(.) <= 50", ""],
        ["decimal", "distance", "Distance to the source (km)", "Khoảng cách (km)", "", "not(selected(${water}, 'piped'))", "", ". > 0", ""],
        ["date", "visit", "Date of the visit", "Ngày phỏng vấn", "", "", "", ". >= date('2024-01-01') and . <= today()", ""],
        ["note", "bye", "Thank you", "Cảm ơn", "", "", "if(${age} > 60, true(), false()) or ${distance} * 2 > 3", "", ""],
        ["end group", "", "", "", "", "", "", "", ""],
      ],
      choices: [
        ["list_name", "name", "label::English (en)", "label::Tiếng Việt (vi)"],
        ["sources", "piped", "Piped", "Nước máy"],
        ["sources", "well", "Well", "Giếng"],
        ["sources", "other", "Other", "Khác"],
      ],
      settings: [
        ["form_id", "version", "form_title"],
        ["water-2026", "2.1.0", "Nước sạch 2026"],
      ],
    });
    const [section] = instrument.sections;
    expect(section!.id).toBe("household");
    expect(section!.title).toEqual({ vi: "Hộ gia đình", en: "Household" });
    const byId = Object.fromEntries(section!.items.map((i) => [i.id, i]));
    expect(byId.age).toMatchObject({
      required: true,
      constraint: ". >= 18 and . <= 120",
      constraintMessage: { vi: "Between 18 and 120", en: "Between 18 and 120" },
      hint: { en: "In years" },
    });
    expect(byId.water).toMatchObject({ type: "multiple", required: true, relevant: "${age} >= 18", constraint: "count-selected(.) <= 2" });
    expect(byId.distance).toMatchObject({ required: "not(selected(${water}, 'piped'))" });
    // date('…') becomes the ISO text chiso compares dates with.
    expect(byId.visit).toMatchObject({ constraint: ". >= '2024-01-01' and . <= today()" });
    expect(instrument).toMatchObject({ id: "water-2026", family: "water", year: 2026, version: "2.1.0", unitLevel: "village" });
  });

  it("likert questions on a scale and a field-list grid (xlsform.org's likert and field-list examples)", async () => {
    const instrument = await imported(
      {
        survey: [
          ["type", "name", "label", "appearance"],
          ["begin group", "opinions", "Opinions", ""],
          ["select_one agree5", "overall", "Overall, services are good", "likert"],
          ["begin group", "statements", "How much do you agree?", "field-list"],
          ["select_one agree5", "staff_polite", "Staff are polite", "label"],
          ["select_one agree5", "staff_fast", "Staff are fast", "list-nolabel"],
          ["end group", "", "", ""],
          ["end group", "", "", ""],
        ],
        choices: [
          ["list_name", "name", "label", "chiso::outside"],
          ["agree5", "1", "Strongly disagree", ""],
          ["agree5", "2", "Disagree", ""],
          ["agree5", "3", "Neither", ""],
          ["agree5", "4", "Agree", ""],
          ["agree5", "5", "Strongly agree", ""],
          ["agree5", "dk", "Don't know", "yes"],
        ],
      },
      { fileName: "opinions.xlsx" },
    );
    expect(Object.keys(instrument.scales)).toEqual(["agree5"]);
    expect(instrument.scales.agree5!.points.map((p) => p.value)).toEqual([1, 2, 3, 4, 5]);
    expect(instrument.scales.agree5!.outside.map((p) => p.code)).toEqual(["dk"]);
    const [overall, grid] = instrument.sections[0]!.items;
    expect(overall).toMatchObject({ type: "rating", scale: "agree5" });
    expect(grid).toMatchObject({ type: "grid", id: "statements", scale: "agree5", rows: [{ id: "staff_polite" }, { id: "staff_fast" }] });
  });
});

describe("forms that are refused, with every problem at its sheet, row and column", () => {
  it("a repeat, a metadata field and a calculate (pyxform's loop and tutorial forms)", async () => {
    const problems = await refused(
      {
        survey: [
          ["type", "name", "label", "calculation"],
          ["start", "start", "", ""],
          ["integer", "members", "How many people live here?", ""],
          ["begin repeat", "member", "Member", ""],
          ["text", "member_name", "Name", ""],
          ["end repeat", "", "", ""],
          ["calculate", "double", "", "${members} * 2"],
        ],
      },
      { fileName: "household.xlsx" },
    );
    expect(problems).toEqual([
      expect.stringMatching(/^survey!A2 type: “start” is ODK metadata/),
      expect.stringMatching(/^survey!A4 type: Repeats are not supported/),
      expect.stringMatching(/^survey!A6 type: Repeats are not supported/),
      expect.stringMatching(/^survey!A7 type: “calculate” has no place/),
    ]);
  });

  it("choice filters, external selects, media and or_other (pyxform's cascading and external-choices cases)", async () => {
    const problems = await refused(
      {
        survey: [
          ["type", "name", "label", "choice_filter", "media::image"],
          ["select_one provinces", "province", "Province", "", ""],
          ["select_one districts", "district", "District", "province=${province}", ""],
          ["select_one_from_file villages.csv", "village", "Village", "", ""],
          ["select_one_external streets", "street", "Street", "", ""],
          ["note", "map", "Look at the map", "", "map.png"],
          ["select one from provinces or specify other", "born", "Born in", "", ""],
        ],
        choices: [
          ["list name", "name", "label", "province"],
          ["provinces", "hn", "Hà Nội", ""],
          ["districts", "bd", "Ba Đình", "hn"],
        ],
        external_choices: [
          ["list_name", "name", "label"],
          ["streets", "s1", "Street 1"],
        ],
      },
      { fileName: "cascade.xlsx" },
    );
    expect(problems).toEqual([
      expect.stringMatching(/^survey!D3 choice_filter: Cannot be kept: choice filters/),
      expect.stringMatching(/^survey!A4 type: Choices from an external file \(select_one_from_file\)/),
      expect.stringMatching(/^survey!A5 type: Choices from an external file \(select_one_external\)/),
      expect.stringMatching(/^survey!E6 media::image: Cannot be kept: media/),
      expect.stringMatching(/^survey!A7 type: “or_other” is not supported/),
      expect.stringMatching(/^external_choices! : External choice lists/),
    ]);
  });

  it("expressions chiso cannot hold, bad names, unknown lists and types, all reported at once", async () => {
    const problems = await refused(
      {
        survey: [
          ["type", "name", "label::English (en)", "label::Français (fr)", "relevant", "constraint"],
          ["text", "phone", "Phone", "Téléphone", "", "regex(., '^[0-9]{10}$')"],
          ["text", "First Name", "First name", "Prénom", "", ""],
          ["integer", "age", "Age", "Âge", "/data/phone != ''", ""],
          ["select_one colours", "colour", "Colour", "Couleur", "jr:choice-name(${age}, '${age}') = 'x'", ""],
          ["geopoint", "where", "Where", "Où", "", ""],
          ["text", "comment", "Comment", "Commentaire", "${age} >", ""],
        ],
      },
      { fileName: "mixed.xlsx" },
    );
    expect(problems).toEqual([
      expect.stringMatching(/^survey!D1 label::Français \(fr\): The language “Français \(fr\)” is not supported/),
      expect.stringMatching(/^survey!F2 constraint: The function regex\(\) is not available in chiso/),
      expect.stringMatching(/^survey!B3 name: The name “First Name” is not valid/),
      expect.stringMatching(/^survey!E4 relevant: XPath paths/),
      expect.stringMatching(/^survey!A5 type: There is no list “colours”/),
      expect.stringMatching(/^survey!A6 type: The question type “geopoint” is not supported/),
      expect.stringMatching(/^survey!E7 relevant: Syntax error at position 9: Expected an operand but found end of expression/),
    ]);
  });

  it("problems only the definition checks find are placed on their cell too", async () => {
    const problems = await refused({
      survey: [
        ["type", "name", "label", "relevant", "required"],
        ["text", "name", "Name", "", ""],
        ["integer", "name", "Age", "${nobody} = 1", ""],
        ["note", "intro", "Hello", "", ""],
        ["integer", "kids", "Children", "${intro} = 1", ""],
      ],
      settings: [
        ["form_id", "version", "chiso::unit_level"],
        ["my_form", "2024031501", "hamlet"],
      ],
    });
    expect(problems).toEqual([
      expect.stringMatching(/^settings!A2 form_id: The edition id “my_form” is not valid/),
      expect.stringMatching(/^settings!B2 version: The version “2024031501” is not valid/),
      expect.stringMatching(/^settings!C2 chiso::unit_level: The unit level “hamlet” is not valid/),
    ]);
    // With the settings right, the definition checks run and name the cells.
    const again = await refused({
      survey: [
        ["type", "name", "label", "relevant", "required"],
        ["text", "name", "Name", "", ""],
        ["integer", "name", "Age", "${nobody} = 1", ""],
        ["note", "intro", "Hello", "", ""],
        ["integer", "kids", "Children", "${intro} = 1", ""],
      ],
      settings: [
        ["form_id", "version"],
        ["my-form", "1.0.0"],
      ],
    });
    expect(again).toEqual([
      expect.stringMatching(/^survey!B3 name: .*duplicate id 'name'/),
      expect.stringMatching(/^survey!D3 relevant: .*unknown question 'nobody'/),
      expect.stringMatching(/^survey!D5 relevant: .*'intro', which is a note/),
    ]);
  });

  it("a control character pasted into a label", () => {
    // Built as plain rows: exceljs leaves such characters out when it writes a file, other programs may not.
    const result = importXlsform(
      { sheets: [{ name: "survey", header: ["type", "name", "label"], rows: [{ row: 2, cells: ["text", "name", "Họ và tên\u0007"] }] }] },
      { defaultYear: 2026, id: "bell" },
    );
    expect(result.ok ? [] : lines(result.issues)).toEqual([expect.stringMatching(/^survey!C2 label: The cell holds the control character U\+0007/)]);
  });

  it("a grid whose rows use different scales, and an unclosed group", async () => {
    const problems = await refused(
      {
        survey: [
          ["type", "name", "label", "appearance"],
          ["begin group", "s1", "Part 1", ""],
          ["begin group", "g1", "Grid", "field-list"],
          ["select_one a", "r1", "Row 1", "likert"],
          ["select_one b", "r2", "Row 2", "likert"],
          ["end group", "", "", ""],
          ["begin group", "s2", "Part 2", ""],
          ["begin group", "inner", "Inner", ""],
          ["integer", "n", "N", ""],
          ["end group", "", "", ""],
        ],
        choices: [
          ["list_name", "name", "label"],
          ["a", "1", "One"],
          ["a", "2", "Two"],
          ["b", "1", "One"],
          ["b", "2", "Two"],
        ],
      },
      { fileName: "grids.xlsx" },
    );
    expect(problems).toEqual([
      expect.stringMatching(/^survey!A2 type: This group is never closed/),
      expect.stringMatching(/^survey!A3 type: The rows of a grid must share one scale; these use: a, b/),
      // Part 1 is never closed, so Part 2 opens inside it.
      expect.stringMatching(/^survey!A7 type: A group inside a group can only be a grid/),
      expect.stringMatching(/^survey!A7 type: This group is never closed/),
      expect.stringMatching(/^survey!A8 type: A group inside a group can only be a grid/),
    ]);
  });
});
