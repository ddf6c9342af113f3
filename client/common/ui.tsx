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
 * "Phần 2/6" and a bar; the bar is exposed as a progressbar whose value text says the same
 * (without it Android reads a percentage computed from the minimum, 0% on page 1).
 */
export function Progress({ n, total, lang }: { n: number; total: number; lang: Lang }) {
  const label = fill(tr(COMMON.pageOf, lang), { n, total });
  return (
    <div class="progress">
      <span aria-hidden="true" id={PROGRESS_TEXT_ID}>
        {label}
      </span>
      <div
        class="bar"
        role="progressbar"
        aria-label={tr(COMMON.progress, lang)}
        aria-valuemin={1}
        aria-valuemax={total}
        aria-valuenow={n}
        aria-valuetext={label}
      >
        <span style={{ width: `${Math.round((n / Math.max(total, 1)) * 100)}%` }} />
      </div>
    </div>
  );
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
  const label = fill(tr(COMMON.answeredOf, lang), { n: answered, total });
  return (
    <div class="progress">
      <span aria-hidden="true" id={PROGRESS_TEXT_ID}>
        {label}
      </span>
      <div
        class="bar"
        role="progressbar"
        aria-label={tr(COMMON.progress, lang)}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={answered}
        aria-valuetext={label}
      >
        <span style={{ width: `${Math.round((answered / Math.max(total, 1)) * 100)}%` }} />
      </div>
    </div>
  );
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
