/** One interview on the enumerator device: unit and group, one section per page, then into the queue; also fixing a rejected one. */
import { useEffect, useRef, useState } from "preact/hooks";
import type { SubmissionInput } from "../../shared/api/schemas.js";
import type { AnswerValue } from "../../shared/instrument/schema.js";
import { relevantAnswers } from "../../shared/instrument/logic.js";
import { instanceNameOf } from "../../shared/instrument/instance-name.js";
import { COMMON, fill, problemText, tr, type Lang } from "../common/i18n.js";
import { withAnswer } from "../common/form.js";
import { pageOfQuestion } from "../common/pages.js";
import { usePagedForm } from "../common/paged-form.js";
import { SectionPage } from "../common/section-page.js";
import { ErrorSummary, summaryItems } from "../common/questions.js";
import { GroupPicker, Header, Notice, Progress } from "../common/ui.js";
import { UnitPicker } from "../common/unit-picker.js";
import { putResponse, type LocalResponse, type StoredRound } from "./db.js";
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
  // A rejected interview opens where its first problem is, with focus on it.
  const firstProblem = initial.rejection?.error.errors?.[0];
  const [rec, setRecState] = useState<LocalResponse>(() => ({
    ...initial,
    group: initial.group ?? singleGroup,
    section: !firstProblem
      ? initial.section
      : firstProblem.question === "unit" || firstProblem.question === "group"
        ? null
        : pageOfQuestion(instrument, firstProblem.question),
  }));
  /** The record as last changed, ahead of the render that will show it. */
  const latest = useRef(rec);
  /** Changed since it was opened, and not yet put in the queue: worth writing. */
  const dirty = useRef(false);
  /** The newest write to IndexedDB; IndexedDB applies writes in order, so when it is done all are. */
  const lastWrite = useRef<Promise<void>>(Promise.resolve());
  const finishing = useRef(false);

  const write = (r: LocalResponse, durable = false) => {
    const done = putResponse({ ...r, updatedAt: new Date().toISOString() }, { durable });
    lastWrite.current = done;
    return done;
  };
  /**
   * Every change starts its write here, in the event that made it, not in an effect after paint:
   * a tab closed right after an answer still has that answer's write under way.
   */
  const setRec = (change: (r: LocalResponse) => LocalResponse) => {
    const next = change(latest.current);
    latest.current = next;
    dirty.current = true;
    void write(next).catch((e: unknown) => console.error("could not save the interview", e));
    setRecState(next);
  };
  const update = (patch: Partial<LocalResponse>) => setRec((r) => ({ ...r, ...patch }));
  // Pages as on the respondent form (pages.ts); `rec.section` holds the page's id.
  const form = usePagedForm({
    instrument,
    record: rec,
    showPage: (pageId) => update({ section: pageId }),
    onLastPage: () => void finish(),
    initialServerErrors: initial.rejection?.error.errors ?? [],
  });
  const { logicOptions, state, page, current: section, heading } = form;
  /** Waits until every change is stored, so that the list the enumerator sees next shows it. */
  const exit = async () => {
    if (dirty.current) await lastWrite.current.catch(() => undefined);
    onExit();
  };

  useEffect(() => {
    // The page may be leaving (tab closed, app switched, screen locked): ask for a write to disk.
    const flush = () => {
      if (dirty.current) void write(latest.current, true).catch(() => undefined);
    };
    const onVisibility = () => {
      if (document.visibilityState === "hidden") flush();
    };
    window.addEventListener("pagehide", flush);
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      window.removeEventListener("pagehide", flush);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, []);
  /** Checks everything, freezes what will be sent and puts the interview in the queue. */
  const finish = async () => {
    if (finishing.current) return; // a double tap queues it once
    if (!form.checkAll()) return;
    finishing.current = true;
    const now = new Date().toISOString();
    // The id is the interview's for good: a refused one was never stored and goes again under it.
    // (A conflict is never resent under a new id, which would store the interview twice: the list
    // resolves it by keeping the server's copy.)
    const id = rec.id;
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
      answers: relevantAnswers(instrument, rec.answers, logicOptions),
    };
    const name = instanceNameOf(instrument, submission.answers);
    const queued: LocalResponse = { ...rec, id, state: "queued", section: null, submission, updatedAt: now, ...(name ? { instanceName: name } : {}) };
    delete queued.rejection;
    dirty.current = false; // nothing may write the pre-queue state over this
    // "Added to the queue" is said only once the queued record is on disk.
    await lastWrite.current.catch(() => undefined);
    await putResponse(queued, { durable: true });
    onQueued();
  };

  const onAnswer = (id: string, value: AnswerValue | undefined) => {
    form.changed(id);
    setRec((r) => ({ ...r, answers: withAnswer(r.answers, id, value) }));
  };

  const errors = form.shownErrors(page);
  const pageSection = section ? { section: section.section.id, items: section.items } : undefined;
  const problems = form.summaryShown
    ? summaryItems(instrument, state, page, errors, lang, { unit: tr(C.interviewUnit, lang), group: tr(COMMON.group, lang) }, pageSection)
    : [];
  const summary = problems.length > 0 && <ErrorSummary title={fill(tr(COMMON.errorSummary, lang), { n: problems.length })} items={problems} />;
  const rejection = rec.rejection;
  const resend = rejection ? (
    <button type="button" class="btn" onClick={() => void finish()}>
      {tr(C.resend, lang)}
    </button>
  ) : null;

  return (
    <>
      <Header title={tr(round.form.round.title, lang)} lang={lang}>
        <button type="button" class="btn secondary small" onClick={() => void exit()}>
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
            {summary}
            <UnitPicker
              label={tr(C.interviewUnit, lang)}
              value={rec.unit}
              search={(q) => Promise.resolve(searchOffline(round.units, instrument.unitLevel, q))}
              debounceMs={0}
              onChange={(unit) => {
                form.changed("unit");
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
                  form.changed("group");
                  update({ group });
                }}
              />
            )}
            <div class="nav">
              <button type="button" class="btn" onClick={form.next}>
                {tr(COMMON.start, lang)}
              </button>
              {resend}
            </div>
          </>
        ) : (
          <SectionPage
            form={form}
            instrument={instrument}
            answers={rec.answers}
            errors={errors}
            lang={lang}
            onAnswer={onAnswer}
            progress={<Progress n={form.pageIndex + 1} total={form.pages.length} lang={lang} />}
            notices={summary}
            finishLabel={C.finish}
            actions={resend}
          />
        )}
      </main>
    </>
  );
}
