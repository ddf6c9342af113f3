/** One interview on the enumerator device: unit and group, one section per page, then into the queue; also fixing a rejected one. */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { SubmissionInput } from "../../shared/api/schemas.js";
import { fieldError, type FieldError } from "../../shared/errors.js";
import type { AnswerValue } from "../../shared/instrument/schema.js";
import { formState, relevantAnswers } from "../../shared/instrument/logic.js";
import { COMMON, fill, problemText, tr, type Lang } from "../common/i18n.js";
import { answerErrors, relevantSections, sectionErrors, sectionOfQuestion, withAnswer } from "../common/form.js";
import { newUuid } from "../common/net.js";
import { SectionView, focusQuestion } from "../common/questions.js";
import { GroupPicker, Header, Notice, Progress } from "../common/ui.js";
import { UnitPicker } from "../common/unit-picker.js";
import { deleteResponse, putResponse, type LocalResponse, type StoredRound } from "./db.js";
import { C } from "./strings.js";
import { searchOffline } from "./units.js";

interface Props {
  round: StoredRound;
  initial: LocalResponse;
  device: string;
  /** The signed-in enumerator's username, recorded with each response. */
  enumerator: string | null;
  lang: Lang;
  onExit(): void;
  onQueued(): void;
}

export function Interview({ round, initial, device, enumerator, lang, onExit, onQueued }: Props) {
  const { instrument } = round.form;
  const singleGroup = round.form.groups.length === 1 ? round.form.groups[0]!.code : null;
  const [rec, setRec] = useState<LocalResponse>(() => ({ ...initial, group: initial.group ?? singleGroup }));
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [attempted, setAttempted] = useState<ReadonlySet<string>>(new Set());
  const [serverErrors, setServerErrors] = useState<ReadonlyMap<string, FieldError>>(
    () => new Map((initial.rejection?.error.errors ?? []).map((e) => [e.question, e])),
  );
  const [pageAlert, setPageAlert] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const dirty = useRef(false);
  const finishing = useRef(false);

  const state = useMemo(() => formState(instrument, rec.answers), [instrument, rec.answers]);
  const sections = relevantSections(instrument, state);
  const clientErrors = useMemo(() => answerErrors(instrument, rec.answers), [instrument, rec.answers]);
  const sectionIndex = sections.findIndex((s) => s.id === rec.section);
  const section = sectionIndex >= 0 ? sections[sectionIndex]! : null;
  const page = section ? section.id : "start";

  // Every change is written at once: IndexedDB applies writes in order, and a closed tab loses nothing.
  useEffect(() => {
    if (dirty.current) void putResponse({ ...rec, updatedAt: new Date().toISOString() });
  }, [rec]);
  useEffect(() => {
    heading.current?.focus();
    window.scrollTo(0, 0);
  }, [page]);
  // A rejected interview opens where its first problem is.
  useEffect(() => {
    const first = initial.rejection?.error.errors?.[0];
    if (!first) return;
    const target = first.question === "unit" || first.question === "group" ? null : sectionOfQuestion(instrument, first.question);
    setRec((r) => ({ ...r, section: target }));
    setTimeout(() => focusQuestion(first.question), 50);
  }, []);

  const update = (patch: Partial<LocalResponse>) => {
    dirty.current = true;
    setRec((r) => ({ ...r, ...patch }));
  };
  const clearServer = (id: string) => {
    if (!serverErrors.has(id)) return;
    const next = new Map(serverErrors);
    next.delete(id);
    setServerErrors(next);
  };
  const startErrors = () => {
    const out = new Map<string, FieldError>();
    if (!rec.unit) out.set("unit", fieldError("unit", "required", COMMON.chooseUnit));
    if (!rec.group) out.set("group", fieldError("group", "required", COMMON.chooseGroup));
    return out;
  };
  const shownErrors = (pageId: string) => {
    const out = new Map<string, FieldError>(serverErrors);
    for (const [id, e] of pageId === "start" ? startErrors() : clientErrors) {
      if (attempted.has(pageId) || (touched.has(id) && e.code !== "required")) out.set(id, e);
    }
    return out;
  };
  const goTo = (sectionId: string | null) => {
    setPageAlert(null);
    update({ section: sectionId });
  };
  const blockPage = (pageId: string, errors: FieldError[]) => {
    setAttempted((a) => new Set(a).add(pageId));
    setPageAlert(fill(tr(COMMON.fixBeforeNext, lang), { n: errors.length }));
    setTimeout(() => focusQuestion(errors[0]!.question), 0);
  };

  const onNext = () => {
    if (page === "start") {
      const errors = [...startErrors().values()];
      if (errors.length) return blockPage("start", errors);
      return goTo(sections[0]?.id ?? null);
    }
    const errors = sectionErrors(instrument, clientErrors, page);
    if (errors.length) return blockPage(page, errors);
    const next = sections[sectionIndex + 1];
    if (next) return goTo(next.id);
    void finish();
  };

  /** Checks everything, freezes what will be sent and puts the interview in the queue. */
  const finish = async () => {
    if (finishing.current) return; // a double tap queues it once
    const start = [...startErrors().values()];
    if (start.length) {
      goTo(null);
      return blockPage("start", start);
    }
    const all = [...clientErrors.values()];
    if (all.length) {
      const target = sectionOfQuestion(instrument, all[0]!.question)!;
      goTo(target);
      return blockPage(target, sectionErrors(instrument, clientErrors, target));
    }
    finishing.current = true;
    const now = new Date().toISOString();
    // A "conflict" means the server already holds other content under this id, so this content
    // can never be accepted under it: it goes out as a new response with a new id. An "invalid"
    // one was never stored, so it keeps its id whether or not it was changed.
    const id = rec.rejection?.status === "conflict" ? newUuid() : rec.id;
    const previous = rec.submission;
    const submission: SubmissionInput = {
      id,
      instrument: { id: instrument.id, version: instrument.version },
      unit: rec.unit!.key,
      group: rec.group!,
      channel: "enumerator",
      deviceId: previous?.deviceId ?? device,
      ...(previous?.enumeratorId ? { enumeratorId: previous.enumeratorId } : enumerator ? { enumeratorId: enumerator } : {}),
      startedAt: rec.startedAt,
      submittedAt: previous?.submittedAt ?? now,
      answers: relevantAnswers(instrument, rec.answers),
    };
    const queued: LocalResponse = { ...rec, id, state: "queued", section: null, submission, updatedAt: now };
    delete queued.rejection;
    dirty.current = false; // the effect must not write the pre-queue state over this
    await putResponse(queued);
    if (id !== rec.id) await deleteResponse(rec.id);
    onQueued();
  };

  const onAnswer = (id: string, value: AnswerValue | undefined) => {
    clearServer(id);
    dirty.current = true;
    setRec((r) => ({ ...r, answers: withAnswer(r.answers, id, value) }));
  };
  const onTouch = (id: string) => setTouched((t) => (t.has(id) ? t : new Set(t).add(id)));

  const errors = shownErrors(page);
  const rejection = rec.rejection;
  const resend = rejection ? (
    <button type="button" class="btn" onClick={() => void finish()}>
      {tr(C.resend, lang)}
    </button>
  ) : null;

  return (
    <>
      <Header title={tr(round.form.round.title, lang)} lang={lang}>
        <button type="button" class="btn secondary small" onClick={onExit}>
          {tr(C.home, lang)}
        </button>
      </Header>
      <main>
        {rejection && (
          <Notice kind="error">
            <p>
              {tr(C.rejectedNotice, lang)} {problemText(rejection.error, lang)}
            </p>
            <p>{tr(rejection.status === "conflict" ? C.conflictHelp : C.rejectedHelp, lang)}</p>
          </Notice>
        )}
        {page === "start" || !section ? (
          <>
            <h1 tabIndex={-1} ref={heading}>
              {tr(instrument.title, lang)}
            </h1>
            <UnitPicker
              label={tr(C.interviewUnit, lang)}
              value={rec.unit}
              search={(q) => Promise.resolve(searchOffline(round.units, instrument.unitLevel, q))}
              debounceMs={0}
              onChange={(unit) => {
                clearServer("unit");
                update({ unit });
              }}
              error={errors.get("unit")}
              lang={lang}
            />
            {!singleGroup && (
              <GroupPicker
                groups={round.form.groups}
                value={rec.group}
                error={errors.get("group")}
                lang={lang}
                onChange={(group) => {
                  clearServer("group");
                  update({ group });
                }}
              />
            )}
            {pageAlert && <Notice kind="error">{pageAlert}</Notice>}
            <div class="nav">
              <button type="button" class="btn" onClick={onNext}>
                {tr(COMMON.start, lang)}
              </button>
              {resend}
            </div>
          </>
        ) : (
          <form
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              onNext();
            }}
          >
            <Progress n={sectionIndex + 1} total={sections.length} lang={lang} />
            <h1 tabIndex={-1} ref={heading}>
              {tr(section.title, lang)}
            </h1>
            <SectionView
              instrument={instrument}
              section={section}
              answers={rec.answers}
              state={state}
              errors={errors}
              lang={lang}
              onAnswer={onAnswer}
              onTouch={onTouch}
            />
            {pageAlert && <Notice kind="error">{pageAlert}</Notice>}
            <div class="nav">
              <button type="button" class="btn secondary" onClick={() => goTo(sectionIndex > 0 ? sections[sectionIndex - 1]!.id : null)}>
                {tr(COMMON.back, lang)}
              </button>
              <button type="submit" class="btn">
                {tr(sectionIndex === sections.length - 1 ? C.finish : COMMON.next, lang)}
              </button>
              {resend}
            </div>
          </form>
        )}
      </main>
    </>
  );
}
