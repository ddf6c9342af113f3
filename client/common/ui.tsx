/** Small shared pieces of page chrome: header with the language toggle, progress bar, group picker. */
import type { ComponentChildren } from "preact";
import type { FieldError } from "../../shared/errors.js";
import { COMMON, fill, setLang, tr, type Lang, type Text } from "./i18n.js";
import type { Answers, Instrument } from "../../shared/instrument/schema.js";
import type { FormState } from "../../shared/instrument/logic.js";
import { answerableQuestions } from "../../shared/instrument/walk.js";
import { ErrorMessage, RequiredMark, errorText } from "./questions.js";

export function LangToggle({ lang }: { lang: Lang }) {
  const other: Lang = lang === "vi" ? "en" : "vi";
  return (
    <button type="button" class="btn secondary small lang" lang={other} aria-label={tr(COMMON.switchLabel, lang)} onClick={() => setLang(other)}>
      {tr(COMMON.switchTo, lang)}
    </button>
  );
}

export function Header({ title, lang, children }: { title: string; lang: Lang; children?: ComponentChildren }) {
  return (
    <header class="top">
      <p class="brand">{title}</p>
      {children}
      <LangToggle lang={lang} />
    </header>
  );
}

/** The id of the progress text, for a page heading to be described by it (read when the page opens). */
export const PROGRESS_TEXT_ID = "progress-text";

/**
 * A bar with its text; the bar is exposed as a progressbar whose value text says the same
 * (without it Android reads a percentage computed from the minimum, 0% on page 1).
 */
function ProgressBar({ label, value, min, max, lang }: { label: string; value: number; min: number; max: number; lang: Lang }) {
  return (
    <div class="progress">
      <span aria-hidden="true" id={PROGRESS_TEXT_ID}>
        {label}
      </span>
      <div
        class="bar"
        role="progressbar"
        aria-label={tr(COMMON.progress, lang)}
        aria-valuemin={min}
        aria-valuemax={max}
        aria-valuenow={value}
        aria-valuetext={label}
      >
        <span style={{ width: `${Math.round((value / Math.max(max, 1)) * 100)}%` }} />
      </div>
    </div>
  );
}

/** "Phần 2/6" and a bar. */
export function Progress({ n, total, lang }: { n: number; total: number; lang: Lang }) {
  return <ProgressBar label={fill(tr(COMMON.pageOf, lang), { n, total })} value={n} min={1} max={total} lang={lang} />;
}

/** Answered and relevant questions: relevance changes the total, never the answers counted so far. */
export function answeredCount(instrument: Instrument, state: FormState, answers: Answers): { answered: number; total: number } {
  let answered = 0;
  let total = 0;
  for (const it of answerableQuestions(instrument)) {
    if (state.sections[it.section.id]?.relevant === false || state.questions[it.question.id]?.relevant === false) continue;
    total++;
    if (Object.hasOwn(answers, it.question.id)) answered++;
  }
  return { answered, total };
}

/**
 * "Đã trả lời 5/24 câu" and a bar: progress as answers over the questions that apply now, which
 * moves forward with every answer (a count of pages jumped when an answer added a page).
 */
export function AnswerProgress({ answered, total, lang }: { answered: number; total: number; lang: Lang }) {
  return <ProgressBar label={fill(tr(COMMON.answeredOf, lang), { n: answered, total })} value={answered} min={0} max={total} lang={lang} />;
}

/** Respondent group as radio buttons; shown only when a round allows more than one. */
export function GroupPicker(props: {
  groups: Array<{ code: string; label: Text }>;
  value: string | null;
  error: FieldError | undefined;
  lang: Lang;
  onChange(code: string): void;
}) {
  const { groups, value, error, lang } = props;
  return (
    <fieldset
      class={`q choice${error ? " has-error" : ""}`}
      id="q-group"
      role="radiogroup"
      aria-required="true"
      aria-invalid={error ? "true" : undefined}
      aria-describedby={error ? "q-group-err" : undefined}
    >
      <legend>
        {tr(COMMON.group, lang)}
        <RequiredMark lang={lang} />
      </legend>
      <div class="options">
        {groups.map((g) => (
          <label class="option" key={g.code}>
            <input
              type="radio"
              name="q-group"
              value={g.code}
              checked={value === g.code}
              aria-invalid={error ? "true" : undefined}
              aria-describedby={error ? "q-group-err" : undefined}
              onChange={() => props.onChange(g.code)}
            />
            <span>{tr(g.label, lang)}</span>
          </label>
        ))}
      </div>
      {error && <ErrorMessage id="q-group-err" text={errorText(error, lang)} />}
    </fieldset>
  );
}

/** A message at the top of a page; `alert` makes screen readers announce it when it appears. */
export function Notice({ kind, children }: { kind: "error" | "info" | "ok"; children: ComponentChildren }) {
  return (
    <div class={`notice ${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

/** A column heading: its text, right-aligned for numbers; an empty decorative column is hidden from screen readers. */
export type Column = string | { label: string; num?: boolean; decorative?: boolean };

/** A table's column headings. */
export function HeaderRow({ labels }: { labels: Column[] }) {
  return (
    <thead>
      <tr>
        {labels.map((column, i) => {
          const c = typeof column === "string" ? { label: column } : column;
          return (
            <th key={i} scope="col" class={c.num ? "num" : undefined} aria-hidden={c.decorative ? "true" : undefined}>
              {c.label}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}
