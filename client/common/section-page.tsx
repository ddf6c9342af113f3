/** One page of a paged questionnaire, the same for a citizen and an enumerator: heading, questions, Back and Next. */
import type { ComponentChildren } from "preact";
import type { FieldError } from "../../shared/errors.js";
import type { AnswerValue, Answers, Instrument } from "../../shared/instrument/schema.js";
import { COMMON, tr, type Lang, type Text } from "./i18n.js";
import { pageTitle, type usePagedForm } from "./paged-form.js";
import { SectionView } from "./questions.js";
import { PROGRESS_TEXT_ID } from "./ui.js";

type PagedForm = ReturnType<typeof usePagedForm>;

export function SectionPage(props: {
  form: PagedForm;
  instrument: Instrument;
  answers: Answers;
  errors: ReadonlyMap<string, FieldError>;
  lang: Lang;
  onAnswer(id: string, value: AnswerValue | undefined): void;
  /** Above the heading: how far along the person is. */
  progress: ComponentChildren;
  /** Between the heading and the questions: a refusal's notice and the page's error summary. */
  notices: ComponentChildren;
  /** The last page's submit label ("Gửi" for a citizen, "Finish" for an enumerator). */
  finishLabel: Text;
  /** More buttons after Next (the enumerator's "send again"). */
  actions?: ComponentChildren;
}) {
  const { form, instrument, lang } = props;
  const section = form.current!;
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        form.next();
      }}
    >
      {props.progress}
      {/* Described by "Phần 2/6": focus comes here when a page opens, so where one is gets read. */}
      <h1 tabIndex={-1} ref={form.heading} aria-describedby={PROGRESS_TEXT_ID}>
        {pageTitle(section, lang)}
      </h1>
      {props.notices}
      <SectionView
        instrument={instrument}
        section={section.section}
        items={section.items}
        intro={section.part === 1}
        answers={props.answers}
        state={form.state}
        errors={props.errors}
        lang={lang}
        onAnswer={props.onAnswer}
        onTouch={form.touch}
      />
      <div class="nav">
        <button type="button" class="btn secondary" onClick={form.back}>
          {tr(COMMON.back, lang)}
        </button>
        <button type="submit" class="btn">
          {tr(form.pageIndex === form.pages.length - 1 ? props.finishLabel : COMMON.next, lang)}
        </button>
        {props.actions}
      </div>
    </form>
  );
}
