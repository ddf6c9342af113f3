/** Question renderers shared by the respondent form and the enumerator app: one section page, its grids and questions. */
import { useState } from "preact/hooks";
import type { ComponentChildren } from "preact";
import type { FieldError } from "../../shared/errors.js";
import type { AnswerValue, Answers, AnswerableQuestion, Grid, Instrument, Section } from "../../shared/instrument/schema.js";
import type { FormState } from "../../shared/instrument/logic.js";
import { answerableQuestions, choicesOf, formItems, type FormItem } from "../../shared/instrument/walk.js";
import { COMMON, tr, type Lang, type Text } from "./i18n.js";
import { parseNumber } from "./form.js";

export interface AnswerHandlers {
  /** A new value (undefined = cleared). */
  onAnswer(id: string, value: AnswerValue | undefined): void;
  /** The person is done with the field (change committed, left the field): its errors may show now. */
  onTouch(id: string): void;
}

interface SectionViewProps extends AnswerHandlers {
  instrument: Instrument;
  section: Section;
  answers: Answers;
  state: FormState;
  /** Errors to show now, by question id. */
  errors: ReadonlyMap<string, FieldError>;
  lang: Lang;
  /** Only these of the section's items (grids, questions, notes), when the section spans several pages. */
  items?: ReadonlySet<string>;
  /** Whether the section's introduction shows (on its first page only). */
  intro?: boolean;
}

/** The DOM id of a question's wrapper; the first control inside is what gets focus on an error. */
export const questionDomId = (id: string) => `q-${id}`;

/** Moves focus to a question's first control and brings it into view. */
export function focusQuestion(id: string): void {
  const wrapper = document.getElementById(questionDomId(id));
  if (wrapper) focusWrapper(wrapper);
}

/**
 * Moves focus to the first question on screen that shows an error, in document order, and brings
 * it into view. Call it after the errors are rendered (from a layout effect). False when none shows.
 */
export function focusFirstInvalid(root: ParentNode = document): boolean {
  const wrapper = root.querySelector<HTMLElement>(".q.has-error");
  if (!wrapper) return false;
  focusWrapper(wrapper);
  return true;
}

function focusWrapper(wrapper: HTMLElement): void {
  // A radio group is entered at its checked radio, as Tab would do.
  const control = wrapper.querySelector<HTMLElement>("input:checked, input, textarea, select, button") ?? wrapper;
  wrapper.scrollIntoView({ block: "center" });
  control.focus({ preventScroll: true });
}

interface Block {
  grid?: Grid;
  items: FormItem[];
}

/** The items of one section, grid rows gathered under their grid, hidden when they do not apply. */
export function SectionView({ instrument, section, answers, state, errors, lang, onAnswer, onTouch, items, intro = true }: SectionViewProps) {
  const blocks: Block[] = [];
  for (const item of formItems(instrument)) {
    if (item.section.id !== section.id) continue;
    if (items && !items.has(item.grid?.id ?? item.question.id)) continue;
    const last = blocks[blocks.length - 1];
    if (item.grid && last?.grid === item.grid) last.items.push(item);
    else blocks.push(item.grid ? { grid: item.grid, items: [item] } : { items: [item] });
  }
  const shown = (id: string) => state.questions[id]?.relevant !== false;
  const handlers = { onAnswer, onTouch };
  return (
    <div class="section-body">
      {intro && section.intro && <p class="intro">{tr(section.intro, lang)}</p>}
      {blocks.map((block) => {
        if (block.grid) {
          if (state.grids[block.grid.id]?.relevant === false) return null;
          const rows = block.items.filter((it) => shown(it.question.id));
          if (rows.length === 0) return null;
          return (
            <section class="grid" key={block.grid.id} aria-labelledby={`g-${block.grid.id}`}>
              <h2 id={`g-${block.grid.id}`}>{tr(block.grid.label, lang)}</h2>
              {block.grid.hint && <p class="hint">{tr(block.grid.hint, lang)}</p>}
              {rows.map((it) => (
                <QuestionView
                  key={it.question.id}
                  instrument={instrument}
                  question={it.question as AnswerableQuestion}
                  value={answers[it.question.id]}
                  required={state.questions[it.question.id]?.required ?? false}
                  error={errors.get(it.question.id)}
                  lang={lang}
                  {...handlers}
                />
              ))}
            </section>
          );
        }
        const item = block.items[0]!;
        const q = item.question;
        if (!shown(q.id)) return null;
        if (q.type === "note") {
          return (
            <div class="note" key={q.id} id={questionDomId(q.id)}>
              <p>{tr(q.label, lang)}</p>
              {q.hint && <p class="hint">{tr(q.hint, lang)}</p>}
            </div>
          );
        }
        return (
          <QuestionView
            key={q.id}
            instrument={instrument}
            question={q}
            value={answers[q.id]}
            required={state.questions[q.id]?.required ?? false}
            error={errors.get(q.id)}
            lang={lang}
            {...handlers}
          />
        );
      })}
    </div>
  );
}

interface QuestionProps extends AnswerHandlers {
  instrument: Instrument;
  question: AnswerableQuestion;
  value: AnswerValue | undefined;
  required: boolean;
  error: FieldError | undefined;
  lang: Lang;
}

/** "*" for the eye, "(bắt buộc)" for screen readers. */
export function RequiredMark({ lang }: { lang: Lang }) {
  return (
    <>
      <span class="req" aria-hidden="true">
        {" *"}
      </span>
      <span class="sr-only">{` (${tr(COMMON.required, lang)})`}</span>
    </>
  );
}

export function ErrorMessage({ id, text }: { id: string; text: string }) {
  return (
    <p class="field-error" id={id}>
      <span aria-hidden="true">⚠ </span>
      {text}
    </p>
  );
}

/** Error text in the respondent's language: the server's and validateAnswers' messages come in both. */
export function errorText(error: FieldError, lang: Lang): string {
  return lang === "vi" ? error.message_vi : error.message_en;
}

function describedBy(id: string, hint: Text | undefined, error: FieldError | undefined): string | undefined {
  const ids = [hint ? `${id}-hint` : "", error ? `${id}-err` : ""].filter(Boolean).join(" ");
  return ids || undefined;
}

export function QuestionView(props: QuestionProps) {
  switch (props.question.type) {
    case "rating":
    case "single":
    case "multiple":
      return <ChoiceQuestion {...props} />;
    case "integer":
    case "decimal":
      return <NumberQuestion {...props} />;
    default:
      return <TextQuestion {...props} />;
  }
}

/** Choices this short sit side by side on a phone ("Có | Không"); longer ones stack, one per row. */
const INLINE_LABEL_MAX = 14;

function ChoiceQuestion({ instrument, question: q, value, required, error, lang, onAnswer, onTouch }: QuestionProps) {
  const dom = questionDomId(q.id);
  const multiple = q.type === "multiple";
  const selected = new Set(Array.isArray(value) ? value : typeof value === "string" ? [value] : []);
  const choices = choicesOf(instrument, q);
  const describe = describedBy(dom, q.hint, error);
  const rating = q.type === "rating" ? instrument.scales[q.scale] : undefined;
  const offScale = new Set(rating?.outside.map((c) => c.code) ?? []);
  const points = choices.filter((c) => !offScale.has(c.code));
  const outside = choices.filter((c) => offScale.has(c.code));
  // A rating scale is one row of numbered points on a phone: 5 stacked buttons per statement made
  // a page of 14 statements eleven screens long. Each point keeps its full label as its name.
  const compactScale = rating !== undefined && points.length <= 7;
  const inline = !rating && points.length <= 5 && points.every((c) => tr(c.label, lang).length <= INLINE_LABEL_MAX);
  const option = (c: (typeof choices)[number], position?: number) => (
    <label class={`option${offScale.has(c.code) || c.outside ? " outside" : ""}${position !== undefined ? " point" : ""}`} key={c.code}>
      <input
        type={multiple ? "checkbox" : "radio"}
        name={dom}
        value={c.code}
        checked={selected.has(c.code)}
        // The error is read from whichever option gets focus, not only from the group around it.
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error ? `${dom}-err` : undefined}
        onChange={(e) => {
          const on = (e.currentTarget as HTMLInputElement).checked;
          if (multiple) toggle(c.code, on);
          else {
            onAnswer(q.id, c.code);
            onTouch(q.id);
          }
        }}
      />
      {position !== undefined ? (
        // The number is what the eye sees on a phone; the label is the name heard (and seen on wide screens).
        <span>
          <span class="point-number" aria-hidden="true">
            {position}
          </span>
          <span class="point-label">{tr(c.label, lang)}</span>
        </span>
      ) : (
        <span>{tr(c.label, lang)}</span>
      )}
    </label>
  );
  const toggle = (code: string, on: boolean) => {
    // Keep the questionnaire's order whatever order the boxes are ticked in.
    const next = choices.map((c) => c.code).filter((c) => (c === code ? on : selected.has(c)));
    onAnswer(q.id, next);
    onTouch(q.id);
  };
  const first = points[0];
  const last = points[points.length - 1];
  return (
    <fieldset
      class={`q choice${q.type === "rating" ? " rating" : ""}${error ? " has-error" : ""}`}
      id={dom}
      role={multiple ? "group" : "radiogroup"}
      aria-required={!multiple && required ? "true" : undefined}
      aria-invalid={error ? "true" : undefined}
      aria-describedby={describe}
    >
      <legend>
        {tr(q.label, lang)}
        {required && <RequiredMark lang={lang} />}
      </legend>
      {q.hint && (
        <p class="hint" id={`${dom}-hint`}>
          {tr(q.hint, lang)}
        </p>
      )}
      {/* Above the options, as with text fields, so it is in view when focus moves to the question. */}
      {error && <ErrorMessage id={`${dom}-err`} text={errorText(error, lang)} />}
      <div class={`options${q.type === "rating" ? " scale" : ""}${compactScale ? " compact" : ""}${inline ? " inline" : ""}`}>
        {points.map((c, i) => option(c, compactScale ? i + 1 : undefined))}
      </div>
      {compactScale && first && last && (
        // What the ends of the row mean, for the eye; every radio already names its own point.
        <p class="scale-ends" aria-hidden="true">
          <span>{`1 ${tr(first.label, lang)}`}</span>
          <span>{`${points.length} ${tr(last.label, lang)}`}</span>
        </p>
      )}
      {outside.length > 0 && (
        // "Không biết / Không áp dụng" are answers off the scale: set apart for the eye and named apart for the ear.
        <div class="options outside-scale" role="group" aria-label={tr(COMMON.offScale, lang)}>
          {outside.map((c) => option(c))}
        </div>
      )}
      {!multiple && !required && selected.size > 0 && (
        <button type="button" class="link" onClick={() => onAnswer(q.id, undefined)}>
          {lang === "vi" ? "Bỏ chọn" : "Clear answer"}
        </button>
      )}
    </fieldset>
  );
}

function FieldShell(props: { q: AnswerableQuestion; required: boolean; error: FieldError | undefined; lang: Lang; children: ComponentChildren }) {
  const { q, required, error, lang } = props;
  const dom = questionDomId(q.id);
  return (
    <div class={`q field${error ? " has-error" : ""}`} id={dom}>
      <label for={`${dom}-in`}>
        {tr(q.label, lang)}
        {required && <RequiredMark lang={lang} />}
      </label>
      {q.hint && (
        <p class="hint" id={`${dom}-hint`}>
          {tr(q.hint, lang)}
        </p>
      )}
      {error && <ErrorMessage id={`${dom}-err`} text={errorText(error, lang)} />}
      {props.children}
    </div>
  );
}

function NumberQuestion(props: QuestionProps) {
  const { question: q, value, required, error, onAnswer, onTouch } = props;
  const integer = q.type === "integer";
  // The text as typed ("1," on the way to "1,5") is kept locally; the answer is its parsed value.
  const [text, setText] = useState(value === undefined ? "" : String(value));
  const dom = questionDomId(q.id);
  return (
    <FieldShell q={q} required={required} error={error} lang={props.lang}>
      <input
        id={`${dom}-in`}
        class="input number"
        type="text"
        inputMode={integer ? "numeric" : "decimal"}
        autoComplete="off"
        value={text}
        aria-required={required ? "true" : undefined}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy(dom, q.hint, error)}
        onInput={(e) => {
          const raw = (e.currentTarget as HTMLInputElement).value;
          setText(raw);
          onAnswer(q.id, parseNumber(raw, integer));
        }}
        onChange={() => onTouch(q.id)}
      />
    </FieldShell>
  );
}

function TextQuestion(props: QuestionProps) {
  const { question: q, value, required, error, onAnswer, onTouch } = props;
  const dom = questionDomId(q.id);
  const common = {
    id: `${dom}-in`,
    class: "input",
    value: typeof value === "string" ? value : "",
    "aria-required": required ? ("true" as const) : undefined,
    "aria-invalid": error ? ("true" as const) : undefined,
    "aria-describedby": describedBy(dom, q.hint, error),
    onChange: () => onTouch(q.id),
  };
  // Stored text is NFC (the server refuses anything else); keyboards may produce decomposed marks.
  const onInput = (e: Event) => onAnswer(q.id, (e.currentTarget as HTMLInputElement).value.normalize("NFC"));
  let control;
  if (q.type === "date") {
    control = <input {...common} type="date" min={q.min} max={q.max} onInput={onInput} />;
  } else if (q.type === "text" && q.multiline) {
    control = <textarea {...common} rows={4} maxLength={q.maxLength} onInput={onInput} />;
  } else {
    control = <input {...common} type="text" maxLength={q.type === "text" ? q.maxLength : undefined} onInput={onInput} />;
  }
  return (
    <FieldShell q={q} required={required} error={error} lang={props.lang}>
      {control}
    </FieldShell>
  );
}

/** One problem listed in an error summary: the question it belongs to and what is wrong. */
export interface SummaryItem {
  /** Question id ("unit" and "group" included). */
  id: string;
  label: string;
  message: string;
}

/**
 * The problems shown on a page, in the order of its questions, for its error summary. The start
 * page's are the unit and the group, under the labels given.
 */
export function summaryItems(
  instrument: Instrument,
  state: FormState,
  pageId: string,
  shown: ReadonlyMap<string, FieldError>,
  lang: Lang,
  startLabels: { unit: string; group: string },
  /** The page's items, when it holds only part of a section (see pages.ts); its id is then the page's. */
  pageSection?: { section: string; items: ReadonlySet<string> },
): SummaryItem[] {
  const item = (id: string, label: string): SummaryItem[] => {
    const e = shown.get(id);
    return e ? [{ id, label, message: errorText(e, lang) }] : [];
  };
  if (pageId === "start") return [...item("unit", startLabels.unit), ...item("group", startLabels.group)];
  return answerableQuestions(instrument)
    .filter((it) => (pageSection ? it.section.id === pageSection.section && pageSection.items.has(it.grid?.id ?? it.question.id) : it.section.id === pageId))
    .filter((it) => state.questions[it.question.id]?.relevant !== false)
    .flatMap((it) => item(it.question.id, tr(it.question.label, lang)));
}

/** Moves focus to the error summary on screen, if there is one, and brings it into view. */
export function focusErrorSummary(): boolean {
  const summary = document.getElementById("error-summary");
  if (!summary) return false;
  summary.scrollIntoView({ block: "start" });
  summary.focus({ preventScroll: true });
  return true;
}

/**
 * The list of a refused page's problems near its top, each a link to its question (the GOV.UK
 * pattern). It takes focus when it appears, so the count and the problems are read first.
 */
export function ErrorSummary({ title, items }: { title: string; items: SummaryItem[] }) {
  return (
    <div class="error-summary" id="error-summary" role="alert" tabIndex={-1} aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">{title}</h2>
      <ul>
        {items.map((it) => (
          <li key={it.id}>
            <a
              href={`#${questionDomId(it.id)}`}
              onClick={(e) => {
                // Focus the control itself; a fragment navigation would only scroll (and add a history entry).
                e.preventDefault();
                focusQuestion(it.id);
              }}
            >
              {it.label}
              <span class="sr-only">: </span>
              <span class="summary-message">{it.message}</span>
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}
