/**
 * The XForm (ODK XForms 1.0) of a round, generated from its instrument: what ODK Collect and ODK
 * Web Forms download and fill. One instance node per question at `/data/<section>/<question>`
 * (grid rows under `/data/<section>/<grid>/`), binds with relevance, constraints and requirements
 * translated by xpath.ts, every label, hint, choice and message in Vietnamese and English (itext),
 * grids as field-list groups of likert rows, and the interview's unit and respondent group as the
 * first questions. The unit is picked with cascading, searchable selects over the round's units
 * CSV (an attachment listed in the manifest, limited to the enumerator's area).
 *
 * `submissionLayout` is the same walk without the XML: which instance path holds which question,
 * used to read a submission back (submission.ts).
 */
import type { Text } from "../../shared/i18n.js";
import type { AnswerableQuestion, Grid, Instrument, Question } from "../../shared/instrument/schema.js";
import { choicesOf, gridRowQuestion } from "../../shared/instrument/walk.js";
import { allOf, toXPath, xpathString } from "./xpath.js";
import { escapeXml } from "./xml.js";
import { UNIT_LEVEL_NAMES, type UnitLevel } from "../../shared/units/levels.js";

/** The instance group holding the unit and the respondent group; no section may be named so. */
export const INTERVIEW_GROUP = "chiso";
/** The CSV attachment of the unit choices, as the XForm names it (jr://file-csv/…). */
export const UNITS_FILE = "units.csv";
/** Names of notes that carry a section's intro or a grid's hint: question ids start with a letter, these cannot collide. */
const INTRO = "_intro";
const GRID_HINT = "_hint";

export interface XFormInput {
  instrument: Instrument;
  /** The form id (the round id): a submission names its round with it. */
  formId: string;
  /** The form's version: the edition's version. */
  version: string;
  title: Text;
  /** The respondent groups the round accepts. */
  groups: ReadonlyArray<{ code: string; label: Text }>;
  /**
   * The unit levels picked one after the other, broadest first, ending with the instrument's unit
   * level (e.g. ["commune", "village"]); a single level is one searchable list.
   */
  unitLevels: readonly string[];
}

/** Where each question lives in the instance. */
export interface SubmissionLayout {
  /** Question id → path below /data, e.g. ["procedure", "on_time"] or ["policy", "g1_1", "s1_1_1"]. */
  questions: Map<string, readonly string[]>;
  /** Notes (and section intros, grid hints): present in a submission, never an answer. */
  notes: Set<string>;
}

const pathText = (segments: readonly string[]) => `/data/${segments.join("/")}`;

export function submissionLayout(instrument: Instrument): SubmissionLayout {
  const questions = new Map<string, readonly string[]>();
  const notes = new Set<string>();
  for (const section of instrument.sections) {
    for (const item of section.items) {
      if (item.type === "grid") for (const row of item.rows) questions.set(row.id, [section.id, item.id, row.id]);
      else if (item.type === "note") notes.add(item.id);
      else questions.set(item.id, [section.id, item.id]);
    }
  }
  return { questions, notes };
}

/** Collects itext entries while the body is written. */
class Translations {
  private readonly entries: Array<[string, Text]> = [];
  /** Registers `text` under `id` and returns the label/hint element that points at it. */
  ref(tag: "label" | "hint", id: string, text: Text): string {
    this.entries.push([id, text]);
    return `<${tag} ref="jr:itext('${id}')"/>`;
  }
  add(id: string, text: Text): string {
    this.entries.push([id, text]);
    return `jr:itext('${id}')`;
  }
  xml(): string {
    const lang = (code: "vi" | "en", name: string, isDefault: boolean) =>
      `<translation lang="${escapeXml(name)}"${isDefault ? ' default="true()"' : ""}>` +
      this.entries.map(([id, text]) => `<text id="${escapeXml(id)}"><value>${escapeXml(text[code])}</value></text>`).join("") +
      `</translation>`;
    return `<itext>${lang("vi", "Tiếng Việt (vi)", true)}${lang("en", "English (en)", false)}</itext>`;
  }
}

const REQUIRED_MESSAGE: Text = { vi: "Câu hỏi này bắt buộc trả lời.", en: "This question needs an answer." };

export function buildXForm(input: XFormInput): string {
  const { instrument } = input;
  if (instrument.sections.some((s) => s.id === INTERVIEW_GROUP || s.id === "meta")) {
    throw new Error(`instrument ${instrument.id}: a section named "${INTERVIEW_GROUP}" or "meta" cannot be written as an XForm`);
  }
  const layout = submissionLayout(instrument);
  const pathOf = (id: string) => {
    const segments = layout.questions.get(id);
    return segments ? pathText(segments) : undefined;
  };
  const xpath = (source: string) => toXPath(source, pathOf);
  const tr = new Translations();
  const binds: string[] = [];
  const bind = (path: string, attrs: Record<string, string | undefined>) => {
    const rest = Object.entries(attrs)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => ` ${k}="${escapeXml(v!)}"`)
      .join("");
    binds.push(`<bind nodeset="${path}"${rest}/>`);
  };

  // ------------------------------------------------------------- the interview: unit and group
  const interviewPath = `/data/${INTERVIEW_GROUP}`;
  const levels = input.unitLevels.length > 0 ? input.unitLevels : [instrument.unitLevel];
  const unitNodes = levels.map((level, i) => (i === levels.length - 1 ? "unit" : level));
  const interviewBody: string[] = [tr.ref("label", `${interviewPath}:label`, { vi: "Đơn vị và người trả lời", en: "Unit and respondent" })];
  levels.forEach((level, i) => {
    const node = unitNodes[i]!;
    const path = `${interviewPath}/${node}`;
    const filter = [`level=${xpathString(level)}`];
    if (i > 0) filter.push(`parent=${interviewPath}/${unitNodes[i - 1]}`);
    bind(path, { type: "string", required: "true()", "jr:requiredMsg": tr.add(`${path}:jr:requiredMsg`, REQUIRED_MESSAGE) });
    interviewBody.push(
      `<select1 ref="${path}" appearance="autocomplete">` +
        tr.ref("label", `${path}:label`, UNIT_LEVEL_NAMES[level as UnitLevel] ?? { vi: level, en: level }) +
        (i === levels.length - 1
          ? tr.ref("hint", `${path}:hint`, { vi: "Gõ vài chữ của tên hoặc mã để tìm.", en: "Type part of the name or code to search." })
          : "") +
        `<itemset nodeset="instance('units')/root/item[${filter.join(" and ")}]"><value ref="name"/><label ref="label"/></itemset>` +
        `</select1>`,
    );
  });
  const groupPath = `${interviewPath}/group`;
  bind(groupPath, { type: "string", required: "true()", "jr:requiredMsg": tr.add(`${groupPath}:jr:requiredMsg`, REQUIRED_MESSAGE) });
  interviewBody.push(
    `<select1 ref="${groupPath}">` +
      tr.ref("label", `${groupPath}:label`, { vi: "Nhóm người trả lời", en: "Respondent group" }) +
      input.groups.map((g) => `<item>${tr.ref("label", `${groupPath}/${g.code}:label`, g.label)}<value>${escapeXml(g.code)}</value></item>`).join("") +
      `</select1>`,
  );
  // One group only: it is chosen already.
  const onlyGroup = input.groups.length === 1 ? escapeXml(input.groups[0]!.code) : "";
  const interviewInstance = `<${INTERVIEW_GROUP}>${unitNodes.map((n) => `<${n}/>`).join("")}<group>${onlyGroup}</group></${INTERVIEW_GROUP}>`;

  // ------------------------------------------------------------- the questionnaire
  const instanceParts: string[] = [];
  const bodyParts: string[] = [];

  const note = (path: string, text: Text, hint?: Text, relevant?: string) => {
    bind(path, { type: "string", readonly: "true()", relevant });
    return `<input ref="${path}">${tr.ref("label", `${path}:label`, text)}${hint ? tr.ref("hint", `${path}:hint`, hint) : ""}</input>`;
  };

  const question = (q: Question, path: string, appearance?: string): string => {
    if (q.type === "note") return note(path, q.label, q.hint, q.relevant && xpath(q.relevant));
    const attrs = questionBind(q, path, xpath, tr);
    bind(path, attrs);
    const label = tr.ref("label", `${path}:label`, q.label) + (q.hint ? tr.ref("hint", `${path}:hint`, q.hint) : "");
    const app = appearance ?? (q.type === "text" && q.multiline ? "multiline" : undefined);
    const appAttr = app ? ` appearance="${app}"` : "";
    if (q.type === "rating" || q.type === "single" || q.type === "multiple") {
      const tag = q.type === "multiple" ? "select" : "select1";
      const items = choicesOf(instrument, q)
        .map((c) => `<item>${tr.ref("label", `${path}/${c.code}:label`, c.label)}<value>${escapeXml(c.code)}</value></item>`)
        .join("");
      return `<${tag} ref="${path}"${appAttr}>${label}${items}</${tag}>`;
    }
    return `<input ref="${path}"${appAttr}>${label}</input>`;
  };

  for (const section of instrument.sections) {
    const sectionPath = `/data/${section.id}`;
    const children: string[] = [];
    const body: string[] = [tr.ref("label", `${sectionPath}:label`, section.title)];
    bind(sectionPath, { relevant: section.relevant && xpath(section.relevant) });
    if (section.intro) {
      children.push(`<${INTRO}/>`);
      body.push(note(`${sectionPath}/${INTRO}`, section.intro));
    }
    for (const item of section.items) {
      if (item.type === "grid") {
        children.push(gridInstance(item));
        body.push(gridBody(item, sectionPath));
      } else {
        children.push(`<${item.id}/>`);
        body.push(question(item, `${sectionPath}/${item.id}`));
      }
    }
    instanceParts.push(`<${section.id}>${children.join("")}</${section.id}>`);
    bodyParts.push(`<group ref="${sectionPath}">${body.join("")}</group>`);
  }

  function gridInstance(grid: Grid): string {
    return `<${grid.id}>${grid.hint ? `<${GRID_HINT}/>` : ""}${grid.rows.map((r) => `<${r.id}/>`).join("")}</${grid.id}>`;
  }

  function gridBody(grid: Grid, sectionPath: string): string {
    const gridPath = `${sectionPath}/${grid.id}`;
    bind(gridPath, { relevant: grid.relevant && xpath(grid.relevant) });
    const parts = [tr.ref("label", `${gridPath}:label`, grid.label)];
    if (grid.hint) parts.push(note(`${gridPath}/${GRID_HINT}`, grid.hint));
    for (const row of grid.rows) parts.push(question(gridRowQuestion(grid, row), `${gridPath}/${row.id}`, "likert"));
    return `<group ref="${gridPath}" appearance="field-list">${parts.join("")}</group>`;
  }

  // ------------------------------------------------------------- meta
  const meta = ["instanceID", "timeStart", "timeEnd", "deviceID", ...(instrument.instanceName ? ["instanceName"] : [])];
  bind("/data/meta/instanceID", { type: "string", readonly: "true()", "jr:preload": "uid" });
  bind("/data/meta/timeStart", { type: "dateTime", "jr:preload": "timestamp", "jr:preloadParams": "start" });
  bind("/data/meta/timeEnd", { type: "dateTime", "jr:preload": "timestamp", "jr:preloadParams": "end" });
  bind("/data/meta/deviceID", { type: "string", "jr:preload": "property", "jr:preloadParams": "deviceid" });
  if (instrument.instanceName) bind("/data/meta/instanceName", { type: "string", calculate: xpath(instrument.instanceName) });

  const data =
    `<data id="${escapeXml(input.formId)}" version="${escapeXml(input.version)}">` +
    interviewInstance +
    instanceParts.join("") +
    `<meta>${meta.map((m) => `<${m}/>`).join("")}</meta>` +
    `</data>`;

  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml" xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms" xmlns:odk="http://www.opendatakit.org/xforms" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` +
    `<h:head><h:title>${escapeXml(input.title.vi)}</h:title>` +
    `<model odk:xforms-version="1.0.0">` +
    tr.xml() +
    `<instance>${data}</instance>` +
    `<instance id="units" src="jr://file-csv/${UNITS_FILE}"/>` +
    binds.join("") +
    `</model></h:head>` +
    `<h:body><group ref="${interviewPath}">${interviewBody.join("")}</group>${bodyParts.join("")}</h:body>` +
    `</h:html>\n`
  );
}

const XFORM_TYPES = { rating: "string", single: "string", multiple: "string", integer: "int", decimal: "decimal", text: "string", date: "date" } as const;

/** The bind of an answerable question: type, relevance, requirement and every constraint the server also checks. */
function questionBind(q: AnswerableQuestion, path: string, xpath: (s: string) => string, tr: Translations): Record<string, string | undefined> {
  const constraints: string[] = [];
  const bounds: Text[] = [];
  if (q.constraint) constraints.push(xpath(q.constraint));
  if ((q.type === "integer" || q.type === "decimal") && (q.min !== undefined || q.max !== undefined)) {
    if (q.min !== undefined) constraints.push(`. >= ${q.min}`);
    if (q.max !== undefined) constraints.push(`. <= ${q.max}`);
    bounds.push(rangeText(q.min === undefined ? undefined : String(q.min), q.max === undefined ? undefined : String(q.max)));
  }
  if (q.type === "date" && (q.min !== undefined || q.max !== undefined)) {
    if (q.min !== undefined) constraints.push(`. >= date('${q.min}')`);
    if (q.max !== undefined) constraints.push(`. <= date('${q.max}')`);
    bounds.push(rangeText(q.min, q.max));
  }
  if (q.type === "text") {
    constraints.push(`string-length(.) <= ${q.maxLength}`);
    bounds.push({ vi: `Tối đa ${q.maxLength} ký tự.`, en: `At most ${q.maxLength} characters.` });
  }
  if (q.type === "multiple" && q.maxSelected !== undefined) {
    constraints.push(`count-selected(.) <= ${q.maxSelected}`);
    bounds.push({ vi: `Chọn tối đa ${q.maxSelected} phương án.`, en: `Choose at most ${q.maxSelected} options.` });
  }
  const message: Text | undefined = q.constraintMessage
    ? q.constraintMessage
    : bounds.length > 0
      ? { vi: bounds.map((b) => b.vi).join(" "), en: bounds.map((b) => b.en).join(" ") }
      : constraints.length > 0
        ? { vi: "Câu trả lời không hợp lệ.", en: "This answer is not valid." }
        : undefined;
  const required = q.required === true ? "true()" : typeof q.required === "string" ? xpath(q.required) : undefined;
  return {
    type: XFORM_TYPES[q.type],
    relevant: q.relevant === undefined ? undefined : xpath(q.relevant),
    required,
    constraint: allOf(constraints),
    "jr:constraintMsg": message ? tr.add(`${path}:jr:constraintMsg`, message) : undefined,
    "jr:requiredMsg": required ? tr.add(`${path}:jr:requiredMsg`, REQUIRED_MESSAGE) : undefined,
  };
}

function rangeText(min: string | undefined, max: string | undefined): Text {
  if (min !== undefined && max !== undefined) return { vi: `Giá trị phải từ ${min} đến ${max}.`, en: `The value must be from ${min} to ${max}.` };
  if (min !== undefined) return { vi: `Giá trị phải từ ${min} trở lên.`, en: `The value must be ${min} or more.` };
  return { vi: `Giá trị phải không quá ${max}.`, en: `The value must be ${max} or less.` };
}
