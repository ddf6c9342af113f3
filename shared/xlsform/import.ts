/**
 * XLSForm workbook (as plain rows) → chiso instrument edition. Every problem is collected with its
 * sheet, row and column, all of them in one pass; the instrument built from a clean workbook then
 * goes through checkInstrument, the same checks as the editions in surveys/, whose findings are
 * mapped back to the cell they came from. The mapping is documented in docs/xlsform.md.
 */
import { checkInstrument } from "../instrument/check.js";
import {
  CodeSchema,
  QuestionIdSchema,
  UnitLevelSchema,
  type Choice,
  type Grid,
  type Instrument,
  type RespondentGroup,
  type Scale,
  type Section,
  type SectionItem,
} from "../instrument/schema.js";
import { isCalendarDate } from "../instrument/validate.js";
import { answerableQuestions } from "../instrument/walk.js";
import { parseExpr, references } from "../expr/index.js";
import { controlCharacter } from "../api/strings.js";
import type { Lang, Text } from "../i18n.js";
import { CHOICE_COLUMNS, DEFAULT_MAX_LENGTH, DISPLAY_APPEARANCES, SETTINGS_COLUMNS, SHEETS, SURVEY_COLUMNS } from "./columns.js";
import { fromXlsform } from "./expressions.js";
import { columnLetter, languageOf, parseHeader, type ColumnName, type Sheet, type Workbook, type XlsformIssue } from "./workbook.js";

export interface ImportOptions {
  /** Overrides settings form_id (`--id`). */
  id?: string;
  /** Overrides settings version (`--version`). */
  version?: string;
  /** The workbook's file name: the edition id when neither --id nor form_id gives one. */
  fileName?: string;
  /** The year when neither chiso::year nor a trailing -YYYY in the id gives one. */
  defaultYear: number;
}

export type ImportResult = { ok: true; instrument: Instrument } | { ok: false; issues: XlsformIssue[] };

type Row = Sheet["rows"][number];

/** A row's place, for problems found later (by checkInstrument). */
interface Place {
  sheet: string;
  row: number;
}

/** A sheet with its columns resolved: plain and per-language columns by base name. */
class Table {
  readonly columns = new Map<string, { plain?: ColumnName; langs: Partial<Record<Lang, ColumnName>> }>();

  constructor(
    readonly sheet: Sheet,
    private readonly issues: XlsformIssue[],
  ) {
    sheet.header.forEach((h, i) => {
      if (h.trim() === "") return;
      const col = parseHeader(h, i);
      const entry = this.columns.get(col.base) ?? { langs: {} };
      if (col.language === undefined) entry.plain = col;
      else {
        const lang = languageOf(col.language);
        if (!lang) {
          this.issue(1, col, {
            vi: `Ngôn ngữ “${col.language}” không được hỗ trợ: chiso chỉ giữ tiếng Việt (vi) và tiếng Anh (en). Hãy xóa cột này hoặc đổi thành “${col.base}::Tiếng Việt (vi)” / “${col.base}::English (en)”.`,
            en: `The language “${col.language}” is not supported: chiso holds Vietnamese (vi) and English (en) only. Delete this column or rename it “${col.base}::Tiếng Việt (vi)” / “${col.base}::English (en)”.`,
          });
          return;
        }
        entry.langs[lang] = col;
      }
      this.columns.set(col.base, entry);
    });
  }

  get name(): string {
    return this.sheet.name;
  }

  /** The plain column of a base name (e.g. "type", "chiso::min"). */
  column(base: string): ColumnName | undefined {
    return this.columns.get(base)?.plain;
  }

  /** Header text to name a column in a message, even when the column is missing. */
  header(base: string): string {
    const entry = this.columns.get(base);
    return entry?.plain?.header ?? entry?.langs.vi?.header ?? entry?.langs.en?.header ?? base;
  }

  value(row: Row, col: ColumnName | undefined): string {
    return col ? (row.cells[col.index] ?? "").normalize("NFC").trim() : "";
  }

  get(row: Row, base: string): string {
    return this.value(row, this.column(base));
  }

  /** Every column whose base satisfies `test`, with a value on this row. */
  filled(row: Row, test: (base: string) => boolean): ColumnName[] {
    const out: ColumnName[] = [];
    for (const [base, entry] of this.columns) {
      if (!test(base)) continue;
      for (const col of [entry.plain, entry.langs.vi, entry.langs.en]) if (col && this.value(row, col) !== "") out.push(col);
    }
    return out;
  }

  /**
   * Bilingual text from `base::Tiếng Việt (vi)`, `base::English (en)` and plain `base`: a language
   * column wins over the plain one, and a text given in one language only serves both.
   */
  text(row: Row, base: string, plainBase = base): Text | undefined {
    const entry = this.columns.get(base);
    const plain = this.value(row, this.columns.get(plainBase)?.plain);
    const vi = this.value(row, entry?.langs.vi) || plain;
    const en = this.value(row, entry?.langs.en) || plain;
    if (!vi && !en) return undefined;
    return { vi: vi || en, en: en || vi };
  }

  issue(row: number | undefined, column: ColumnName | string | undefined, message: Text): void {
    const col =
      typeof column === "string" ? (this.columns.get(column)?.plain ?? this.columns.get(column)?.langs.vi ?? this.columns.get(column)?.langs.en) : column;
    const name = typeof column === "string" && !col ? column : col?.header;
    this.issues.push({
      sheet: this.name,
      ...(row !== undefined ? { row } : {}),
      ...(name ? { column: name } : {}),
      ...(col ? { letter: columnLetter(col.index) } : {}),
      message,
    });
  }
}

/** Survey columns whose value chiso cannot hold: refused when filled, never silently dropped. */
const UNSUPPORTED_COLUMNS: Record<string, Text> = {
  choice_filter: { vi: "lọc lựa chọn (choice_filter) không được hỗ trợ", en: "choice filters (choice_filter) are not supported" },
  repeat_count: { vi: "nhóm lặp (repeat) không được hỗ trợ", en: "repeats are not supported" },
  default: { vi: "giá trị mặc định (default) không được hỗ trợ", en: "default values are not supported" },
  read_only: { vi: "câu chỉ đọc (read_only) không được hỗ trợ", en: "read-only questions are not supported" },
  calculation: { vi: "phép tính (calculation) không được hỗ trợ", en: "calculations are not supported" },
  trigger: { vi: "trigger không được hỗ trợ", en: "triggers are not supported" },
  parameters: { vi: "tham số (parameters) không được hỗ trợ", en: "parameters are not supported" },
  required_message: {
    vi: "chiso dùng thông báo “bắt buộc” chung; không giữ được required_message",
    en: "chiso shows its own “required” message; required_message cannot be kept",
  },
  guidance_hint: { vi: "guidance_hint không được hỗ trợ; hãy dùng hint", en: "guidance_hint is not supported; use hint" },
  image: { vi: "hình ảnh, âm thanh, video (media) không được hỗ trợ", en: "media (image, audio, video) are not supported" },
  "big-image": { vi: "hình ảnh, âm thanh, video (media) không được hỗ trợ", en: "media (image, audio, video) are not supported" },
  audio: { vi: "hình ảnh, âm thanh, video (media) không được hỗ trợ", en: "media (image, audio, video) are not supported" },
  video: { vi: "hình ảnh, âm thanh, video (media) không được hỗ trợ", en: "media (image, audio, video) are not supported" },
};

function unsupportedColumn(base: string): Text | undefined {
  if (Object.hasOwn(UNSUPPORTED_COLUMNS, base)) return UNSUPPORTED_COLUMNS[base];
  if (base.startsWith("media::")) return UNSUPPORTED_COLUMNS.image;
  if (base.startsWith("bind::") || base.startsWith("body::") || base.startsWith("instance::")) {
    return { vi: `cột ${base} (thuộc tính XForm trực tiếp) không được hỗ trợ`, en: `the column ${base} (a raw XForm attribute) is not supported` };
  }
  return undefined;
}

const METADATA = new Set(["start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username", "email", "audit", "start-geopoint"]);
const NOT_HELD = new Set([
  "geopoint",
  "geotrace",
  "geoshape",
  "image",
  "audio",
  "video",
  "file",
  "background-audio",
  "barcode",
  "time",
  "datetime",
  "range",
  "rank",
  "acknowledge",
  "trigger",
  "hidden",
  "xml-external",
  "csv-external",
  "background-geopoint",
  "osm",
]);

/** The chiso columns each question type may fill. */
const TYPE_COLUMNS: Record<string, readonly string[]> = {
  integer: [SURVEY_COLUMNS.demographic, SURVEY_COLUMNS.illustrative, SURVEY_COLUMNS.min, SURVEY_COLUMNS.max],
  decimal: [SURVEY_COLUMNS.demographic, SURVEY_COLUMNS.illustrative, SURVEY_COLUMNS.min, SURVEY_COLUMNS.max],
  date: [SURVEY_COLUMNS.demographic, SURVEY_COLUMNS.illustrative, SURVEY_COLUMNS.min, SURVEY_COLUMNS.max],
  text: [SURVEY_COLUMNS.demographic, SURVEY_COLUMNS.illustrative, SURVEY_COLUMNS.document, SURVEY_COLUMNS.maxLength],
  select_one: [SURVEY_COLUMNS.demographic, SURVEY_COLUMNS.illustrative, SURVEY_COLUMNS.choices],
  select_multiple: [SURVEY_COLUMNS.demographic, SURVEY_COLUMNS.illustrative, SURVEY_COLUMNS.choices, SURVEY_COLUMNS.maxSelected],
  note: [],
  group: [],
  row: [SURVEY_COLUMNS.illustrative],
};

/** An option of a list in the choices sheet. */
interface ChoiceRow {
  row: Row;
  code: string;
  label: Text;
  value?: number;
  /** chiso::outside: "yes" → true, "no" → false, blank → undefined. */
  outside?: boolean;
}

interface ListDraft {
  name: string;
  rows: ChoiceRow[];
  firstRow: number;
  hasValues: boolean;
}

/** A select question waiting for its list to be known as a scale (→ rating) or a choice list. */
interface SelectUse {
  list: string;
  one: boolean;
  likert: boolean;
  inGrid: boolean;
  inline: boolean;
  row: Row;
}

/** A section item to finish once the lists are classified; null when its row had problems. */
type ItemDraft = { place: Place; finish: () => SectionItem | null; grid?: { rows: Place[] } };

interface SectionDraft {
  place: Place | null;
  section: Omit<Section, "items">;
  items: ItemDraft[];
}

const yes = (s: string) => ["yes", "true", "true()", "1", "y", "có"].includes(s.toLowerCase());
const no = (s: string) => ["no", "false", "false()", "0", "n", "không"].includes(s.toLowerCase());

export function importXlsform(workbook: Workbook, options: ImportOptions): ImportResult {
  const issues: XlsformIssue[] = [];
  const sheetNamed = (name: string) => workbook.sheets.find((s) => s.name.trim().toLowerCase() === name);
  const surveySheet = sheetNamed(SHEETS.survey);
  if (!surveySheet) {
    return { ok: false, issues: [{ sheet: SHEETS.survey, message: { vi: "Tệp không có trang tính “survey”.", en: "The workbook has no “survey” sheet." } }] };
  }
  const survey = new Table(surveySheet, issues);
  const choicesSheet = sheetNamed(SHEETS.choices);
  const choices = choicesSheet ? new Table(choicesSheet, issues) : null;
  const settingsSheet = sheetNamed(SHEETS.settings);
  const settings = settingsSheet ? new Table(settingsSheet, issues) : null;
  const scalesSheet = sheetNamed(SHEETS.scales);
  const scaleTable = scalesSheet ? new Table(scalesSheet, issues) : null;
  const groupsSheet = sheetNamed(SHEETS.groups);
  const groupTable = groupsSheet ? new Table(groupsSheet, issues) : null;
  for (const s of workbook.sheets) {
    if (s.name.trim().toLowerCase() === "external_choices") {
      issues.push({
        sheet: s.name,
        message: {
          vi: "Danh sách lựa chọn ngoài (external_choices) không được hỗ trợ; hãy đưa vào trang “choices”.",
          en: "External choice lists (external_choices) are not supported; move them to the “choices” sheet.",
        },
      });
    }
  }
  // Stored text holds no control character but tab and line breaks (docs/security.md, "Input rules").
  for (const table of [survey, choices, settings, scaleTable, groupTable]) {
    if (!table) continue;
    for (const row of [{ row: 1, cells: table.sheet.header }, ...table.sheet.rows]) {
      row.cells.forEach((cell, i) => {
        const c = typeof cell === "string" ? controlCharacter(cell) : null;
        if (!c) return;
        const header = table.sheet.header[i] ?? "";
        issues.push({
          sheet: table.name,
          row: row.row,
          ...(header ? { column: header } : {}),
          letter: columnLetter(i),
          message: {
            vi: `Ô chứa ký tự điều khiển ${c}; chỉ cho phép tab và xuống dòng.`,
            en: `The cell holds the control character ${c}; only tab and line breaks are allowed.`,
          },
        });
      });
    }
  }
  if (!survey.column("type")) survey.issue(1, "type", { vi: "Trang “survey” thiếu cột “type”.", en: "The “survey” sheet has no “type” column." });
  if (!survey.column("name")) survey.issue(1, "name", { vi: "Trang “survey” thiếu cột “name”.", en: "The “survey” sheet has no “name” column." });

  // Where each part of the built definition came from, to place checkInstrument's findings.
  const places = new Map<string, Place>();

  const lists = readChoices(choices);
  const uses: SelectUse[] = [];

  // --- expressions and small readers of a survey row
  const expr = (table: Table, row: Row, base: string): string | undefined => {
    const source = table.get(row, base);
    if (!source) return undefined;
    const t = fromXlsform(source);
    if (t.ok) return t.text;
    table.issue(row.row, base, t.message);
    return undefined;
  };
  const requiredOf = (row: Row): boolean | string => {
    const v = survey.get(row, "required");
    if (!v || no(v)) return false;
    if (yes(v)) return true;
    return expr(survey, row, "required") ?? false;
  };
  const flag = (row: Row, base: string): boolean | undefined => {
    const v = survey.get(row, base);
    if (!v) return undefined;
    if (yes(v)) return true;
    if (no(v)) return false;
    survey.issue(row.row, base, { vi: `“${v}” không phải có/không (yes/no).`, en: `“${v}” is not yes or no.` });
    return undefined;
  };
  const number = (row: Row, base: string, integer: boolean): number | undefined => {
    const v = survey.get(row, base);
    if (!v) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
      survey.issue(
        row.row,
        base,
        integer ? { vi: `“${v}” không phải số nguyên.`, en: `“${v}” is not a whole number.` } : { vi: `“${v}” không phải số.`, en: `“${v}” is not a number.` },
      );
      return undefined;
    }
    return n;
  };
  const dateBound = (row: Row, base: string): string | undefined => {
    const v = survey.get(row, base);
    if (!v) return undefined;
    if (!isCalendarDate(v)) {
      survey.issue(row.row, base, { vi: `“${v}” không phải ngày dạng YYYY-MM-DD.`, en: `“${v}” is not a date written YYYY-MM-DD.` });
      return undefined;
    }
    return v;
  };
  const idOf = (row: Row): string | undefined => {
    const name = survey.get(row, "name");
    if (!name) {
      survey.issue(row.row, "name", { vi: "Thiếu tên (name).", en: "The name is missing." });
      return undefined;
    }
    if (!QuestionIdSchema.safeParse(name).success) {
      survey.issue(row.row, "name", {
        vi: `Tên “${name}” không hợp lệ: chỉ chữ thường không dấu, chữ số và dấu _, bắt đầu bằng chữ cái.`,
        en: `The name “${name}” is not valid: lower-case letters, digits and _ only, starting with a letter.`,
      });
      return undefined;
    }
    return name;
  };
  const labelOf = (row: Row, what: Text): Text | undefined => {
    const label = survey.text(row, "label");
    if (!label) survey.issue(row.row, "label", { vi: `Thiếu nhãn (label) của ${what.vi}.`, en: `The ${what.en} has no label.` });
    return label;
  };
  /** Refuses filled columns that chiso cannot hold, and chiso columns that do not apply to the type. */
  const onlyColumns = (row: Row, kind: string, also: readonly string[] = []) => {
    for (const col of survey.filled(row, (b) => unsupportedColumn(b) !== undefined)) {
      const why = unsupportedColumn(col.base)!;
      survey.issue(row.row, col, { vi: `Không giữ được: ${why.vi}.`, en: `Cannot be kept: ${why.en}.` });
    }
    const allowed = new Set([...(TYPE_COLUMNS[kind] ?? []), ...also]);
    for (const col of survey.filled(row, (b) => b.startsWith("chiso::"))) {
      if (allowed.has(col.base)) continue;
      const known = (Object.values(SURVEY_COLUMNS) as string[]).includes(col.base);
      survey.issue(
        row.row,
        col,
        known
          ? { vi: `Cột ${col.header} không áp dụng cho loại “${kind}”.`, en: `The column ${col.header} does not apply to type “${kind}”.` }
          : { vi: `Cột ${col.header} không có trong chiso.`, en: `chiso has no column ${col.header}.` },
      );
    }
  };
  const appearanceOf = (row: Row): string[] => survey.get(row, "appearance").split(/\s+/).filter(Boolean);
  /** Appearances other than the meaningful ones and the display-only ones are refused. */
  const checkAppearance = (row: Row, meaningful: readonly string[]) => {
    for (const a of appearanceOf(row)) {
      if (meaningful.includes(a) || DISPLAY_APPEARANCES.has(a) || /^columns-\d+$/.test(a)) continue;
      survey.issue(row.row, "appearance", {
        vi: `Kiểu hiển thị “${a}” không được hỗ trợ${a.startsWith("search") ? " (danh sách ngoài)" : ""}.`,
        en: `The appearance “${a}” is not supported${a.startsWith("search") ? " (external lists)" : ""}.`,
      });
    }
  };
  const noAnswerColumns = (row: Row, what: string) => {
    for (const base of ["required", "constraint"]) {
      if (survey.get(row, base) && !(base === "required" && no(survey.get(row, base)))) {
        survey.issue(row.row, base, { vi: `${what} không có câu trả lời nên không có “${base}”.`, en: `A ${what} has no answer, so it takes no “${base}”.` });
      }
    }
  };

  // --- the survey sheet: groups → sections and grids, rows → questions
  const sections: SectionDraft[] = [];
  let section: SectionDraft | null = null;
  let implicit: SectionDraft | null = null;
  let grid: {
    row: Row;
    id?: string;
    label?: Text;
    hint?: Text;
    relevant?: string;
    rows: Array<{ place: Place; row: Row; build: () => Grid["rows"][number] | null }>;
  } | null = null;
  /** Open groups, innermost last: what each begin group became. */
  const stack: Array<{ kind: "section" | "grid" | "refused"; row: Row }> = [];
  const title = settings ? settingsRowText(settings, SETTINGS_COLUMNS.title, "form_title") : undefined;

  /** Questions outside any group go to a section of their own, one per run of such rows. */
  const startImplicit = (): SectionDraft => {
    const draft: SectionDraft = { place: null, section: { id: "", title: title ?? { vi: "Câu hỏi", en: "Questions" } }, items: [] };
    sections.push(draft);
    return draft;
  };

  for (const row of surveySheet.rows) {
    const rawType = canonicalType(survey.get(row, "type"));
    const type = rawType.toLowerCase();
    if (!type) {
      if (survey.get(row, "name") || survey.text(row, "label")) survey.issue(row.row, "type", { vi: "Thiếu loại câu hỏi (type).", en: "The type is missing." });
      continue;
    }
    if (type === "begin group" || type === "begin_group") {
      const depth = stack.length;
      const top = stack[depth - 1];
      const appearance = appearanceOf(row);
      if (depth === 0) {
        implicit = null;
        onlyColumns(row, "group");
        checkAppearance(row, ["field-list", "table-list"]);
        noAnswerColumns(row, "nhóm / group");
        const id = idOf(row);
        const label = labelOf(row, { vi: "nhóm", en: "group" });
        const intro = survey.text(row, "hint");
        const relevant = expr(survey, row, "relevant");
        section = {
          place: { sheet: survey.name, row: row.row },
          section: { id: id ?? "", title: label ?? { vi: "-", en: "-" }, ...(intro ? { intro } : {}), ...(relevant !== undefined ? { relevant } : {}) },
          items: [],
        };
        sections.push(section);
        stack.push({ kind: "section", row });
      } else if (depth === 1 && top!.kind === "section" && (appearance.includes("field-list") || appearance.includes("table-list"))) {
        onlyColumns(row, "group");
        checkAppearance(row, ["field-list", "table-list"]);
        noAnswerColumns(row, "bảng / grid");
        const id = idOf(row);
        const label = labelOf(row, { vi: "bảng", en: "grid" });
        const hint = survey.text(row, "hint");
        const relevant = expr(survey, row, "relevant");
        grid = {
          row,
          ...(id ? { id } : {}),
          ...(label ? { label } : {}),
          ...(hint ? { hint } : {}),
          ...(relevant !== undefined ? { relevant } : {}),
          rows: [],
        };
        stack.push({ kind: "grid", row });
      } else {
        survey.issue(row.row, "type", {
          vi: "Nhóm lồng trong nhóm chỉ được là một bảng (appearance field-list) gồm các câu select_one cùng thang đo, đặt ngay trong một nhóm cấp ngoài cùng.",
          en: "A group inside a group can only be a grid (appearance field-list) of select_one questions on one scale, directly inside a top-level group.",
        });
        stack.push({ kind: "refused", row });
      }
      continue;
    }
    if (type === "end group" || type === "end_group") {
      const closed = stack.pop();
      if (!closed) {
        survey.issue(row.row, "type", { vi: "“end group” không có “begin group” tương ứng.", en: "“end group” without a matching “begin group”." });
        continue;
      }
      if (closed.kind === "grid" && grid) {
        finishGrid(grid, section!);
        grid = null;
      }
      if (closed.kind === "section") {
        if (section && section.items.length === 0)
          survey.issue(closed.row.row, "type", { vi: "Nhóm không có câu hỏi nào.", en: "The group holds no question." });
        section = null;
      }
      continue;
    }
    if (/^(begin|end)[ _]repeat$/.test(type)) {
      survey.issue(row.row, "type", {
        vi: "Nhóm lặp (repeat) không được hỗ trợ: mỗi phiếu của chiso là một bộ câu trả lời.",
        en: "Repeats are not supported: a chiso response is one set of answers.",
      });
      if (type.startsWith("begin")) stack.push({ kind: "refused", row });
      else stack.pop();
      continue;
    }

    // A question row.
    const words = type.split(" ");
    const head = words[0]!;
    const where = stack.at(-1)?.kind ?? "top";
    let item: (() => SectionItem | null) | null = null;
    if (head === "select_one" || head === "select_multiple") {
      const list = rawType.split(" ")[1];
      if (words.length > 2) {
        survey.issue(
          row.row,
          "type",
          words[2] === "or_other"
            ? {
                vi: "“or_other” không được hỗ trợ; hãy thêm lựa chọn “khác” và một câu text có relevant.",
                en: "“or_other” is not supported; add an “other” option and a text question with a relevant.",
              }
            : { vi: `Loại “${rawType}” không hợp lệ.`, en: `The type “${rawType}” is not valid.` },
        );
        continue;
      }
      if (!list) {
        survey.issue(row.row, "type", {
          vi: `“${head}” cần tên danh sách lựa chọn, ví dụ “${head} yes_no”.`,
          en: `“${head}” needs a list name, e.g. “${head} yes_no”.`,
        });
        continue;
      }
      if (!lists.has(list)) {
        survey.issue(row.row, "type", { vi: `Không có danh sách “${list}” trong trang “choices”.`, en: `There is no list “${list}” in the “choices” sheet.` });
        continue;
      }
      const appearance = appearanceOf(row);
      const inline = survey.get(row, SURVEY_COLUMNS.choices);
      if (inline && inline.toLowerCase() !== "inline") {
        survey.issue(row.row, SURVEY_COLUMNS.choices, {
          vi: `Chỉ nhận giá trị “inline”, không phải “${inline}”.`,
          en: `Only “inline” is accepted, not “${inline}”.`,
        });
      }
      const use: SelectUse = {
        list,
        one: head === "select_one",
        likert: appearance.includes("likert"),
        inGrid: where === "grid",
        inline: inline.toLowerCase() === "inline",
        row,
      };
      uses.push(use);
      if (where === "grid") {
        if (!use.one) {
          survey.issue(row.row, "type", {
            vi: "Một dòng của bảng phải là câu select_one trên thang đo của bảng.",
            en: "A grid row must be a select_one question on the grid's scale.",
          });
          continue;
        }
        addGridRow(row);
        continue;
      }
      const built = buildQuestionRow(row, head);
      item = built
        ? () => {
            const base = built();
            if (!base) return null;
            return finishSelect(base, use);
          }
        : null;
    } else if (head === "calculate") {
      survey.issue(row.row, "type", {
        vi: "“calculate” không có chỗ trong mô hình bộ câu hỏi của chiso: giá trị suy ra (tỷ lệ, tổng) thuộc về cây chỉ số (index.json), được tính khi chấm điểm.",
        en: "“calculate” has no place in chiso's questionnaire model: derived values (rates, totals) belong in the index tree (index.json) and are computed when scoring.",
      });
      continue;
    } else if (METADATA.has(head)) {
      survey.issue(row.row, "type", {
        vi: `“${head}” là trường siêu dữ liệu của ODK; chiso tự ghi thời điểm, thiết bị và người thu thập. Hãy xóa dòng này.`,
        en: `“${head}” is ODK metadata; chiso records the time, device and collector itself. Delete this row.`,
      });
      continue;
    } else if (
      NOT_HELD.has(head) ||
      head.endsWith("_from_file") ||
      head.endsWith("_external") ||
      head === "select_one_from_file" ||
      head === "select_multiple_from_file"
    ) {
      survey.issue(
        row.row,
        "type",
        head.includes("file") || head.includes("external")
          ? {
              vi: `Danh sách lựa chọn từ tệp ngoài (${head}) không được hỗ trợ; hãy đưa các lựa chọn vào trang “choices”.`,
              en: `Choices from an external file (${head}) are not supported; put the options in the “choices” sheet.`,
            }
          : { vi: `Loại câu hỏi “${head}” không được hỗ trợ.`, en: `The question type “${head}” is not supported.` },
      );
      continue;
    } else if (["integer", "int", "decimal", "text", "string", "date", "note"].includes(head) && words.length === 1) {
      if (where === "grid") {
        survey.issue(row.row, "type", {
          vi: "Một bảng chỉ chứa các câu select_one trên cùng thang đo.",
          en: "A grid holds only select_one questions on one scale.",
        });
        continue;
      }
      item = buildQuestionRow(row, head);
    } else {
      survey.issue(row.row, "type", { vi: `Loại câu hỏi “${rawType}” không có trong XLSForm mà chiso nhận.`, en: `Unknown question type “${rawType}”.` });
      continue;
    }
    if (!item) continue;
    let target: SectionDraft;
    if (section) target = section;
    else {
      implicit ??= startImplicit();
      target = implicit;
    }
    target.items.push({ place: { sheet: survey.name, row: row.row }, finish: item });
  }
  for (const open of stack)
    survey.issue(open.row.row, "type", { vi: "Nhóm này không được đóng (thiếu “end group”).", en: "This group is never closed (no “end group”)." });
  if (grid && section) finishGrid(grid, section);
  if (sections.length === 0) survey.issue(undefined, undefined, { vi: "Trang “survey” không có câu hỏi nào.", en: "The “survey” sheet holds no question." });

  function addGridRow(row: Row) {
    onlyColumns(row, "row");
    checkAppearance(row, ["likert"]);
    const g = grid!;
    g.rows.push({
      place: { sheet: survey.name, row: row.row },
      row,
      build: () => {
        if (survey.get(row, "constraint"))
          survey.issue(row.row, "constraint", { vi: "Dòng của bảng không có điều kiện (constraint).", en: "A grid row takes no constraint." });
        if (survey.text(row, "constraint_message"))
          survey.issue(row.row, "constraint_message", { vi: "Dòng của bảng không có constraint_message.", en: "A grid row takes no constraint_message." });
        const id = idOf(row);
        const label = labelOf(row, { vi: "dòng của bảng", en: "grid row" });
        const hint = survey.text(row, "hint");
        const relevant = expr(survey, row, "relevant");
        const required = requiredOf(row);
        const illustrative = flag(row, SURVEY_COLUMNS.illustrative);
        if (!id || !label) return null;
        return { id, label, ...(hint ? { hint } : {}), ...(relevant !== undefined ? { relevant } : {}), required, illustrative: illustrative ?? false };
      },
    });
  }

  function finishGrid(g: NonNullable<typeof grid>, into: SectionDraft) {
    const gridUses = uses.filter((u) => g.rows.some((r) => r.row === u.row));
    const scaleNames = [...new Set(gridUses.map((u) => u.list))];
    if (g.rows.length === 0) {
      survey.issue(g.row.row, "type", { vi: "Bảng không có dòng nào.", en: "The grid has no rows." });
      return;
    }
    if (scaleNames.length > 1) {
      survey.issue(g.row.row, "type", {
        vi: `Các dòng của bảng phải dùng cùng một thang đo, ở đây có: ${scaleNames.join(", ")}.`,
        en: `The rows of a grid must share one scale; these use: ${scaleNames.join(", ")}.`,
      });
    }
    const rows = g.rows.map((r) => ({ place: r.place, built: r.build() }));
    into.items.push({
      place: { sheet: survey.name, row: g.row.row },
      grid: { rows: rows.map((r) => r.place) },
      finish: () => {
        if (!g.id || !g.label || rows.some((r) => !r.built)) return null;
        return {
          type: "grid",
          id: g.id,
          label: g.label,
          ...(g.hint ? { hint: g.hint } : {}),
          ...(g.relevant !== undefined ? { relevant: g.relevant } : {}),
          scale: scaleNames[0]!,
          rows: rows.map((r) => r.built!),
        };
      },
    });
  }

  /** Reads a question row now (reporting its problems); returns how to build it once lists are known. */
  function buildQuestionRow(row: Row, head: string): (() => SectionItem | null) | null {
    const kind = head === "int" ? "integer" : head === "string" ? "text" : head;
    onlyColumns(row, kind);
    checkAppearance(row, kind === "text" ? ["multiline"] : kind === "select_one" ? ["likert"] : []);
    const id = idOf(row);
    const label = labelOf(row, { vi: "câu hỏi", en: "question" });
    const hint = survey.text(row, "hint");
    const relevant = expr(survey, row, "relevant");
    const common = { ...(hint ? { hint } : {}), ...(relevant !== undefined ? { relevant } : {}) };
    if (kind === "note") {
      noAnswerColumns(row, "ghi chú / note");
      if (survey.text(row, "constraint_message"))
        survey.issue(row.row, "constraint_message", { vi: "Ghi chú không có constraint_message.", en: "A note takes no constraint_message." });
      return id && label ? () => ({ id, type: "note", label, ...common }) : null;
    }
    const required = requiredOf(row);
    const constraint = expr(survey, row, "constraint");
    const constraintMessage = survey.text(row, "constraint_message");
    const demographic = flag(row, SURVEY_COLUMNS.demographic) ?? false;
    const illustrative = flag(row, SURVEY_COLUMNS.illustrative) ?? false;
    const answer = {
      ...common,
      required,
      ...(constraint !== undefined ? { constraint } : {}),
      ...(constraintMessage ? { constraintMessage } : {}),
      demographic,
      illustrative,
    };
    if (!id || !label) return null;
    switch (kind) {
      case "integer":
      case "decimal": {
        const min = number(row, SURVEY_COLUMNS.min, kind === "integer");
        const max = number(row, SURVEY_COLUMNS.max, kind === "integer");
        return () => ({ id, type: kind, label, ...answer, ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) });
      }
      case "date": {
        const min = dateBound(row, SURVEY_COLUMNS.min);
        const max = dateBound(row, SURVEY_COLUMNS.max);
        return () => ({ id, type: "date", label, ...answer, ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) });
      }
      case "text": {
        const maxLength = number(row, SURVEY_COLUMNS.maxLength, true) ?? DEFAULT_MAX_LENGTH;
        const document = flag(row, SURVEY_COLUMNS.document);
        const multiline = appearanceOf(row).includes("multiline");
        return () => ({ id, type: "text", label, ...answer, maxLength, multiline, ...(document !== undefined ? { document } : {}) });
      }
      default: {
        const maxSelected = kind === "select_multiple" ? number(row, SURVEY_COLUMNS.maxSelected, true) : undefined;
        // Completed by finishSelect once the list is known as a scale or a choice list.
        return () => ({ id, type: "single", label, ...answer, choices: "", ...(maxSelected !== undefined ? { maxSelected } : {}) }) as SectionItem;
      }
    }
  }

  // --- lists: a list with chiso::value, or used by a likert question or a grid, is a scale
  const scaleLists = new Set<string>();
  for (const l of lists.values()) if (l.hasValues) scaleLists.add(l.name);
  for (const u of uses) if (u.likert || u.inGrid) scaleLists.add(u.list);
  for (const u of uses) {
    if (scaleLists.has(u.list) && !u.one) {
      survey.issue(u.row.row, "type", {
        vi: `Danh sách “${u.list}” là thang đo (có chiso::value hoặc dùng cho likert) nên chỉ dùng được với select_one.`,
        en: `The list “${u.list}” is a scale (it has chiso::value or is used as likert), so only select_one can use it.`,
      });
    }
    if (scaleLists.has(u.list) && u.inline) {
      survey.issue(u.row.row, SURVEY_COLUMNS.choices, { vi: "Thang đo không thể là lựa chọn riêng (inline).", en: "A scale cannot be inline choices." });
    }
  }

  function finishSelect(base: SectionItem, use: SelectUse): SectionItem | null {
    if (base.type !== "single") return base;
    // The placeholder's `choices` and `maxSelected` are set again below for the type it becomes.
    const { choices: _placeholder, maxSelected, ...rest } = base as typeof base & { maxSelected?: number };
    void _placeholder;
    if (scaleLists.has(use.list)) {
      if (!use.one) return null;
      return { ...rest, type: "rating", scale: use.list };
    }
    const choices: string | Choice[] = use.inline ? lists.get(use.list)!.rows.map(toChoice) : use.list;
    if (use.one) return { ...rest, type: "single", choices };
    return { ...rest, type: "multiple", choices, ...(maxSelected !== undefined ? { maxSelected } : {}) };
  }

  const scales: Record<string, Scale> = {};
  const choiceLists: Record<string, Choice[]> = {};
  const scaleLabels = readScaleLabels(scaleTable);
  const inlineOnly = new Set(uses.filter((u) => u.inline).map((u) => u.list));
  for (const u of uses) if (!u.inline) inlineOnly.delete(u.list);
  for (const l of lists.values()) {
    if (scaleLists.has(l.name)) {
      const points: Scale["points"] = [];
      const outside: Choice[] = [];
      for (const c of l.rows) {
        if (c.outside) {
          if (c.value !== undefined)
            choices!.issue(c.row.row, CHOICE_COLUMNS.value, {
              vi: "Lựa chọn nằm ngoài thang đo (chiso::outside) không có giá trị.",
              en: "An option outside the scale (chiso::outside) has no value.",
            });
          outside.push({ code: c.code, label: c.label });
          continue;
        }
        const value = c.value ?? (/^-?\d+(\.\d+)?$/.test(c.code) ? Number(c.code) : undefined);
        if (value === undefined) {
          choices!.issue(c.row.row, CHOICE_COLUMNS.value, {
            vi: `Thang đo “${l.name}”: mức “${c.code}” cần một giá trị số ở cột chiso::value (hoặc đánh dấu chiso::outside nếu là “không biết”).`,
            en: `Scale “${l.name}”: the point “${c.code}” needs a number in chiso::value (or chiso::outside if it is a “don't know”).`,
          });
          continue;
        }
        points.push({ code: c.code, label: c.label, value });
      }
      const label = scaleLabels.get(l.name);
      scales[l.name] = { label: label?.label ?? { vi: l.name, en: l.name }, points, outside };
      l.rows.forEach((c) => {
        const inPoints = points.findIndex((p) => p.code === c.code);
        const inOutside = outside.findIndex((p) => p.code === c.code);
        const place = { sheet: choices!.name, row: c.row.row };
        if (inPoints >= 0) places.set(`scales.${l.name}.points.${inPoints}`, place);
        if (inOutside >= 0) places.set(`scales.${l.name}.outside.${inOutside}`, place);
      });
      places.set(`scales.${l.name}`, { sheet: choices!.name, row: l.firstRow });
    } else {
      if (l.hasValues) continue;
      if (!inlineOnly.has(l.name)) {
        choiceLists[l.name] = l.rows.map(toChoice);
        l.rows.forEach((c, i) => places.set(`choiceLists.${l.name}.${i}`, { sheet: choices!.name, row: c.row.row }));
        places.set(`choiceLists.${l.name}`, { sheet: choices!.name, row: l.firstRow });
      }
    }
  }
  for (const [name, entry] of scaleLabels) {
    if (!scaleLists.has(name))
      scaleTable!.issue(entry.row, "list_name", {
        vi: `Không có thang đo “${name}” trong trang “choices”.`,
        en: `There is no scale “${name}” in the “choices” sheet.`,
      });
  }

  // --- settings, respondent groups
  const header = readSettings(settings, options, issues);
  const respondentGroups = readGroups(groupTable);

  // --- sections: finish items, give implicit sections an id
  const usedIds = new Set<string>();
  for (const row of surveySheet.rows) {
    const n = survey.get(row, "name");
    if (n) usedIds.add(n);
  }
  const builtSections: Section[] = [];
  let implicitCount = 0;
  sections.forEach((draft) => {
    const s = builtSections.length;
    if (!draft.place) {
      let id: string;
      do id = `section_${++implicitCount}`;
      while (usedIds.has(id));
      usedIds.add(id);
      draft.section.id = id;
    } else places.set(`sections.${s}`, draft.place);
    const items: SectionItem[] = [];
    for (const item of draft.items) {
      const built = item.finish();
      if (!built) continue;
      const path = `sections.${s}.items.${items.length}`;
      places.set(path, item.place);
      item.grid?.rows.forEach((p, k) => places.set(`${path}.rows.${k}`, p));
      items.push(built);
    }
    builtSections.push({ ...draft.section, items } as Section);
  });

  if (issues.length) return { ok: false, issues: sortIssues(issues) };

  const candidate = {
    ...header.fields,
    respondentGroups: respondentGroups.groups,
    scales,
    choiceLists,
    sections: builtSections,
  };
  respondentGroups.places.forEach((p, i) => places.set(`respondentGroups.${i}`, p));
  const checked = checkInstrument(candidate);
  if (!checked.ok) {
    for (const e of checked.errors) issues.push(placeIssue(e.path, e.message, places, header.columnOf, { survey, choices, settings, groups: groupTable }));
    return { ok: false, issues: sortIssues(issues) };
  }
  if (header.fields.instanceName !== undefined) {
    const known = new Set(answerableQuestions(checked.instrument).map((q) => q.question.id));
    const unknown = references(parseExpr(header.fields.instanceName)).filter((r) => !known.has(r));
    if (unknown.length) {
      settings!.issue(header.row, "instance_name", {
        vi: `instance_name dùng câu hỏi không có: ${unknown.join(", ")}.`,
        en: `instance_name refers to unknown questions: ${unknown.join(", ")}.`,
      });
      return { ok: false, issues };
    }
  }
  return { ok: true, instrument: checked.instrument };
}

/** The type with single spaces and the older spellings read as today's ("select one from x" → "select_one x"). */
function canonicalType(type: string): string {
  const t = type.replace(/\s+/g, " ").trim();
  const m =
    /^(select one from|select all that apply from|select one|select all that apply|select multiple|select_one|select_multiple)\s+(\S+)(?:\s+(or specify other|or_other))?$/i.exec(
      t,
    );
  if (m) {
    const head = /^select (one|_one)|^select_one/i.test(m[1]!) ? "select_one" : "select_multiple";
    return `${head} ${m[2]}${m[3] ? " or_other" : ""}`;
  }
  if (/^begin loop over\b/i.test(t)) return "begin repeat";
  if (/^end loop$/i.test(t)) return "end repeat";
  return t;
}

function toChoice(c: ChoiceRow): Choice {
  return { code: c.code, label: c.label, ...(c.outside !== undefined ? { outside: c.outside } : {}) };
}

function readChoices(table: Table | null): Map<string, ListDraft> {
  const lists = new Map<string, ListDraft>();
  if (!table) return lists;
  if (!table.column("list_name"))
    table.issue(1, "list_name", { vi: "Trang “choices” thiếu cột “list_name”.", en: "The “choices” sheet has no “list_name” column." });
  if (!table.column("name")) table.issue(1, "name", { vi: "Trang “choices” thiếu cột “name”.", en: "The “choices” sheet has no “name” column." });
  for (const row of table.sheet.rows) {
    const list = table.get(row, "list_name");
    const code = table.get(row, "name");
    const label = table.text(row, "label");
    if (!list && !code && !label) continue;
    for (const col of table.filled(row, (b) => unsupportedColumn(b) === UNSUPPORTED_COLUMNS.image)) {
      table.issue(row.row, col, { vi: "Hình ảnh, âm thanh (media) của lựa chọn không được hỗ trợ.", en: "Media (image, audio) on options are not supported." });
    }
    if (!list) table.issue(row.row, "list_name", { vi: "Thiếu tên danh sách (list_name).", en: "The list name is missing." });
    if (!code) table.issue(row.row, "name", { vi: "Thiếu mã lựa chọn (name).", en: "The option's name (code) is missing." });
    else if (!CodeSchema.safeParse(code).success) {
      table.issue(row.row, "name", {
        vi: `Mã “${code}” không hợp lệ: chữ cái không dấu, chữ số, _ . - và tối đa 40 ký tự.`,
        en: `The code “${code}” is not valid: letters, digits, _ . - and at most 40 characters.`,
      });
    }
    if (!label) table.issue(row.row, "label", { vi: "Thiếu nhãn (label) của lựa chọn.", en: "The option has no label." });
    const valueText = table.get(row, CHOICE_COLUMNS.value);
    let value: number | undefined;
    if (valueText) {
      value = Number(valueText);
      if (!Number.isFinite(value)) {
        table.issue(row.row, CHOICE_COLUMNS.value, { vi: `“${valueText}” không phải số.`, en: `“${valueText}” is not a number.` });
        value = undefined;
      }
    }
    const outsideText = table.get(row, CHOICE_COLUMNS.outside);
    let outside: boolean | undefined;
    if (outsideText) {
      if (yes(outsideText)) outside = true;
      else if (no(outsideText)) outside = false;
      else table.issue(row.row, CHOICE_COLUMNS.outside, { vi: `“${outsideText}” không phải có/không (yes/no).`, en: `“${outsideText}” is not yes or no.` });
    }
    for (const col of table.filled(row, (b) => b.startsWith("chiso::") && b !== CHOICE_COLUMNS.value && b !== CHOICE_COLUMNS.outside)) {
      table.issue(row.row, col, { vi: `Cột ${col.header} không có trong chiso.`, en: `chiso has no column ${col.header}.` });
    }
    if (!list || !code || !label) continue;
    const draft = lists.get(list) ?? { name: list, rows: [], firstRow: row.row, hasValues: false };
    draft.rows.push({ row, code, label, ...(value !== undefined ? { value } : {}), ...(outside !== undefined ? { outside } : {}) });
    if (valueText) draft.hasValues = true;
    lists.set(list, draft);
  }
  return lists;
}

function readScaleLabels(table: Table | null): Map<string, { label: Text; row: number }> {
  const out = new Map<string, { label: Text; row: number }>();
  if (!table) return out;
  for (const row of table.sheet.rows) {
    const name = table.get(row, "list_name");
    const label = table.text(row, "label");
    if (!name && !label) continue;
    if (!name) table.issue(row.row, "list_name", { vi: "Thiếu tên thang đo (list_name).", en: "The scale's list_name is missing." });
    if (!label) table.issue(row.row, "label", { vi: "Thiếu nhãn (label) của thang đo.", en: "The scale has no label." });
    if (name && label) out.set(name, { label, row: row.row });
  }
  return out;
}

function readGroups(table: Table | null): { groups: RespondentGroup[]; places: Place[] } {
  if (!table) return { groups: [{ code: "all", label: { vi: "Tất cả người trả lời", en: "All respondents" } }], places: [] };
  const groups: RespondentGroup[] = [];
  const places: Place[] = [];
  for (const row of table.sheet.rows) {
    const code = table.get(row, "code");
    const label = table.text(row, "label");
    const description = table.text(row, "description");
    if (!code && !label && !description) continue;
    if (!code) table.issue(row.row, "code", { vi: "Thiếu mã nhóm (code).", en: "The group code is missing." });
    else if (!CodeSchema.safeParse(code).success)
      table.issue(row.row, "code", { vi: `Mã nhóm “${code}” không hợp lệ.`, en: `The group code “${code}” is not valid.` });
    if (!label) table.issue(row.row, "label", { vi: "Thiếu nhãn (label) của nhóm.", en: "The group has no label." });
    if (code && label) {
      groups.push({ code, label, ...(description ? { description } : {}) });
      places.push({ sheet: table.name, row: row.row });
    }
  }
  if (groups.length === 0)
    table.issue(undefined, undefined, { vi: "Trang chiso_groups không có nhóm người trả lời nào.", en: "The chiso_groups sheet lists no respondent group." });
  return { groups, places };
}

/** Title text on settings: chiso::title::… language columns, else the plain form_title for both. */
function settingsRowText(table: Table, base: string, plain?: string): Text | undefined {
  const row = table.sheet.rows[0];
  return row ? table.text(row, base, plain ?? base) : undefined;
}

function readSettings(table: Table | null, options: ImportOptions, issues: XlsformIssue[]) {
  const row = table?.sheet.rows[0];
  const get = (base: string) => (table && row ? table.get(row, base) : "");
  const rowNo = row?.row ?? 2;
  const fail = (base: string, message: Text) => {
    if (table) table.issue(rowNo, base, message);
    else issues.push({ sheet: SHEETS.settings, column: base, message });
  };
  const columnOf: Record<string, string> = {
    id: "form_id",
    version: "version",
    title: "form_title",
    intro: SETTINGS_COLUMNS.intro,
    family: SETTINGS_COLUMNS.family,
    year: SETTINGS_COLUMNS.year,
    unitLevel: SETTINGS_COLUMNS.unitLevel,
    kind: SETTINGS_COLUMNS.kind,
    source: SETTINGS_COLUMNS.source,
    instanceName: "instance_name",
  };
  if (get("public_key")) fail("public_key", { vi: "Biểu mẫu mã hóa (public_key) không được hỗ trợ.", en: "Encrypted forms (public_key) are not supported." });
  if (table && row) {
    for (const col of table.filled(row, (b) => b.startsWith("chiso::") && !(Object.values(SETTINGS_COLUMNS) as string[]).includes(b))) {
      table.issue(rowNo, col, { vi: `Cột ${col.header} không có trong chiso.`, en: `chiso has no column ${col.header}.` });
    }
  }

  const fromFile = options.fileName
    ? options.fileName
        .replace(/\.[^.]*$/, "")
        .toLowerCase()
        .normalize("NFD")
        .replace(/[\u0300-\u036f]/g, "")
        .replace(/đ/g, "d")
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "")
    : "";
  const id = options.id ?? (get("form_id") || fromFile);
  if (id === "") {
    fail("form_id", {
      vi: "Thiếu mã bộ câu hỏi: điền form_id trong trang settings hoặc dùng --id.",
      en: "No edition id: fill in form_id on the settings sheet or give --id.",
    });
  } else if (!/^[a-z][a-z0-9-]*$/.test(id)) {
    fail("form_id", {
      vi: `Mã bộ câu hỏi “${id}” không hợp lệ: chữ thường không dấu, chữ số và dấu -, bắt đầu bằng chữ cái (ví dụ sipas-2025); có thể đặt mã khác bằng --id.`,
      en: `The edition id “${id}” is not valid: lower-case letters, digits and -, starting with a letter (e.g. sipas-2025); give another with --id.`,
    });
  }
  const version = options.version ?? (get("version") || "1.0.0");
  if (!/^\d+\.\d+\.\d+$/.test(version)) {
    fail("version", {
      vi: `Phiên bản “${version}” không hợp lệ: chiso dùng dạng 1.0.0; có thể đặt bằng --version.`,
      en: `The version “${version}” is not valid: chiso uses versions like 1.0.0; give one with --version.`,
    });
  }
  const title = (table ? settingsRowText(table, SETTINGS_COLUMNS.title, "form_title") : undefined) ?? { vi: id, en: id };
  const intro = (table ? settingsRowText(table, SETTINGS_COLUMNS.intro) : undefined) ?? title;
  const trailingYear = /-(\d{4})$/.exec(id)?.[1];
  const family = get(SETTINGS_COLUMNS.family) || id.replace(/-\d{4}$/, "") || id;
  const yearText = get(SETTINGS_COLUMNS.year);
  const year = yearText ? Number(yearText) : trailingYear ? Number(trailingYear) : options.defaultYear;
  if (!Number.isInteger(year) || year < 2000 || year > 2100)
    fail(SETTINGS_COLUMNS.year, { vi: `Năm “${yearText}” không hợp lệ (2000–2100).`, en: `The year “${yearText}” is not valid (2000–2100).` });
  const unitLevel = get(SETTINGS_COLUMNS.unitLevel) || "village";
  if (!UnitLevelSchema.safeParse(unitLevel).success) {
    fail(SETTINGS_COLUMNS.unitLevel, {
      vi: `Cấp đơn vị “${unitLevel}” không hợp lệ; dùng: ${UnitLevelSchema.options.join(", ")}.`,
      en: `The unit level “${unitLevel}” is not valid; use ${UnitLevelSchema.options.join(", ")}.`,
    });
  }
  const kind = get(SETTINGS_COLUMNS.kind);
  if (kind && kind !== "survey" && kind !== "assessment")
    fail(SETTINGS_COLUMNS.kind, { vi: "chiso::kind là survey hoặc assessment.", en: "chiso::kind is survey or assessment." });
  const source = get(SETTINGS_COLUMNS.source);
  let instanceName: string | undefined;
  const instance = get("instance_name");
  if (instance) {
    const t = fromXlsform(instance);
    if (t.ok) instanceName = t.text;
    else fail("instance_name", t.message);
  }
  return {
    row: rowNo,
    columnOf,
    fields: {
      id,
      family,
      version,
      year,
      title,
      intro,
      ...(source ? { source } : {}),
      ...(kind ? { kind: kind as "survey" | "assessment" } : {}),
      unitLevel,
      ...(instanceName !== undefined ? { instanceName } : {}),
    },
  };
}

/** The column a definition field comes from, by the last part of its path. */
const FIELD_COLUMN: Record<string, string> = {
  id: "name",
  label: "label",
  hint: "hint",
  title: "label",
  intro: "hint",
  relevant: "relevant",
  required: "required",
  constraint: "constraint",
  constraintMessage: "constraint_message",
  scale: "type",
  choices: "type",
  type: "type",
  min: SURVEY_COLUMNS.min,
  max: SURVEY_COLUMNS.max,
  maxLength: SURVEY_COLUMNS.maxLength,
  maxSelected: SURVEY_COLUMNS.maxSelected,
  code: "name",
  value: CHOICE_COLUMNS.value,
  description: "description",
};

/** A checkInstrument finding placed on the cell its path came from (the longest known prefix). */
function placeIssue(
  path: string,
  message: string,
  places: Map<string, Place>,
  settingsColumns: Record<string, string>,
  tables: { survey: Table; choices: Table | null; settings: Table | null; groups: Table | null },
): XlsformIssue {
  const text: Text = { vi: `Định nghĩa không hợp lệ (${path || "bộ câu hỏi"}): ${message}`, en: `Not a valid definition (${path || "edition"}): ${message}` };
  const parts = path.split(".");
  for (let n = parts.length; n > 0; n--) {
    const place = places.get(parts.slice(0, n).join("."));
    if (!place) continue;
    const rest = parts.slice(n).filter((p) => !/^\d+$/.test(p) && p !== "vi" && p !== "en");
    const field = rest[0] ?? (parts[0] === "scales" || parts[0] === "choiceLists" ? "code" : "id");
    const table = [tables.survey, tables.choices, tables.groups].find((t) => t?.name === place.sheet)!;
    const base = FIELD_COLUMN[field] ?? field;
    const col = table.columns.get(base);
    const c = col?.plain ?? col?.langs.vi ?? col?.langs.en;
    return { sheet: place.sheet, row: place.row, column: c?.header ?? base, ...(c ? { letter: columnLetter(c.index) } : {}), message: text };
  }
  const column = settingsColumns[parts[0] ?? ""] ?? "";
  const c = column ? tables.settings?.columns.get(column)?.plain : undefined;
  return { sheet: SHEETS.settings, row: 2, ...(column ? { column: c?.header ?? column } : {}), ...(c ? { letter: columnLetter(c.index) } : {}), message: text };
}

function sortIssues(issues: XlsformIssue[]): XlsformIssue[] {
  const known = [SHEETS.settings, SHEETS.survey, SHEETS.choices, SHEETS.scales, SHEETS.groups] as string[];
  const order = (s: string) => (known.includes(s) ? known.indexOf(s) : known.length);
  return [...issues].sort(
    (a, b) =>
      order(a.sheet) - order(b.sheet) ||
      (a.row ?? 0) - (b.row ?? 0) ||
      (a.letter ?? "").length - (b.letter ?? "").length ||
      (a.letter ?? "").localeCompare(b.letter ?? ""),
  );
}
