/**
 * Validation of a set of answers against an instrument, shared by the server (which rejects) and
 * the browser form (which guides). At most one error per question, in questionnaire order.
 *
 * Decisions:
 * - An answer to a question that does not apply is rejected (`not_relevant`), never dropped, so
 *   what is stored is exactly what was sent; `relevantAnswers` in logic.ts strips them client-side.
 * - '' and [] mean "not answered" for every type: they satisfy nothing required and are not
 *   type-checked. null is not an answer value: omit the question instead (`wrong_type`).
 * - Text must already be Unicode NFC (`wrong_type` otherwise): normalising is the form's job, and
 *   the server does not rewrite what it stores. Length counts code points. Text holds no control
 *   character other than tab, line feed and carriage return (`wrong_type`; see decision 0002).
 * - Choice answers must be the code strings ("2", not 2): `wrong_type` for another type,
 *   `invalid_choice` for a string that is not a code.
 */
import type { FieldError } from "../errors.js";
import { ANSWER_PROBLEMS, answerError } from "../answer-problems.js";
import { controlCharacter } from "../api/strings.js";
import type { Text } from "../i18n.js";
import { formLogic, type LogicOptions } from "./logic.js";
import type { AnswerableQuestion, Instrument } from "./schema.js";
import { choicesOf, formItems, itemById } from "./walk.js";

/** YYYY-MM-DD naming a day that exists (no 2023-02-30). */
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]!;
  return d <= days;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function isMissing(v: unknown): boolean {
  return v === undefined || v === "" || (Array.isArray(v) && v.length === 0);
}

const numberFormat = {
  vi: new Intl.NumberFormat("vi-VN", { useGrouping: false, maximumFractionDigits: 20 }),
  en: new Intl.NumberFormat("en-US", { useGrouping: false, maximumFractionDigits: 20 }),
};

function rangeText(min: number | undefined, max: number | undefined): Text {
  const vi = (n: number) => numberFormat.vi.format(n);
  const en = (n: number) => numberFormat.en.format(n);
  if (min !== undefined && max !== undefined) {
    return { vi: `Giá trị phải từ ${vi(min)} đến ${vi(max)}.`, en: `The value must be between ${en(min)} and ${en(max)}.` };
  }
  if (min !== undefined) return { vi: `Giá trị phải lớn hơn hoặc bằng ${vi(min)}.`, en: `The value must be at least ${en(min)}.` };
  return { vi: `Giá trị phải nhỏ hơn hoặc bằng ${vi(max ?? 0)}.`, en: `The value must be at most ${en(max ?? 0)}.` };
}

function dateRangeText(min: string | undefined, max: string | undefined): Text {
  const vi = (d: string) => d.split("-").reverse().join("/"); // 2024-03-09 → 09/03/2024
  if (min !== undefined && max !== undefined) {
    return { vi: `Ngày phải từ ${vi(min)} đến ${vi(max)}.`, en: `The date must be between ${min} and ${max}.` };
  }
  if (min !== undefined) return { vi: `Ngày không được trước ${vi(min)}.`, en: `The date must not be before ${min}.` };
  return { vi: `Ngày không được sau ${vi(max ?? "")}.`, en: `The date must not be after ${max ?? ""}.` };
}

const TEXTS = {
  notAnObject: { vi: "Các câu trả lời phải là một đối tượng JSON theo mã câu hỏi.", en: "Answers must be a JSON object keyed by question id." },
  note: { vi: "Đây là phần ghi chú, không có câu trả lời.", en: "This is a note; it takes no answer." },
  expectCode: { vi: "Câu trả lời phải là mã của một lựa chọn.", en: "The answer must be the code of an option." },
  expectCodes: { vi: "Câu trả lời phải là danh sách mã lựa chọn.", en: "The answer must be a list of option codes." },
  expectInteger: { vi: "Câu trả lời phải là số nguyên.", en: "The answer must be a whole number." },
  expectNumber: { vi: "Câu trả lời phải là số.", en: "The answer must be a number." },
  expectText: { vi: "Câu trả lời phải là văn bản.", en: "The answer must be text." },
  notNfc: { vi: "Văn bản chưa được chuẩn hóa Unicode (NFC).", en: "The text must be Unicode NFC-normalised." },
  expectDate: { vi: "Ngày phải là văn bản dạng YYYY-MM-DD.", en: "The date must be text in the form YYYY-MM-DD." },
} satisfies Record<string, Text>;

/** Why `value` (already known to be present) does not fit the question's type, or null. */
function typeError(instrument: Instrument, q: AnswerableQuestion, value: unknown): FieldError | null {
  const id = q.id;
  switch (q.type) {
    case "rating":
    case "single": {
      if (typeof value !== "string") return answerError(id, "wrong_type", TEXTS.expectCode);
      const codes = new Set(choicesOf(instrument, q).map((c) => c.code));
      return codes.has(value) ? null : answerError(id, "invalid_choice", notAnOption(value));
    }
    case "multiple": {
      if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) return answerError(id, "wrong_type", TEXTS.expectCodes);
      const codes = new Set(choicesOf(instrument, q).map((c) => c.code));
      const seen = new Set<string>();
      for (const code of value as string[]) {
        if (!codes.has(code)) return answerError(id, "invalid_choice", notAnOption(code));
        if (seen.has(code)) {
          return answerError(id, "invalid_choice", { vi: `Lựa chọn '${code}' bị chọn hai lần.`, en: `Option '${code}' is selected twice.` });
        }
        seen.add(code);
      }
      if (q.maxSelected !== undefined && value.length > q.maxSelected) {
        return answerError(id, "too_many_choices", { vi: `Chỉ được chọn tối đa ${q.maxSelected} lựa chọn.`, en: `Select at most ${q.maxSelected} options.` });
      }
      return null;
    }
    case "integer":
    case "decimal": {
      const ok = typeof value === "number" && (q.type === "integer" ? Number.isSafeInteger(value) : Number.isFinite(value));
      if (!ok) return answerError(id, "wrong_type", q.type === "integer" ? TEXTS.expectInteger : TEXTS.expectNumber);
      const n = value as number;
      if ((q.min !== undefined && n < q.min) || (q.max !== undefined && n > q.max)) {
        return answerError(id, "out_of_range", rangeText(q.min, q.max));
      }
      return null;
    }
    case "text": {
      if (typeof value !== "string") return answerError(id, "wrong_type", TEXTS.expectText);
      const control = controlCharacter(value);
      if (control) return answerError(id, "wrong_type", controlText(control));
      if (value !== value.normalize("NFC")) return answerError(id, "wrong_type", TEXTS.notNfc);
      if ([...value].length > q.maxLength) {
        return answerError(id, "too_long", { vi: `Tối đa ${q.maxLength} ký tự.`, en: `At most ${q.maxLength} characters.` });
      }
      return null;
    }
    case "date": {
      if (typeof value !== "string") return answerError(id, "wrong_type", TEXTS.expectDate);
      if (!isCalendarDate(value)) return answerError(id, "invalid_date");
      if ((q.min !== undefined && value < q.min) || (q.max !== undefined && value > q.max)) {
        return answerError(id, "out_of_range", dateRangeText(q.min, q.max));
      }
      return null;
    }
  }
}

function controlText(character: string): Text {
  return {
    vi: `Văn bản không được chứa ký tự điều khiển (${character}); chỉ cho phép tab và xuống dòng.`,
    en: `The text must not contain a control character (${character}); only tab and line breaks are allowed.`,
  };
}

function notAnOption(code: string): Text {
  return { vi: `'${code}' không có trong danh sách lựa chọn.`, en: `'${code}' is not one of the options.` };
}

/** Every problem with `answers` (empty = valid): at most one per question, in questionnaire order. */
export function validateAnswers(instrument: Instrument, answers: unknown, options: LogicOptions = {}): FieldError[] {
  if (!isPlainObject(answers)) return [answerError("answers", "invalid_field", TEXTS.notAnObject)];
  const logic = formLogic(instrument, answers, options);
  const errors: FieldError[] = [];
  const checked = new Set<string>();

  for (const item of formItems(instrument)) {
    const q = item.question;
    if (checked.has(q.id)) continue; // a duplicate id in an unchecked definition
    checked.add(q.id);
    const present = Object.hasOwn(answers, q.id);
    const value = present ? answers[q.id] : undefined;
    if (q.type === "note") {
      if (present) errors.push(answerError(q.id, "unknown_question", TEXTS.note));
      continue;
    }
    if (!logic.relevant(q.id)) {
      if (!isMissing(value)) errors.push(answerError(q.id, "not_relevant"));
      continue;
    }
    if (isMissing(value)) {
      if (logic.required(q.id)) errors.push(answerError(q.id, "required"));
      continue;
    }
    const wrong = typeError(instrument, q, value);
    if (wrong) {
      errors.push(wrong);
      continue;
    }
    if (!logic.constraintHolds(q.id, value)) errors.push(answerError(q.id, "constraint", q.constraintMessage ?? ANSWER_PROBLEMS.constraint));
  }

  const known = itemById(instrument);
  for (const key of Object.keys(answers)) {
    if (!known.has(key)) errors.push(answerError(key, "unknown_question"));
  }
  return errors;
}
