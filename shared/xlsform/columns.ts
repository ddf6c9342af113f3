/**
 * The sheet and column names of chiso's XLSForm dialect (docs/xlsform.md), shared by import and
 * export so the two cannot drift apart. Standard XLSForm columns keep their names; what only chiso
 * holds has a `chiso::` column or a `chiso_…` sheet, which other XLSForm tools ignore.
 */
export const SHEETS = {
  survey: "survey",
  choices: "choices",
  settings: "settings",
  scales: "chiso_scales",
  groups: "chiso_groups",
} as const;

export const SURVEY_COLUMNS = {
  demographic: "chiso::demographic",
  illustrative: "chiso::illustrative",
  document: "chiso::document",
  min: "chiso::min",
  max: "chiso::max",
  maxLength: "chiso::max_length",
  maxSelected: "chiso::max_selected",
  /** "inline": the question's own options (written to the choices sheet under a generated list name). */
  choices: "chiso::choices",
} as const;

export const CHOICE_COLUMNS = { value: "chiso::value", outside: "chiso::outside" } as const;

export const SETTINGS_COLUMNS = {
  title: "chiso::title",
  intro: "chiso::intro",
  family: "chiso::family",
  year: "chiso::year",
  unitLevel: "chiso::unit_level",
  kind: "chiso::kind",
  source: "chiso::source",
} as const;

/** Text questions without chiso::max_length accept this many characters. */
export const DEFAULT_MAX_LENGTH = 2000;

/** Appearances that only change how ODK draws a question; chiso draws its own, so they are accepted and not kept. */
export const DISPLAY_APPEARANCES: ReadonlySet<string> = new Set([
  "minimal",
  "compact",
  "quickcompact",
  "horizontal",
  "horizontal-compact",
  "quick",
  "columns",
  "columns-pack",
  "no-buttons",
  "label",
  "list-nolabel",
  "list",
  "autocomplete",
  "numbers",
  "thousands-sep",
  "no-calendar",
  "month-year",
  "year",
  "w1",
  "w2",
  "w3",
  "w4",
  "w5",
  "w6",
  "w7",
  "w8",
  "w9",
  "w10",
]);
