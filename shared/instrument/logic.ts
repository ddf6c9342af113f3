/**
 * Form logic: which questions apply (relevance) and which must be answered (required), given the
 * answers so far. Pure, and used both live by the browser form and by the server's validation.
 *
 * Relevance is transitive: an answer to a question that does not apply reads as absent (null) in
 * every expression, so hiding q1 also hides whatever depends on q1's answer.
 *
 * Besides answers, an expression may read who answers: `${_group}` is the respondent group's code
 * and `${_unit}` the key of the unit answered for (docs/decisions/0010-respondent-form-on-a-phone.md). Both are null until known.
 */
import { evaluate, parseCached, truthy, type Expr, type ExprValue } from "../expr/index.js";
import type { Answers, Instrument } from "./schema.js";
import { formItems, type FormItem } from "./walk.js";

export interface ItemState {
  relevant: boolean;
  required: boolean;
}

export interface FormState {
  /** Every question and note by id (a note is never required). */
  questions: Record<string, ItemState>;
  sections: Record<string, { relevant: boolean }>;
  grids: Record<string, { relevant: boolean }>;
}

export interface LogicOptions {
  /** The date today() returns (YYYY-MM-DD); defaults to the local date. */
  today?: string;
  /** Who answers: read by `${_group}` and `${_unit}`. */
  respondent?: RespondentContext;
}

/** The respondent's group code and unit key, as a submission carries them; null while not chosen. */
export interface RespondentContext {
  group?: string | null;
  unit?: string | null;
}

/** References that name the respondent, not a question: question ids start with a letter, so none collides. */
export const RESPONDENT_REFERENCES = { _group: "group", _unit: "unit" } as const;
export type RespondentReference = keyof typeof RESPONDENT_REFERENCES;

export function isRespondentReference(name: string): name is RespondentReference {
  return Object.hasOwn(RESPONDENT_REFERENCES, name);
}

/** Lazily evaluated logic over one set of answers; each question is worked out at most once. */
export interface FormLogic {
  relevant(id: string): boolean;
  required(id: string): boolean;
  /** The answer as expressions see it: null when absent, not applicable, or not a question. */
  value(id: string): ExprValue;
  /** Whether `candidate` satisfies the question's constraint (true when it has none). */
  constraintHolds(id: string, candidate: unknown): boolean;
  sectionRelevant(id: string): boolean;
  gridRelevant(id: string): boolean;
}

interface CompiledItem {
  item: FormItem;
  relevance: Expr[];
  required: boolean | Expr;
  constraint: Expr | undefined;
}

interface Compiled {
  items: Map<string, CompiledItem>;
  sections: Map<string, Expr[]>;
  grids: Map<string, Expr[]>;
}

// Expressions are parsed once per instrument object; instruments are immutable once loaded.
const compiledCache = new WeakMap<Instrument, Compiled>();

function compile(instrument: Instrument): Compiled {
  const hit = compiledCache.get(instrument);
  if (hit) return hit;
  const items = new Map<string, CompiledItem>();
  const sections = new Map<string, Expr[]>();
  const grids = new Map<string, Expr[]>();
  for (const section of instrument.sections) {
    const sectionExprs = section.relevant === undefined ? [] : [parseCached(section.relevant)];
    if (!sections.has(section.id)) sections.set(section.id, sectionExprs);
    for (const item of section.items) {
      if (item.type === "grid" && !grids.has(item.id)) {
        grids.set(item.id, item.relevant === undefined ? sectionExprs : [...sectionExprs, parseCached(item.relevant)]);
      }
    }
  }
  for (const item of formItems(instrument)) {
    const q = item.question;
    if (items.has(q.id)) continue;
    const required = q.type === "note" ? false : typeof q.required === "string" ? parseCached(q.required) : q.required;
    const constraint = q.type !== "note" && q.constraint !== undefined ? parseCached(q.constraint) : undefined;
    items.set(q.id, { item, relevance: item.relevance.map(parseCached), required, constraint });
  }
  const compiled = { items, sections, grids };
  compiledCache.set(instrument, compiled);
  return compiled;
}

/** An answer as an expression value; anything that is not a valid answer shape reads as absent. */
export function answerToValue(v: unknown): ExprValue {
  if (typeof v === "string" || typeof v === "number") return v;
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string");
  return null;
}

export function formLogic(instrument: Instrument, answers: Readonly<Record<string, unknown>>, options: LogicOptions = {}): FormLogic {
  const compiled = compile(instrument);
  const relevantMemo = new Map<string, boolean>();
  const inProgress = new Set<string>();
  const today = options.today;

  const respondent = options.respondent ?? {};
  const read = (name: string): ExprValue => (isRespondentReference(name) ? (respondent[RESPONDENT_REFERENCES[name]] ?? null) : value(name));
  const ctx = { get: read, ...(today !== undefined ? { today } : {}) };
  const allHold = (exprs: readonly Expr[]) => exprs.every((e) => truthy(evaluate(e, ctx)));

  function relevant(id: string): boolean {
    const memo = relevantMemo.get(id);
    if (memo !== undefined) return memo;
    const entry = compiled.items.get(id);
    if (!entry) return false;
    // A cycle can only exist in an unchecked definition; treat its members as not applicable.
    if (inProgress.has(id)) return false;
    inProgress.add(id);
    const result = allHold(entry.relevance);
    inProgress.delete(id);
    relevantMemo.set(id, result);
    return result;
  }

  function value(id: string): ExprValue {
    const entry = compiled.items.get(id);
    if (!entry || entry.item.question.type === "note" || !Object.hasOwn(answers, id)) return null;
    return relevant(id) ? answerToValue(answers[id]) : null;
  }

  function required(id: string): boolean {
    const entry = compiled.items.get(id);
    if (!entry || !relevant(id)) return false;
    return typeof entry.required === "boolean" ? entry.required : truthy(evaluate(entry.required, ctx));
  }

  function constraintHolds(id: string, candidate: unknown): boolean {
    const entry = compiled.items.get(id);
    if (!entry?.constraint) return true;
    return truthy(evaluate(entry.constraint, { ...ctx, self: answerToValue(candidate) }));
  }

  const sectionRelevant = (id: string) => allHold(compiled.sections.get(id) ?? []);
  const gridRelevant = (id: string) => allHold(compiled.grids.get(id) ?? []);

  return { relevant, required, value, constraintHolds, sectionRelevant, gridRelevant };
}

/** Relevance and requirement of every section, grid, question and note for the given answers. */
export function formState(instrument: Instrument, answers: Readonly<Record<string, unknown>>, options: LogicOptions = {}): FormState {
  const logic = formLogic(instrument, answers, options);
  const compiled = compile(instrument);
  const state: FormState = { questions: {}, sections: {}, grids: {} };
  for (const id of compiled.sections.keys()) state.sections[id] = { relevant: logic.sectionRelevant(id) };
  for (const id of compiled.grids.keys()) state.grids[id] = { relevant: logic.gridRelevant(id) };
  for (const id of compiled.items.keys()) state.questions[id] = { relevant: logic.relevant(id), required: logic.required(id) };
  return state;
}

/**
 * The answers to questions that apply, in questionnaire order: what a form should submit, since
 * the server rejects answers to questions that do not apply.
 */
export function relevantAnswers(instrument: Instrument, answers: Answers, options: LogicOptions = {}): Answers {
  const logic = formLogic(instrument, answers, options);
  const out: Answers = {};
  for (const [id, entry] of compile(instrument).items) {
    if (entry.item.question.type === "note" || !Object.hasOwn(answers, id)) continue;
    if (logic.relevant(id)) out[id] = answers[id]!;
  }
  return out;
}
