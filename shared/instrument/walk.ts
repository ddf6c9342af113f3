/** Flattened views of an instrument: the questions in order, with grids unrolled into rating questions. */
import type { AnswerableQuestion, Choice, Grid, Instrument, Question, Section } from "./schema.js";

/** One question as the form presents it. */
export interface FormItem<Q extends Question = Question> {
  /** A grid row appears here as a rating question on the grid's scale. */
  question: Q;
  section: Section;
  /** The grid the question is a row of, if any. */
  grid?: Grid;
  /**
   * Relevance expressions that must all hold for the question to apply, outermost first:
   * the section's, the grid's, then the question's own. Empty = always relevant.
   */
  relevance: string[];
  /** Dotted path of the question in the definition, e.g. "sections.1.items.3.rows.0". */
  path: string;
}
export type AnswerableItem = FormItem<AnswerableQuestion>;

interface Flat {
  items: FormItem[];
  answerable: AnswerableItem[];
  itemById: Map<string, FormItem>;
  questionById: Map<string, AnswerableQuestion>;
}

// Instruments are immutable once loaded, so the flattening is computed once per object.
const flatCache = new WeakMap<Instrument, Flat>();

/** A grid's row as the rating question it is: its own id, label and rules, the grid's scale. */
export function gridRowQuestion(grid: Grid, row: Grid["rows"][number]): AnswerableQuestion {
  return {
    id: row.id,
    type: "rating",
    label: row.label,
    ...(row.hint ? { hint: row.hint } : {}),
    ...(row.relevant !== undefined ? { relevant: row.relevant } : {}),
    required: row.required,
    demographic: false,
    illustrative: row.illustrative,
    scale: grid.scale,
  };
}

function flatten(instrument: Instrument): Flat {
  const cached = flatCache.get(instrument);
  if (cached) return cached;
  const items: FormItem[] = [];
  instrument.sections.forEach((section, s) => {
    const sectionRelevance = section.relevant === undefined ? [] : [section.relevant];
    section.items.forEach((item, i) => {
      const path = `sections.${s}.items.${i}`;
      if (item.type !== "grid") {
        const own = item.relevant === undefined ? [] : [item.relevant];
        items.push({ question: item, section, relevance: [...sectionRelevance, ...own], path });
        return;
      }
      const gridRelevance = item.relevant === undefined ? sectionRelevance : [...sectionRelevance, item.relevant];
      item.rows.forEach((row, r) => {
        const question = gridRowQuestion(item, row);
        const own = row.relevant === undefined ? [] : [row.relevant];
        items.push({ question, section, grid: item, relevance: [...gridRelevance, ...own], path: `${path}.rows.${r}` });
      });
    });
  });
  const answerable = items.filter((it): it is AnswerableItem => it.question.type !== "note");
  // First occurrence wins; duplicate ids are reported by checkInstrument.
  const itemById = new Map<string, FormItem>();
  for (const it of items) if (!itemById.has(it.question.id)) itemById.set(it.question.id, it);
  const questionById = new Map<string, AnswerableQuestion>();
  for (const it of answerable) if (!questionById.has(it.question.id)) questionById.set(it.question.id, it.question);
  const flat = { items, answerable, itemById, questionById };
  flatCache.set(instrument, flat);
  return flat;
}

/** Every question and note, in questionnaire order. */
export function formItems(instrument: Instrument): readonly FormItem[] {
  return flatten(instrument).items;
}

/** The questions that take an answer (notes left out), in questionnaire order. */
export function answerableQuestions(instrument: Instrument): readonly AnswerableItem[] {
  return flatten(instrument).answerable;
}

/** Answerable questions by id, grid rows included as rating questions (notes, grids and sections are not). */
export function questionById(instrument: Instrument): ReadonlyMap<string, AnswerableQuestion> {
  return flatten(instrument).questionById;
}

/** Questions and notes by id, with their section, grid and relevance chain. */
export function itemById(instrument: Instrument): ReadonlyMap<string, FormItem> {
  return flatten(instrument).itemById;
}

/**
 * The valid answer codes of a choice question: inline choices or the named list; for a rating,
 * the scale's points (low to high) followed by its outside codes. Other types have none.
 * Throws if a named scale or list is missing, which checkInstrument rules out.
 */
export function choicesOf(instrument: Instrument, question: Question): readonly Choice[] {
  switch (question.type) {
    case "rating": {
      const scale = Object.hasOwn(instrument.scales, question.scale) ? instrument.scales[question.scale] : undefined;
      if (!scale) throw new Error(`instrument ${instrument.id}: question ${question.id} uses unknown scale '${question.scale}'`);
      return [...scale.points, ...scale.outside];
    }
    case "single":
    case "multiple": {
      if (typeof question.choices !== "string") return question.choices;
      const list = Object.hasOwn(instrument.choiceLists, question.choices) ? instrument.choiceLists[question.choices] : undefined;
      if (!list) throw new Error(`instrument ${instrument.id}: question ${question.id} uses unknown choice list '${question.choices}'`);
      return list;
    }
    default:
      return [];
  }
}
