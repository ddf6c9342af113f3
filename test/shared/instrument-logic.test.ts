// Unit tests for instrument definition checks, form logic (relevance, required) and answer validation.
import { describe, expect, it } from "vitest";
import {
  answerableQuestions,
  checkInstrument,
  choicesOf,
  formState,
  itemById,
  questionById,
  relevantAnswers,
  validateAnswers,
  type Instrument,
} from "../../shared/instrument/index.js";

const T = (s: string) => ({ vi: s, en: s });

/** A definition as an author writes it (before defaults), with the given sections. */
function definition(sections: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "test-2024",
    family: "test",
    version: "1.0.0",
    year: 2024,
    title: T("Khảo sát thử"),
    intro: T("Giới thiệu"),
    unitLevel: "province",
    respondentGroups: [{ code: "citizen", label: T("Người dân") }],
    scales: {
      sat5: {
        label: T("Mức độ hài lòng"),
        points: [1, 2, 3, 4, 5].map((v) => ({ code: String(v), label: T(`Mức ${v}`), value: v })),
        outside: [{ code: "dk", label: T("Không biết") }],
      },
    },
    choiceLists: {
      yesno: [
        { code: "1", label: T("Có") },
        { code: "2", label: T("Không") },
      ],
    },
    sections,
    ...extra,
  };
}

function build(sections: unknown[], extra: Record<string, unknown> = {}): Instrument {
  const result = checkInstrument(definition(sections, extra));
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.path}: ${e.message}`).join("\n"));
  return result.instrument;
}

function problems(sections: unknown[], extra: Record<string, unknown> = {}) {
  const result = checkInstrument(definition(sections, extra));
  if (result.ok) throw new Error("expected the definition to be rejected");
  return result.errors;
}

const section = (id: string, items: unknown[], more: Record<string, unknown> = {}) => ({ id, title: T(id), items, ...more });
const q = (id: string, type: string, more: Record<string, unknown> = {}) => ({ id, type, label: T(id), ...more });

/** A household survey: consent gates everything, with a grid, a chained follow-up and range checks. */
const survey = build([
  section("s_intro", [
    q("intro_note", "note"),
    q("consent", "single", { choices: "yesno", required: true }),
    q("age", "integer", { min: 18, max: 70, required: true, relevant: "${consent} = 1" }),
  ]),
  section(
    "s_main",
    [
      q("used_service", "single", { choices: "yesno", required: true }),
      q("visits", "integer", { min: 1, relevant: "${used_service} = 1", required: true }),
      q("visits_more", "text", { maxLength: 10, relevant: "${visits} > 3" }),
      q("channels", "multiple", {
        choices: [
          { code: "web", label: T("Web") },
          { code: "office", label: T("Văn phòng") },
          { code: "phone", label: T("Điện thoại") },
        ],
        maxSelected: 2,
      }),
      q("channel_other", "text", { maxLength: 200, required: "count-selected(${channels}) = 0" }),
      q("wait_hours", "decimal", {
        min: 0,
        constraint: ". <= ${visits} * 24",
        constraintMessage: { vi: "Thời gian chờ quá dài.", en: "Waiting time is too long." },
      }),
      q("visit_date", "date", { min: "2024-01-01", max: "2024-12-31" }),
      q("rating", "rating", { scale: "sat5" }),
      q("odd", "integer", { constraint: ". mod 2 = 1" }),
      {
        type: "grid",
        id: "g_staff",
        label: T("Công chức"),
        scale: "sat5",
        relevant: "${used_service} = 1",
        rows: [
          { id: "staff_polite", label: T("Lịch sự"), required: true },
          { id: "staff_helpful", label: T("Tận tình"), relevant: "${visits} >= 2" },
        ],
      },
    ],
    { relevant: "${consent} = 1" },
  ),
]);

const valid = { consent: "1", age: 30, used_service: "1", visits: 2, channels: ["web"], staff_polite: "4" };

const codes = (answers: unknown) => validateAnswers(survey, answers).map((e) => [e.question, e.code]);

describe("walk", () => {
  it("flattens sections and grids in order, grid rows as ratings with the grid's scale", () => {
    const flat = answerableQuestions(survey);
    expect(flat.map((it) => it.question.id)).toEqual([
      "consent",
      "age",
      "used_service",
      "visits",
      "visits_more",
      "channels",
      "channel_other",
      "wait_hours",
      "visit_date",
      "rating",
      "odd",
      "staff_polite",
      "staff_helpful",
    ]);
    const row = flat.find((it) => it.question.id === "staff_helpful")!;
    expect(row.question).toMatchObject({ type: "rating", scale: "sat5", required: false });
    expect(row.grid?.id).toBe("g_staff");
    expect(row.relevance).toEqual(["${consent} = 1", "${used_service} = 1", "${visits} >= 2"]);
    expect(row.path).toBe("sections.1.items.9.rows.1");
  });

  it("maps ids to questions, notes only in the item map", () => {
    expect(questionById(survey).get("staff_polite")?.type).toBe("rating");
    expect(questionById(survey).has("intro_note")).toBe(false);
    expect(questionById(survey).has("g_staff")).toBe(false);
    expect(itemById(survey).get("intro_note")?.question.type).toBe("note");
  });

  it("resolves choices from lists and scales (points, then outside codes)", () => {
    const get = (id: string) => questionById(survey).get(id)!;
    expect(choicesOf(survey, get("consent")).map((c) => c.code)).toEqual(["1", "2"]);
    expect(choicesOf(survey, get("staff_polite")).map((c) => c.code)).toEqual(["1", "2", "3", "4", "5", "dk"]);
    expect(choicesOf(survey, get("channels")).map((c) => c.code)).toEqual(["web", "office", "phone"]);
    expect(choicesOf(survey, get("age"))).toEqual([]);
  });
});

describe("checkInstrument", () => {
  it("accepts a good definition and applies defaults", () => {
    expect(questionById(survey).get("rating")).toMatchObject({ required: false, demographic: false });
  });

  it("reports schema problems with dotted paths, through the question/grid union", () => {
    const errors = problems([section("s1", [q("q1", "text", { maxLength: 5 }), q("q2", "integer", { label: { vi: "x" } })])]);
    expect(errors).toEqual([{ path: "sections.0.items.1.label.en", message: expect.stringMatching(/expected string/) }]);
    const gridRow = problems([section("s1", [{ type: "grid", id: "g", label: T("g"), scale: "sat5", rows: [{ id: "r", label: T("r"), colour: 1 }] }])]);
    expect(gridRow.map((e) => e.path)).toEqual(["sections.0.items.0.rows.0"]);
    const badType = problems([section("s1", [q("q1", "slider")])]);
    expect(badType).toEqual([{ path: "sections.0.items.0.type", message: expect.stringContaining("'grid'") }]);
    expect(problems([section("s1", [q("q1", "text", { maxLength: 5 })])], { version: "1.0" })[0]?.path).toBe("version");
  });

  it("reports duplicate ids across sections, grids and questions", () => {
    const errors = problems([
      section("s1", [q("q1", "text", { maxLength: 5 }), q("q1", "integer")]),
      section("s2", [
        {
          type: "grid",
          id: "s1",
          label: T("g"),
          scale: "sat5",
          rows: [
            { id: "q2", label: T("r") },
            { id: "q2", label: T("r") },
          ],
        },
      ]),
    ]);
    expect(errors.map((e) => e.path)).toEqual(["sections.0.items.1.id", "sections.1.items.0.id", "sections.1.items.0.rows.1.id"]);
    expect(errors[1]?.message).toMatch(/duplicate id 's1'.*section at sections\.0/);
  });

  it("reports unknown scales and choice lists, and duplicate codes", () => {
    const errors = problems(
      [
        section("s1", [
          q("q1", "rating", { scale: "nope" }),
          q("q2", "single", { choices: "missing" }),
          q("q3", "multiple", {
            choices: [
              { code: "a", label: T("a") },
              { code: "a", label: T("b") },
            ],
          }),
          { type: "grid", id: "g", label: T("g"), scale: "other", rows: [{ id: "r", label: T("r") }] },
        ]),
      ],
      {
        choiceLists: {
          yesno: [
            { code: "1", label: T("Có") },
            { code: "1", label: T("Không") },
          ],
        },
        respondentGroups: [
          { code: "a", label: T("a") },
          { code: "a", label: T("b") },
        ],
      },
    );
    expect(errors.map((e) => [e.path, e.message])).toEqual([
      ["respondentGroups.1.code", expect.stringMatching(/duplicate respondent group code 'a'/)],
      ["choiceLists.yesno.1.code", expect.stringMatching(/duplicate code '1'/)],
      ["sections.0.items.0.scale", "unknown scale 'nope'"],
      ["sections.0.items.1.choices", "unknown choice list 'missing'"],
      ["sections.0.items.2.choices.1.code", expect.stringMatching(/duplicate code 'a'/)],
      ["sections.0.items.3.scale", "unknown scale 'other'"],
    ]);
  });

  it("checks scales: codes unique across points and outside, values increasing", () => {
    const errors = problems([section("s1", [q("q1", "rating", { scale: "bad" })])], {
      scales: {
        bad: {
          label: T("bad"),
          points: [
            { code: "1", label: T("1"), value: 2 },
            { code: "2", label: T("2"), value: 1 },
          ],
          outside: [{ code: "1", label: T("dk") }],
        },
      },
    });
    expect(errors.map((e) => e.path)).toEqual(["scales.bad.outside.0.code", "scales.bad.points.1.value"]);
  });

  it("checks min ≤ max and real calendar dates", () => {
    const errors = problems([
      section("s1", [
        q("n", "integer", { min: 5, max: 4 }),
        q("x", "decimal", { min: 1.5, max: 1.5 }),
        q("d", "date", { min: "2024-02-30", max: "2023-01-01" }),
      ]),
    ]);
    expect(errors.map((e) => e.path)).toEqual(["sections.0.items.0.max", "sections.0.items.2.min", "sections.0.items.2.max"]);
  });

  it("reports syntax errors with the expression's path and position", () => {
    const errors = problems([section("s1", [q("q1", "integer"), q("q2", "integer", { relevant: "${q1} = " })])]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.path).toBe("sections.0.items.1.relevant");
    expect(errors[0]!.message).toMatch(/^syntax error at position 8: expected an operand but found end of expression/);
    const unknownFn = problems([section("s1", [q("q1", "integer", { constraint: "foo(.)" })])]);
    expect(unknownFn[0]).toMatchObject({ path: "sections.0.items.0.constraint", message: expect.stringMatching(/position 0: expected a known function/) });
  });

  it("reports references to unknown questions, notes, grids and sections", () => {
    const errors = problems([
      section("s1", [
        q("n1", "note"),
        q("q1", "integer", { relevant: "${nope} = 1" }),
        q("q2", "integer", { required: "${n1} = 1" }),
        q("q3", "integer", { constraint: ". > ${g} + ${s1}" }),
        { type: "grid", id: "g", label: T("g"), scale: "sat5", rows: [{ id: "r", label: T("r"), relevant: "${Q1} = 1" }] },
      ]),
    ]);
    expect(errors.map((e) => [e.path, e.message])).toEqual([
      ["sections.0.items.1.relevant", "refers to unknown question 'nope'"],
      ["sections.0.items.2.required", "refers to 'n1', which is a note and has no answer"],
      ["sections.0.items.3.constraint", "refers to 'g', which is a grid and has no answer"],
      ["sections.0.items.3.constraint", "refers to 's1', which is a section and has no answer"],
      ["sections.0.items.4.rows.0.relevant", "refers to unknown question 'Q1'"],
    ]);
  });

  it("allows '.' only in constraints", () => {
    const errors = problems([section("s1", [q("q1", "integer", { relevant: ". > 1", constraint: ". > 1" }), q("q2", "integer", { required: ". = 1" })])]);
    expect(errors.map((e) => e.path)).toEqual(["sections.0.items.0.relevant", "sections.0.items.1.required"]);
  });

  it("rejects a relevance (or required-if) that refers to its own question", () => {
    const errors = problems([section("s1", [q("q1", "integer", { relevant: "${q1} > 1" }), q("q2", "integer", { required: "${q2} = ''" })])]);
    expect(errors.map((e) => [e.path, e.message])).toEqual([
      ["sections.0.items.0.relevant", expect.stringMatching(/relevance cannot refer to the question itself/)],
      ["sections.0.items.1.required", expect.stringMatching(/cannot depend on its own answer/)],
    ]);
  });

  it("reports relevance cycles with their path", () => {
    const errors = problems([
      section("s1", [
        q("q1", "integer", { relevant: "${q2} = 1" }),
        q("q2", "integer", { relevant: "${q3} = 1" }),
        q("q3", "integer", { relevant: "${q1} = 1" }),
        q("q4", "integer", { relevant: "${q1} = 1" }),
      ]),
    ]);
    expect(errors).toEqual([{ path: "sections.0.items.0.relevant", message: "relevance cycle: q1 → q2 → q3 → q1" }]);
  });

  it("sees cycles through section and grid relevance", () => {
    const viaSection = problems([section("s1", [q("q1", "integer")], { relevant: "${q1} = 1" })]);
    expect(viaSection).toEqual([{ path: "sections.0.relevant", message: expect.stringMatching(/'q1' depends on its own answer/) }]);
    const viaGrid = problems([
      section("s1", [
        q("q1", "integer", { relevant: "${r2} = 1" }),
        { type: "grid", id: "g", label: T("g"), scale: "sat5", relevant: "${q1} > 0", rows: [{ id: "r2", label: T("r") }] },
      ]),
    ]);
    expect(viaGrid).toEqual([{ path: "sections.0.items.0.relevant", message: "relevance cycle: q1 → r2 → q1" }]);
  });

  it("allows mutual required-if and mutual constraints, which cannot loop", () => {
    expect(() =>
      build([
        section("s1", [
          q("start", "date", { required: "${end} != ''", constraint: ". <= ${end} or ${end} = ''" }),
          q("end", "date", { required: "${start} != ''", constraint: ". >= ${start}" }),
        ]),
      ]),
    ).not.toThrow();
  });
});

describe("formState", () => {
  it("computes relevance and required for questions, grids and sections", () => {
    const state = formState(survey, { consent: "1", used_service: "2" });
    expect(state.sections).toEqual({ s_intro: { relevant: true }, s_main: { relevant: true } });
    expect(state.grids).toEqual({ g_staff: { relevant: false } });
    expect(state.questions.age).toEqual({ relevant: true, required: true });
    expect(state.questions.visits).toEqual({ relevant: false, required: false });
    expect(state.questions.staff_polite).toEqual({ relevant: false, required: false });
    expect(state.questions.intro_note).toEqual({ relevant: true, required: false });
  });

  it("hides a whole section and everything below it", () => {
    const state = formState(survey, { consent: "2", used_service: "1", visits: 5 });
    expect(state.sections.s_main).toEqual({ relevant: false });
    expect(state.questions.used_service?.relevant).toBe(false);
    expect(state.questions.staff_polite?.relevant).toBe(false);
  });

  it("is transitive: an answer to a question that does not apply reads as absent", () => {
    // visits_more depends on visits, which depends on used_service.
    expect(formState(survey, { consent: "1", used_service: "1", visits: 5 }).questions.visits_more?.relevant).toBe(true);
    expect(formState(survey, { consent: "1", used_service: "2", visits: 5 }).questions.visits_more?.relevant).toBe(false);
    expect(formState(survey, { consent: "1", used_service: "1", visits: 5 }).questions.staff_helpful?.relevant).toBe(true);
    expect(formState(survey, { consent: "1", used_service: "2", visits: 5 }).questions.staff_helpful?.relevant).toBe(false);
  });

  it("evaluates required-if expressions", () => {
    expect(formState(survey, { consent: "1" }).questions.channel_other?.required).toBe(true);
    expect(formState(survey, { consent: "1", channels: ["web"] }).questions.channel_other?.required).toBe(false);
  });

  it("resolves forward references whatever the questionnaire order", () => {
    const fwd = build([
      section("s1", [q("late", "integer", { relevant: "${early} > 1" }), q("early", "integer", { relevant: "${gate} = 1" }), q("gate", "integer")]),
    ]);
    expect(formState(fwd, { gate: 1, early: 5 }).questions.late?.relevant).toBe(true);
    expect(formState(fwd, { gate: 0, early: 5 }).questions.late?.relevant).toBe(false);
  });

  it("strips answers to questions that do not apply", () => {
    expect(relevantAnswers(survey, { consent: "1", used_service: "2", visits: 5, staff_polite: "3", rating: "4" })).toEqual({
      consent: "1",
      used_service: "2",
      rating: "4",
    });
  });
});

describe("validateAnswers", () => {
  it("accepts a valid set of answers", () => {
    expect(validateAnswers(survey, valid)).toEqual([]);
    expect(validateAnswers(survey, { consent: "2" })).toEqual([]);
  });

  it("requires a plain object", () => {
    for (const bad of [null, [], "x", 3, new Date()]) {
      expect(validateAnswers(survey, bad)).toEqual([expect.objectContaining({ question: "answers", code: "invalid_field" })]);
    }
  });

  it("rejects unknown ids and answers to notes, grids and sections", () => {
    expect(codes({ ...valid, intro_note: "x", nope: 1, g_staff: "1", constructor: 1 })).toEqual([
      ["intro_note", "unknown_question"],
      ["nope", "unknown_question"],
      ["g_staff", "unknown_question"],
      ["constructor", "unknown_question"],
    ]);
    const [note] = validateAnswers(survey, { ...valid, intro_note: "x" });
    expect(note?.message_en).toMatch(/note/);
  });

  it("rejects answers to questions that do not apply, through chains and grids", () => {
    expect(codes({ ...valid, used_service: "2", visits: 5, visits_more: "x", staff_polite: "4" })).toEqual([
      ["visits", "not_relevant"],
      ["visits_more", "not_relevant"],
      ["staff_polite", "not_relevant"],
    ]);
    expect(codes({ consent: "2", age: 40 })).toEqual([["age", "not_relevant"]]);
    expect(codes({ ...valid, visits: 1, staff_helpful: "3" })).toEqual([["staff_helpful", "not_relevant"]]);
    expect(codes({ ...valid, visits: 2, staff_helpful: "3" })).toEqual([]);
    expect(codes({ consent: "2", visits: "", channels: [] })).toEqual([]); // blanks are not answers
  });

  it("requires relevant required questions; '' and [] count as missing", () => {
    expect(codes({})).toEqual([["consent", "required"]]);
    expect(codes({ consent: "1", used_service: "1", channels: [] })).toEqual([
      ["age", "required"],
      ["visits", "required"],
      ["channel_other", "required"],
      ["staff_polite", "required"],
    ]);
    expect(codes({ ...valid, age: "" })).toEqual([["age", "required"]]);
    expect(validateAnswers(survey, {})[0]).toMatchObject({ message_vi: "Câu hỏi này bắt buộc trả lời.", message_en: "This question is required." });
  });

  it("checks choice codes, including a scale's outside codes", () => {
    expect(codes({ consent: "3" })).toEqual([["consent", "invalid_choice"]]);
    expect(validateAnswers(survey, { consent: "3" })[0]?.message_en).toBe("'3' is not one of the options.");
    expect(codes({ ...valid, consent: 1 })).toEqual([["consent", "wrong_type"]]);
    expect(codes({ ...valid, staff_polite: "dk", rating: "6" })).toEqual([["rating", "invalid_choice"]]);
    expect(codes({ ...valid, rating: "dk" })).toEqual([]);
  });

  it("checks multiple choices: list of distinct known codes within maxSelected", () => {
    expect(codes({ ...valid, channels: "web" })).toEqual([["channels", "wrong_type"]]);
    expect(codes({ ...valid, channels: ["web", 1] })).toEqual([["channels", "wrong_type"]]);
    expect(codes({ ...valid, channels: ["web", "fax"] })).toEqual([["channels", "invalid_choice"]]);
    expect(codes({ ...valid, channels: ["web", "web"] })).toEqual([["channels", "invalid_choice"]]);
    expect(codes({ ...valid, channels: ["web", "office", "phone"] })).toEqual([["channels", "too_many_choices"]]);
    expect(validateAnswers(survey, { ...valid, channels: ["web", "office", "phone"] })[0]?.message_en).toBe("Select at most 2 options.");
  });

  it("checks integers and decimals, with a specific range message", () => {
    expect(codes({ ...valid, age: 30.5 })).toEqual([["age", "wrong_type"]]);
    expect(codes({ ...valid, age: "30" })).toEqual([["age", "wrong_type"]]);
    expect(codes({ ...valid, age: null })).toEqual([["age", "wrong_type"]]);
    expect(codes({ ...valid, age: 1e20 })).toEqual([["age", "wrong_type"]]);
    expect(codes({ ...valid, age: 17 })).toEqual([["age", "out_of_range"]]);
    expect(codes({ ...valid, age: 71 })).toEqual([["age", "out_of_range"]]);
    expect(codes({ ...valid, age: 70 })).toEqual([]);
    expect(validateAnswers(survey, { ...valid, age: 12 })[0]).toMatchObject({
      message_vi: "Giá trị phải từ 18 đến 70.",
      message_en: "The value must be between 18 and 70.",
    });
    expect(validateAnswers(survey, { ...valid, visits: 0 })[0]).toMatchObject({ question: "visits", message_en: "The value must be at least 1." });
    expect(codes({ ...valid, wait_hours: "1.5" })).toEqual([["wait_hours", "wrong_type"]]);
    expect(codes({ ...valid, wait_hours: -0.5 })).toEqual([["wait_hours", "out_of_range"]]);
    expect(codes({ ...valid, wait_hours: 1.5 })).toEqual([]);
  });

  it("checks text type, NFC form and length in characters", () => {
    const long = { ...valid, visits: 5 };
    expect(codes({ ...long, visits_more: "Huế Huế Hu" })).toEqual([]); // 10 characters
    expect(codes({ ...long, visits_more: "Huế Huế Huế" })).toEqual([["visits_more", "too_long"]]);
    expect(codes({ ...long, visits_more: "Hue\u0302\u0301" })).toEqual([["visits_more", "wrong_type"]]);
    expect(codes({ ...long, visits_more: 5 })).toEqual([["visits_more", "wrong_type"]]);
  });

  it("checks dates: calendar-valid YYYY-MM-DD within min and max", () => {
    expect(codes({ ...valid, visit_date: "2024-02-29" })).toEqual([]);
    expect(codes({ ...valid, visit_date: "2024-02-30" })).toEqual([["visit_date", "invalid_date"]]);
    expect(codes({ ...valid, visit_date: "2024-2-3" })).toEqual([["visit_date", "invalid_date"]]);
    expect(codes({ ...valid, visit_date: 20240203 })).toEqual([["visit_date", "wrong_type"]]);
    expect(codes({ ...valid, visit_date: "2025-01-01" })).toEqual([["visit_date", "out_of_range"]]);
    expect(validateAnswers(survey, { ...valid, visit_date: "2023-12-31" })[0]).toMatchObject({
      message_vi: "Ngày phải từ 01/01/2024 đến 31/12/2024.",
      message_en: "The date must be between 2024-01-01 and 2024-12-31.",
    });
  });

  it("checks constraints, with the question's own message when it has one", () => {
    expect(validateAnswers(survey, { ...valid, wait_hours: 49 })).toEqual([
      { question: "wait_hours", code: "constraint", message_vi: "Thời gian chờ quá dài.", message_en: "Waiting time is too long." },
    ]);
    expect(codes({ ...valid, wait_hours: 48 })).toEqual([]);
    expect(validateAnswers(survey, { ...valid, odd: 4 })).toEqual([
      { question: "odd", code: "constraint", message_vi: "Câu trả lời không thỏa điều kiện.", message_en: "The answer does not meet the condition." },
    ]);
    expect(codes({ ...valid, odd: 3 })).toEqual([]);
  });

  it("reports at most one error per question, in questionnaire order", () => {
    const errors = codes({ consent: "1", age: "x", used_service: "1", visits: 0, channels: ["a", "a", "b"], rating: "9", extra: 1 });
    expect(errors).toEqual([
      ["age", "wrong_type"],
      ["visits", "out_of_range"],
      ["channels", "invalid_choice"],
      ["rating", "invalid_choice"],
      ["staff_polite", "required"],
      ["extra", "unknown_question"],
    ]);
  });

  it("passes today() through for date constraints", () => {
    const dated = build([section("s1", [q("when", "date", { constraint: ". <= today()" })])]);
    expect(validateAnswers(dated, { when: "2024-06-02" }, { today: "2024-06-01" }).map((e) => e.code)).toEqual(["constraint"]);
    expect(validateAnswers(dated, { when: "2024-06-01" }, { today: "2024-06-01" })).toEqual([]);
  });
});

describe("the respondent's group and unit in expressions (${_group}, ${_unit})", () => {
  const groups = {
    respondentGroups: [
      { code: "citizen", label: T("Người dân") },
      { code: "organisation", label: T("Tổ chức") },
    ],
  };
  const section = {
    id: "s",
    title: T("Phần"),
    items: [
      { id: "org_size", type: "integer", label: T("Số nhân viên"), relevant: "${_group} = 'organisation'", required: true },
      { id: "hue_only", type: "single", label: T("Câu riêng cho Kim Long"), choices: "yesno", required: "${_unit} = 'v:kim-long'" },
      { id: "visits", type: "integer", label: T("Số lần"), constraint: "${_group} != 'citizen' or . <= 10" },
    ],
  };
  const checked = checkInstrument(definition([section], groups));
  const instrument = (checked as { ok: true; instrument: Instrument }).instrument;

  it("are accepted when the definition loads, and a group compared with must be declared", () => {
    expect(checked.ok).toBe(true);
    const wrong = checkInstrument(definition([{ ...section, items: [{ ...section.items[0], relevant: "${_group} = 'company'" }] }], groups));
    expect(wrong.ok).toBe(false);
    expect((wrong as { errors: Array<{ path: string; message: string }> }).errors[0]).toMatchObject({
      path: "sections.0.items.0.relevant",
      message: expect.stringContaining("'company'"),
    });
    // Any other name with a leading underscore is still an unknown question.
    const unknown = checkInstrument(definition([{ ...section, items: [{ ...section.items[0], relevant: "${_region} = 'x'" }] }], groups));
    expect((unknown as { errors: Array<{ message: string }> }).errors[0]?.message).toContain("unknown question '_region'");
  });

  it("decide relevance, required and constraints, the same in the form and in validation", () => {
    const asOrg = { respondent: { group: "organisation", unit: "v:other" } };
    const asCitizen = { respondent: { group: "citizen", unit: "v:kim-long" } };
    expect(formState(instrument, {}, asOrg).questions.org_size).toEqual({ relevant: true, required: true });
    expect(formState(instrument, {}, asCitizen).questions.org_size?.relevant).toBe(false);
    expect(formState(instrument, {}, asCitizen).questions.hue_only?.required).toBe(true);
    expect(formState(instrument, {}, asOrg).questions.hue_only?.required).toBe(false);
    expect(validateAnswers(instrument, { hue_only: "1" }, asOrg).map((e) => [e.question, e.code])).toEqual([["org_size", "required"]]);
    expect(validateAnswers(instrument, { hue_only: "1", visits: 20 }, asCitizen).map((e) => [e.question, e.code])).toEqual([["visits", "constraint"]]);
    expect(validateAnswers(instrument, { hue_only: "1", org_size: 5 }, asCitizen).map((e) => e.code)).toEqual(["not_relevant"]);
    expect(relevantAnswers(instrument, { org_size: 5, hue_only: "1" }, asCitizen)).toEqual({ hue_only: "1" });
    // Not yet chosen: null, so a comparison is false.
    expect(formState(instrument, {}).questions.org_size?.relevant).toBe(false);
  });
});

describe("SIPAS: the age agrees with the age group", () => {
  it("refuses 45 with 18–25 and accepts 45 with 36–45 or without a group", async () => {
    const { loadSurveys } = await import("../../server/instruments/load.js");
    const sipas = loadSurveys(new URL("../../surveys", import.meta.url).pathname).find((e) => e.instrument.id === "sipas-2022")!.instrument;
    const ageErrors = (answers: Record<string, unknown>) =>
      validateAnswers(sipas, answers)
        .filter((e) => e.question === "age")
        .map((e) => e.code);
    expect(ageErrors({ age_group: "18-25", age: 45 })).toEqual(["constraint"]);
    expect(ageErrors({ age_group: "36-45", age: 45 })).toEqual([]);
    expect(ageErrors({ age_group: "over-65", age: 66 })).toEqual([]);
    expect(ageErrors({ age_group: "over-65", age: 65 })).toEqual(["constraint"]);
    expect(ageErrors({ age: 45 })).toEqual([]);
  });

  it("the demo generator gives every respondent an age inside the age group", async () => {
    const { loadSurveys } = await import("../../server/instruments/load.js");
    const { generateResponses } = await import("../../server/demo/generate.js");
    const sipas = loadSurveys(new URL("../../surveys", import.meta.url).pathname).find((e) => e.instrument.id === "sipas-2022")!.instrument;
    const bounds: Record<string, [number, number]> = {
      "18-25": [18, 25],
      "26-35": [26, 35],
      "36-45": [36, 45],
      "46-55": [46, 55],
      "56-65": [56, 65],
      "over-65": [66, 100],
    };
    let aged = 0;
    for (const r of generateResponses(sipas, ["2025:a", "2025:b"], ["citizen", "organisation"], 300)) {
      expect(validateAnswers(sipas, r.answers, { respondent: { group: r.group, unit: r.unit } })).toEqual([]);
      if (r.answers.age === undefined) continue;
      aged++;
      const [lo, hi] = bounds[r.answers.age_group as string]!;
      expect(r.answers.age).toBeGreaterThanOrEqual(lo);
      expect(r.answers.age).toBeLessThanOrEqual(hi);
    }
    expect(aged).toBeGreaterThan(200);
  });
});

describe("pages of the respondent form (client/common/pages.ts)", () => {
  it("cut long sections at grids and questions, never inside a grid, and find every question's page", async () => {
    const { loadSurveys } = await import("../../server/instruments/load.js");
    const { formPages, pageOfQuestion, relevantPages, PAGE_ROWS } = await import("../../client/common/pages.js");
    for (const edition of loadSurveys(new URL("../../surveys", import.meta.url).pathname).filter((e) => e.instrument.id !== "par-index-2022")) {
      const instrument = edition.instrument;
      const pages = formPages(instrument);
      // Every item of every section is on exactly one page of its section, in order.
      for (const section of instrument.sections) {
        const mine = pages.filter((p) => p.section === section);
        expect(mine.flatMap((p) => [...p.items])).toEqual(section.items.map((i) => i.id));
        expect(mine[0]!.id).toBe(section.id);
        for (const p of mine) {
          const rows = section.items
            .filter((i) => p.items.has(i.id))
            .reduce((n, i) => n + (i.type === "grid" ? 0.5 + i.rows.length : i.type === "note" ? 0.5 : 1), 0);
          // Over the budget only when a single grid is bigger than a page.
          if (p.items.size > 1) expect(rows, p.id).toBeLessThanOrEqual(PAGE_ROWS + 0.5);
        }
      }
      for (const it of answerableQuestions(instrument)) {
        const page = pages.find((p) => p.id === pageOfQuestion(instrument, it.question.id))!;
        expect(page.items.has(it.grid?.id ?? it.question.id)).toBe(true);
      }
      expect(relevantPages(instrument, formState(instrument, {})).length).toBeGreaterThan(0);
    }
  });
});
