/**
 * The pages of a paged form on a phone: one per section, and a long section cut into several at
 * its grids and questions (never inside a grid), so that a page stays a few screens long at
 * 360 × 740 (test/browser/respond-phone.test.ts measures it). Pure, computed once per instrument.
 */
import type { FieldError } from "../../shared/errors.js";
import type { Instrument, Section } from "../../shared/instrument/schema.js";
import type { FormState } from "../../shared/instrument/logic.js";
import { formItems } from "../../shared/instrument/walk.js";

export interface FormPage {
  /** The section's id for its first page, "<section>~2", "~3"… for the next ones. */
  id: string;
  section: Section;
  /** Ids of the section's items (grids, questions, notes) on this page. */
  items: ReadonlySet<string>;
  /** 1-based, of `parts` pages the section has. */
  part: number;
  parts: number;
}

/**
 * How much a page may hold, in rows: a question or a grid's statement counts 1, a grid's heading
 * and a note ½. About ten rows of the compact layout fill three to four phone screens.
 */
export const PAGE_ROWS = 10;

const pagesCache = new WeakMap<Instrument, FormPage[]>();

export function formPages(instrument: Instrument): FormPage[] {
  const hit = pagesCache.get(instrument);
  if (hit) return hit;
  const pages: FormPage[] = [];
  for (const section of instrument.sections) {
    const chunks: string[][] = [[]];
    let rows = 0;
    let afterNote = false;
    for (const item of section.items) {
      const weight = item.type === "grid" ? 0.5 + item.rows.length : item.type === "note" ? 0.5 : 1;
      const current = chunks[chunks.length - 1]!;
      // A note introduces what follows it: never the last thing on a page.
      if (current.length > 0 && rows + weight > PAGE_ROWS && !afterNote) {
        chunks.push([item.id]);
        rows = weight;
      } else {
        current.push(item.id);
        rows += weight;
      }
      afterNote = item.type === "note";
    }
    chunks.forEach((ids, i) => {
      pages.push({ id: i === 0 ? section.id : `${section.id}~${i + 1}`, section, items: new Set(ids), part: i + 1, parts: chunks.length });
    });
  }
  pagesCache.set(instrument, pages);
  return pages;
}

/** The id of an item's top-level element in its section: its grid's id for a grid row. */
function topLevelId(instrument: Instrument, questionId: string): { section: string; item: string } | null {
  const it = formItems(instrument).find((x) => x.question.id === questionId);
  return it ? { section: it.section.id, item: it.grid?.id ?? it.question.id } : null;
}

/**
 * The pages that apply to these answers, in order: those of relevant sections that show at least
 * one question (a section that shows none keeps its first page, for its notes).
 */
export function relevantPages(instrument: Instrument, state: FormState): FormPage[] {
  const shows = (page: FormPage) =>
    formItems(instrument).some((it) => {
      if (it.section.id !== page.section.id || !page.items.has(it.grid?.id ?? it.question.id) || it.question.type === "note") return false;
      if (it.grid && state.grids[it.grid.id]?.relevant === false) return false;
      return state.questions[it.question.id]?.relevant !== false;
    });
  const pages = formPages(instrument).filter((p) => state.sections[p.section.id]?.relevant !== false);
  const showing = new Set(pages.filter(shows).map((p) => p.id));
  return pages.filter((p) => showing.has(p.id) || (p.part === 1 && !pages.some((o) => o.section === p.section && showing.has(o.id))));
}

/** The page holding a question (grid rows included). */
export function pageOfQuestion(instrument: Instrument, questionId: string): string | null {
  const where = topLevelId(instrument, questionId);
  if (!where) return null;
  return formPages(instrument).find((p) => p.section.id === where.section && p.items.has(where.item))?.id ?? null;
}

/** The errors of one page's questions, in questionnaire order. */
export function pageErrors(instrument: Instrument, errors: ReadonlyMap<string, FieldError>, pageId: string): FieldError[] {
  const page = formPages(instrument).find((p) => p.id === pageId);
  if (!page) return [];
  const out: FieldError[] = [];
  for (const it of formItems(instrument)) {
    if (it.section.id !== page.section.id || !page.items.has(it.grid?.id ?? it.question.id)) continue;
    const e = errors.get(it.question.id);
    if (e) out.push(e);
  }
  return out;
}
