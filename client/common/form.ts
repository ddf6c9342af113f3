/** Pure helpers of the paged form: which problems show, how typed text becomes an answer (pages: pages.ts). */
import type { FieldError } from "../../shared/errors.js";
import type { AnswerValue, Answers, Instrument } from "../../shared/instrument/schema.js";
import type { LogicOptions } from "../../shared/instrument/logic.js";
import { validateAnswers } from "../../shared/instrument/validate.js";

/**
 * The problems to show, by question: validateAnswers' findings minus `not_relevant` (answers to
 * questions that no longer apply are kept in the draft, in case the respondent changes back, and
 * are left out of what is sent).
 */
export function answerErrors(instrument: Instrument, answers: Answers, options: LogicOptions = {}): Map<string, FieldError> {
  const out = new Map<string, FieldError>();
  for (const e of validateAnswers(instrument, answers, options)) if (e.code !== "not_relevant" && !out.has(e.question)) out.set(e.question, e);
  return out;
}

/** A copy of the answers with one answer set, or removed when empty. */
export function withAnswer(answers: Answers, id: string, value: AnswerValue | undefined): Answers {
  const next = { ...answers };
  if (value === undefined || value === "" || (Array.isArray(value) && value.length === 0)) delete next[id];
  else next[id] = value;
  return next;
}

/**
 * Typed text → answer. A number when it reads as one (a decimal comma is accepted, as Vietnamese
 * writes it); otherwise the text itself, so that validation explains what is wrong with it.
 */
export function parseNumber(text: string, integer: boolean): AnswerValue | undefined {
  const s = text.trim().replace(/\s/g, "");
  if (s === "") return undefined;
  const normal = integer ? s : s.replace(",", ".");
  const ok = integer ? /^[-+]?\d+$/.test(normal) : /^[-+]?(\d+\.?\d*|\.\d+)$/.test(normal);
  return ok ? Number(normal) : s;
}
