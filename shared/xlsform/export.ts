/**
 * chiso instrument edition → XLSForm sheets (rows of cells), in the dialect import.ts reads back
 * to the identical definition: sections are top-level groups, grids are field-list groups inside
 * them, ratings are likert select_one on a scale, and what XLSForm has no column for goes to
 * `chiso::` columns and the chiso_scales / chiso_groups sheets (docs/xlsform.md).
 */
import type { Choice, Instrument, Question, SectionItem } from "../instrument/schema.js";
import type { Text } from "../i18n.js";
import { CHOICE_COLUMNS, SETTINGS_COLUMNS, SHEETS, SURVEY_COLUMNS } from "./columns.js";
import { toXlsform } from "./expressions.js";
import { LANGUAGE_SUFFIX, type SheetOut } from "./workbook.js";

const bilingual = (base: string) => [`${base}::${LANGUAGE_SUFFIX.vi}`, `${base}::${LANGUAGE_SUFFIX.en}`];

const SURVEY_HEADER = [
  "type",
  "name",
  ...bilingual("label"),
  ...bilingual("hint"),
  "required",
  "relevant",
  "constraint",
  ...bilingual("constraint_message"),
  "appearance",
  SURVEY_COLUMNS.demographic,
  SURVEY_COLUMNS.illustrative,
  SURVEY_COLUMNS.document,
  SURVEY_COLUMNS.min,
  SURVEY_COLUMNS.max,
  SURVEY_COLUMNS.maxLength,
  SURVEY_COLUMNS.maxSelected,
  SURVEY_COLUMNS.choices,
];

type Cells = Partial<Record<string, string | number>>;

/** Why an edition cannot be written as XLSForm (a scale and a choice list with one name). */
export class XlsformExportError extends Error {
  constructor(readonly text: Text) {
    super(text.en);
  }
}

export function exportXlsform(instrument: Instrument): SheetOut[] {
  const survey: Cells[] = [];
  const choiceRows: Cells[] = [];
  const text = (base: string, t: Text | undefined): Cells => (t ? { [`${base}::${LANGUAGE_SUFFIX.vi}`]: t.vi, [`${base}::${LANGUAGE_SUFFIX.en}`]: t.en } : {});
  const expr = (s: string | undefined) => (s === undefined ? "" : toXlsform(s));
  const flag = (b: boolean | undefined) => (b === undefined ? "" : b ? "yes" : "no");
  const required = (r: boolean | string) => (r === true ? "yes" : r === false ? "" : toXlsform(r));

  for (const name of Object.keys(instrument.scales)) {
    if (Object.hasOwn(instrument.choiceLists, name)) {
      throw new XlsformExportError({
        vi: `Thang đo và danh sách lựa chọn cùng tên “${name}”: XLSForm chỉ có một trang “choices”.`,
        en: `A scale and a choice list are both named “${name}”: XLSForm has one “choices” sheet.`,
      });
    }
  }
  // Inline options get a list of their own, under a name no scale, list or other inline list uses.
  const taken = new Set([...Object.keys(instrument.scales), ...Object.keys(instrument.choiceLists)]);
  const inlineLists: Array<{ name: string; choices: Choice[] }> = [];
  const listFor = (q: Question & { choices: string | Choice[] }): { type: string; inline: boolean } => {
    if (typeof q.choices === "string") return { type: q.choices, inline: false };
    let name = q.id;
    for (let k = 2; taken.has(name); k++) name = `${q.id}_${k}`;
    taken.add(name);
    inlineLists.push({ name, choices: q.choices });
    return { type: name, inline: true };
  };

  const question = (q: Question): Cells => {
    const base: Cells = { name: q.id, ...text("label", q.label), ...text("hint", q.hint), relevant: expr(q.relevant) };
    if (q.type === "note") return { ...base, type: "note" };
    const answer: Cells = {
      ...base,
      required: required(q.required),
      constraint: expr(q.constraint),
      ...text("constraint_message", q.constraintMessage),
      [SURVEY_COLUMNS.demographic]: q.demographic ? "yes" : "",
      [SURVEY_COLUMNS.illustrative]: q.illustrative ? "yes" : "",
    };
    switch (q.type) {
      case "rating":
        return { ...answer, type: `select_one ${q.scale}`, appearance: "likert" };
      case "single":
      case "multiple": {
        const list = listFor(q);
        return {
          ...answer,
          type: `${q.type === "single" ? "select_one" : "select_multiple"} ${list.type}`,
          [SURVEY_COLUMNS.choices]: list.inline ? "inline" : "",
          ...(q.type === "multiple" && q.maxSelected !== undefined ? { [SURVEY_COLUMNS.maxSelected]: q.maxSelected } : {}),
        };
      }
      case "integer":
      case "decimal":
      case "date":
        return { ...answer, type: q.type, [SURVEY_COLUMNS.min]: q.min ?? "", [SURVEY_COLUMNS.max]: q.max ?? "" };
      case "text":
        return {
          ...answer,
          type: "text",
          appearance: q.multiline ? "multiline" : "",
          [SURVEY_COLUMNS.maxLength]: q.maxLength,
          [SURVEY_COLUMNS.document]: flag(q.document),
        };
    }
  };

  const item = (it: SectionItem) => {
    if (it.type !== "grid") {
      survey.push(question(it));
      return;
    }
    survey.push({
      type: "begin group",
      name: it.id,
      ...text("label", it.label),
      ...text("hint", it.hint),
      relevant: expr(it.relevant),
      appearance: "field-list",
    });
    for (const row of it.rows) {
      survey.push({
        type: `select_one ${it.scale}`,
        name: row.id,
        ...text("label", row.label),
        ...text("hint", row.hint),
        relevant: expr(row.relevant),
        required: required(row.required),
        appearance: "likert",
        [SURVEY_COLUMNS.illustrative]: row.illustrative ? "yes" : "",
      });
    }
    survey.push({ type: "end group" });
  };

  for (const section of instrument.sections) {
    survey.push({ type: "begin group", name: section.id, ...text("label", section.title), ...text("hint", section.intro), relevant: expr(section.relevant) });
    section.items.forEach(item);
    survey.push({ type: "end group" });
  }

  const choice = (list: string, c: Choice, extra: Cells = {}): Cells => ({
    list_name: list,
    name: c.code,
    ...text("label", c.label),
    [CHOICE_COLUMNS.outside]: flag(c.outside),
    ...extra,
  });
  for (const [name, scale] of Object.entries(instrument.scales)) {
    for (const p of scale.points) choiceRows.push({ list_name: name, name: p.code, ...text("label", p.label), [CHOICE_COLUMNS.value]: p.value });
    for (const c of scale.outside) choiceRows.push({ list_name: name, name: c.code, ...text("label", c.label), [CHOICE_COLUMNS.outside]: "yes" });
  }
  for (const [name, list] of Object.entries(instrument.choiceLists)) for (const c of list) choiceRows.push(choice(name, c));
  for (const { name, choices } of inlineLists) for (const c of choices) choiceRows.push(choice(name, c));

  const settingsHeader = [
    "form_id",
    "version",
    "form_title",
    `${SETTINGS_COLUMNS.title}::${LANGUAGE_SUFFIX.en}`,
    "default_language",
    "instance_name",
    ...bilingual(SETTINGS_COLUMNS.intro),
    SETTINGS_COLUMNS.family,
    SETTINGS_COLUMNS.year,
    SETTINGS_COLUMNS.unitLevel,
    SETTINGS_COLUMNS.kind,
    SETTINGS_COLUMNS.source,
  ];
  const settings: Cells = {
    form_id: instrument.id,
    version: instrument.version,
    form_title: instrument.title.vi,
    [`${SETTINGS_COLUMNS.title}::${LANGUAGE_SUFFIX.en}`]: instrument.title.en,
    default_language: LANGUAGE_SUFFIX.vi,
    instance_name: instrument.instanceName === undefined ? "" : toXlsform(instrument.instanceName),
    ...text(SETTINGS_COLUMNS.intro, instrument.intro),
    [SETTINGS_COLUMNS.family]: instrument.family,
    [SETTINGS_COLUMNS.year]: instrument.year,
    [SETTINGS_COLUMNS.unitLevel]: instrument.unitLevel,
    [SETTINGS_COLUMNS.kind]: instrument.kind ?? "",
    [SETTINGS_COLUMNS.source]: instrument.source ?? "",
  };

  const choicesHeader = ["list_name", "name", ...bilingual("label"), CHOICE_COLUMNS.value, CHOICE_COLUMNS.outside];
  const scalesHeader = ["list_name", ...bilingual("label")];
  const groupsHeader = ["code", ...bilingual("label"), ...bilingual("description")];
  const rowsOf = (header: string[], rows: Cells[]) => rows.map((r) => header.map((h) => r[h] ?? ""));
  return [
    { name: SHEETS.survey, header: SURVEY_HEADER, rows: rowsOf(SURVEY_HEADER, survey) },
    { name: SHEETS.choices, header: choicesHeader, rows: rowsOf(choicesHeader, choiceRows) },
    { name: SHEETS.settings, header: settingsHeader, rows: rowsOf(settingsHeader, [settings]) },
    {
      name: SHEETS.scales,
      header: scalesHeader,
      rows: rowsOf(
        scalesHeader,
        Object.entries(instrument.scales).map(([name, s]) => ({ list_name: name, ...text("label", s.label) })),
      ),
    },
    {
      name: SHEETS.groups,
      header: groupsHeader,
      rows: rowsOf(
        groupsHeader,
        instrument.respondentGroups.map((g) => ({ code: g.code, ...text("label", g.label), ...text("description", g.description) })),
      ),
    },
  ];
}
