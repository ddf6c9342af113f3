/**
 * The paged-form controller shared by the respondent form (client/respond/app.tsx) and the
 * enumerator's interview (client/collect/interview.tsx): a start page (unit, group), then the
 * form's pages (pages.ts: one per section, a long one cut in several); which errors show when,
 * "Next" and "Back", checking every page before the end, placing the server's refusals on their
 * pages, and where focus goes (docs/decisions/0007-where-focus-goes.md). The two apps differ only in
 * where the record lives and what the last "Next" does, which they pass in.
 */
import { useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { FieldError } from "../../shared/errors.js";
import { answerError } from "../../shared/answer-problems.js";
import type { Answers, Instrument } from "../../shared/instrument/schema.js";
import { formState, type LogicOptions } from "../../shared/instrument/logic.js";
import { COMMON, fill, tr, type Lang } from "./i18n.js";
import { answerErrors } from "./form.js";
import { pageErrors, pageOfQuestion, relevantPages, type FormPage } from "./pages.js";
import { focusErrorSummary, focusFirstInvalid } from "./questions.js";

/** What the controller reads of the record being filled in. */
export interface PagedRecord {
  answers: Answers;
  unit: { key: string } | null;
  group: string | null;
  /** The page shown: a page id, or null for the start page. */
  section: string | null;
}

export interface PagedFormOptions {
  instrument: Instrument;
  record: PagedRecord;
  /** Shows a page (null: the start page); the app stores it with its record. */
  showPage(pageId: string | null): void;
  /** "Next" on the start page passed its checks (the respondent form notes when answering began). */
  onStarted?(): void;
  /** "Next" on the last page passed its checks. */
  onLastPage(): void;
  /** Problems already known when the form opens (a refused interview reopened): shown, focused. */
  initialServerErrors?: readonly FieldError[];
  /** Anything else whose change puts focus back on the heading (the respondent form's sending state). */
  headingKey?: string;
}

export function usePagedForm({ instrument, record, showPage, onStarted, onLastPage, initialServerErrors = [], headingKey = "" }: PagedFormOptions) {
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  /** Pages where "Next" was pressed: every error of the page shows, "required" included. */
  const [attempted, setAttempted] = useState<ReadonlySet<string>>(new Set());
  const [serverErrors, setServerErrors] = useState<ReadonlyMap<string, FieldError>>(() => new Map(initialServerErrors.map((e) => [e.question, e])));
  /** Set when a page is refused (by "Next" or by the server): its problems are summed up at its top. */
  const [summaryShown, setSummaryShown] = useState(false);
  /** Bumped when a page is refused: once the errors are on screen, focus goes to their summary, else to the first one. */
  const [focusRequest, setFocusRequest] = useState(initialServerErrors.length > 0 ? 1 : 0);
  const heading = useRef<HTMLHeadingElement>(null);

  // Who answers, as expressions read it (${_group}, ${_unit}); the server validates with the same.
  const logicOptions: LogicOptions = useMemo(() => ({ respondent: { group: record.group, unit: record.unit?.key ?? null } }), [record.group, record.unit?.key]);
  const state = useMemo(() => formState(instrument, record.answers, logicOptions), [instrument, record.answers, logicOptions]);
  const pages = relevantPages(instrument, state);
  const clientErrors = useMemo(() => answerErrors(instrument, record.answers, logicOptions), [instrument, record.answers, logicOptions]);
  const pageIndex = pages.findIndex((p) => p.id === record.section);
  const current: FormPage | null = pageIndex >= 0 ? pages[pageIndex]! : null;
  const page = current ? current.id : "start";

  // Layout effects run right after the DOM is updated, before anything else can move focus; in
  // this order, so that a refused page's first error wins over the new page's heading.
  useLayoutEffect(() => {
    heading.current?.focus();
    window.scrollTo(0, 0);
  }, [page, headingKey]);
  useLayoutEffect(() => {
    if (focusRequest > 0 && !focusErrorSummary()) focusFirstInvalid();
  }, [focusRequest]);

  const startErrors = (): Map<string, FieldError> => {
    const out = new Map<string, FieldError>();
    if (!record.unit) out.set("unit", answerError("unit", "required", COMMON.chooseUnit));
    if (!record.group) out.set("group", answerError("group", "required", COMMON.chooseGroup));
    return out;
  };

  /** Errors shown on a page: after "Next" all of them; before, only those of answered fields (never "required"). */
  const shownErrors = (pageId: string): Map<string, FieldError> => {
    const out = new Map<string, FieldError>(serverErrors);
    for (const [id, e] of pageId === "start" ? startErrors() : clientErrors) {
      if (attempted.has(pageId) || (touched.has(id) && e.code !== "required")) out.set(id, e);
    }
    return out;
  };

  const goTo = (pageId: string | null) => {
    setSummaryShown(false);
    showPage(pageId);
  };

  const blockPage = (pageId: string, errors: FieldError[]) => {
    setAttempted((a) => new Set(a).add(pageId));
    setSummaryShown(errors.length > 0);
    setFocusRequest((n) => n + 1);
  };

  const next = () => {
    if (page === "start") {
      const errors = [...startErrors().values()];
      if (errors.length) return blockPage("start", errors);
      onStarted?.();
      return goTo(pages[0]?.id ?? null);
    }
    const errors = pageErrors(instrument, clientErrors, page);
    if (errors.length) return blockPage(page, errors);
    const following = pages[pageIndex + 1];
    if (following) return goTo(following.id);
    onLastPage();
  };

  const back = () => goTo(pageIndex > 0 ? pages[pageIndex - 1]!.id : null);

  /**
   * Before sending: every page was checked on the way, but a later answer can change what an
   * earlier page requires. False, with the first problem's page shown, when something is wrong.
   */
  const checkAll = (): boolean => {
    const start = [...startErrors().values()];
    if (start.length) {
      goTo(null);
      blockPage("start", start);
      return false;
    }
    const all = [...clientErrors.values()];
    if (!all.length) return true;
    const target = pageOfQuestion(instrument, all[0]!.question) ?? page;
    if (target !== page) goTo(target);
    blockPage(target, pageErrors(instrument, clientErrors, target));
    return false;
  };

  /**
   * The server refused: its errors go on their pages (unit and group on the start page), the first
   * one's page is shown with its summary and focus. Returns the errors no page holds.
   */
  const refuse = (errors: readonly FieldError[]): { placed: number; unplaced: FieldError[] } => {
    const byQuestion = new Map<string, FieldError>();
    let target: string | null | undefined;
    for (const fe of errors) {
      const pageOf = fe.question === "unit" || fe.question === "group" ? "start" : pageOfQuestion(instrument, fe.question);
      if (!pageOf) continue;
      byQuestion.set(fe.question, fe);
      if (target === undefined) target = pageOf === "start" ? null : pageOf;
    }
    setServerErrors(byQuestion);
    if (target !== undefined) {
      goTo(target);
      setSummaryShown(true);
      setFocusRequest((n) => n + 1);
    }
    return { placed: byQuestion.size, unplaced: errors.filter((fe) => !byQuestion.has(fe.question)) };
  };

  /** An answer changed: the server's word on it no longer holds. */
  const changed = (id: string) => {
    if (!serverErrors.has(id)) return;
    const rest = new Map(serverErrors);
    rest.delete(id);
    setServerErrors(rest);
  };
  const touch = (id: string) => setTouched((t) => (t.has(id) ? t : new Set(t).add(id)));
  /** A new, empty form: nothing touched or attempted. */
  const reset = () => {
    setTouched(new Set());
    setAttempted(new Set());
    setServerErrors(new Map());
    setSummaryShown(false);
  };

  return {
    logicOptions,
    state,
    pages,
    pageIndex,
    current,
    page,
    clientErrors,
    heading,
    summaryShown,
    shownErrors,
    goTo,
    next,
    back,
    checkAll,
    refuse,
    changed,
    touch,
    reset,
  };
}

/** A page's heading: its section's title, and which part of it when the section spans several pages. */
export function pageTitle(page: FormPage, lang: Lang): string {
  const title = tr(page.section.title, lang);
  return page.parts > 1 ? `${title} (${fill(tr(COMMON.partOf, lang), { n: page.part, total: page.parts })})` : title;
}
