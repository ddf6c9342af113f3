/** The respondent form: start page (unit, group), one section per page (a long one on several), submission with retries, receipt. */
import { useEffect, useRef, useState } from "preact/hooks";
import type { SubmissionInput } from "../../shared/api/schemas.js";
import type { FormPayload } from "../../shared/api/rounds.js";
import type { Receipt } from "../../shared/api/responses.js";
import type { ChildUnit, UnitChildren, UnitDetail, UnitHit } from "../../shared/api/units.js";
import type { AnswerValue } from "../../shared/instrument/schema.js";
import { relevantAnswers } from "../../shared/instrument/logic.js";
import { COMMON, fill, problemText, tr, useLang, type Lang } from "../common/i18n.js";
import { withAnswer } from "../common/form.js";
import { pageTitle, usePagedForm } from "../common/paged-form.js";
import { SectionPage } from "../common/section-page.js";
import { HttpError, backoffMs, isRetryable, requestJson, sleepUntilOnline } from "../common/net.js";
import { ErrorSummary, summaryItems } from "../common/questions.js";
import { AnswerProgress, GroupPicker, Header, Notice, answeredCount } from "../common/ui.js";
import { UnitPicker, type BrowseEntry, type BrowseLevel, type UnitChoice } from "../common/unit-picker.js";
import { clearDraft, loadDraft, loadReceipt, newDraft, saveDraft, saveReceipt, type RespondDraft, type StoredReceipt } from "./draft.js";
import { S } from "./strings.js";
import type { InvitationFlow } from "./invitation.js";

type Load =
  | { kind: "loading" }
  | { kind: "failed"; notFound: boolean; message: string | null }
  | { kind: "ready"; payload: FormPayload & { invitee?: { name: string } } };

/**
 * Where the form comes from and where it goes: a round's public link (/r/:roundId) or a personal
 * invitation (/i/:token), whose token fixes the unit and group and allows one response.
 */
export type FormSource = { kind: "round"; roundId: string } | { kind: "invitation"; flow: InvitationFlow };

function endpoints(source: FormSource) {
  if (source.kind === "round") {
    const id = encodeURIComponent(source.roundId);
    return { form: `/api/rounds/${id}/form`, submit: `/api/rounds/${id}/responses`, storageKey: source.roundId, channel: "self" as const, flow: null };
  }
  // An invitation loads and answers through its credential flow (invitation.ts); the token never goes in a URL.
  return { form: "invitation", submit: "", storageKey: source.flow.storageKey, channel: "invitation" as const, flow: source.flow };
}

export function RespondApp({ source }: { source: FormSource }) {
  const lang = useLang();
  const [load, setLoad] = useState<Load>({ kind: "loading" });
  const [attempt, setAttempt] = useState(0);
  const urls = endpoints(source);

  useEffect(() => {
    setLoad({ kind: "loading" });
    (urls.flow ? urls.flow.load() : requestJson<FormPayload>(urls.form)).then(
      (payload) => setLoad({ kind: "ready", payload }),
      (e: unknown) =>
        setLoad({
          kind: "failed",
          notFound: e instanceof HttpError && e.status >= 400 && e.status < 500,
          // An invitation already used or withdrawn: the server's own words say it best.
          message: e instanceof HttpError && source.kind === "invitation" && e.body?.error ? problemText(e.body.error, lang) : null,
        }),
    );
  }, [urls.form, attempt]);

  if (load.kind === "ready") return <Form payload={load.payload} lang={lang} urls={urls} />;
  return (
    <>
      <Header title="chiso" lang={lang} />
      <main>
        {load.kind === "loading" ? (
          <p role="status">{tr(COMMON.loading, lang)}</p>
        ) : (
          <Notice kind="error">
            <p>{load.message ?? tr(load.notFound ? S.notFound : S.loadFailed, lang)}</p>
            {!load.notFound && <p>{tr(S.draftKept, lang)}</p>}
            {!load.notFound && (
              <button type="button" class="btn" onClick={() => setAttempt((n) => n + 1)}>
                {tr(S.retry, lang)}
              </button>
            )}
          </Notice>
        )}
      </main>
    </>
  );
}

/** What the submission is doing: nothing, sending (maybe waiting to retry), or done. */
type Sending = { kind: "idle" } | { kind: "sending"; retryAt: number | null } | { kind: "done"; receipt: StoredReceipt };

function Form({ payload, lang, urls }: { payload: FormPayload & { invitee?: { name: string } }; lang: Lang; urls: ReturnType<typeof endpoints> }) {
  const { instrument, round } = payload;
  const roundId = urls.storageKey;
  const invited = urls.channel === "invitation";
  const editionRef = { id: instrument.id, version: instrument.version };
  const singleGroup = payload.groups.length === 1 ? payload.groups[0]!.code : null;

  const [restored] = useState(() => loadDraft(roundId, editionRef));
  const [draft, setDraftState] = useState<RespondDraft>(() => {
    const d = restored ?? newDraft(roundId, editionRef);
    return {
      ...d,
      unit: payload.fixedUnit ? { key: payload.fixedUnit.key, name: payload.fixedUnit.name } : d.unit,
      group: singleGroup ?? d.group,
    };
  });
  const [sending, setSending] = useState<Sending>(() => {
    // An invitation's receipt is never stored: nothing may pair the invitation and the response.
    const receipt = invited ? null : loadReceipt(roundId);
    return !restored && receipt ? { kind: "done", receipt } : { kind: "idle" };
  });
  const [submitError, setSubmitError] = useState<string | null>(null);
  /** The clock of the retry countdown, ticking only while a retry is waiting. */
  const [now, setNow] = useState(() => Date.now());
  const [copied, setCopied] = useState<boolean | null>(null);
  const wake = useRef<AbortController | null>(null);
  /** The draft as last changed, ahead of the render that will show it. */
  const latest = useRef(draft);
  /** Whether there is anything worth keeping: a restored draft, or a change since the form opened. */
  const keep = useRef(restored !== null);
  /** Set from the first tap on "Submit" until the server answers: a double tap must not build a second body. */
  const inFlight = useRef(false);
  /** Set once acknowledged: a late draft save must not bring the cleared draft back. */
  const finished = useRef(false);

  /**
   * Every change is saved here, synchronously, before the screen shows it: a reload or a closed tab
   * right after an answer keeps that answer. (Saving in an effect would run after paint, too late.)
   */
  const setDraft = (change: (d: RespondDraft) => RespondDraft) => {
    const next = change(latest.current);
    if (next === latest.current) return;
    latest.current = next;
    keep.current = true;
    if (!finished.current) saveDraft(next);
    setDraftState(next);
  };
  const update = (patch: Partial<RespondDraft>) => setDraft((d) => ({ ...d, ...patch }));
  // One page per section, a long one cut in several (pages.ts); `draft.section` holds the page's id.
  const form = usePagedForm({
    instrument,
    record: draft,
    showPage: (pageId) => {
      history.pushState({ chisoPage: pageId ?? "start" }, "");
      update({ section: pageId });
    },
    onStarted: () => {
      if (!draft.startedAt) update({ startedAt: new Date().toISOString() });
    },
    onLastPage: () => void submit(),
    headingKey: sending.kind,
  });
  const { logicOptions, state, page, current: section, heading, summaryShown } = form;

  // A restored draft that was mid-submission resumes sending.
  useEffect(() => {
    history.replaceState({ chisoPage: page }, "");
    if (restored?.sending) void send(restored.sending);
    const onPop = (e: PopStateEvent) => {
      const target = (e.state as { chisoPage?: string } | null)?.chisoPage;
      setDraft((d) => (d.sending ? d : { ...d, section: target && target !== "start" ? target : null }));
    };
    // The page may be leaving (tab closed, app switched, phone locked): write the draft once more.
    const flush = () => {
      if (keep.current && !finished.current) saveDraft(latest.current);
    };
    const onVisibility = () => {
      if (document.visibilityState === "hidden") flush();
    };
    window.addEventListener("popstate", onPop);
    window.addEventListener("pagehide", flush);
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      window.removeEventListener("popstate", onPop);
      window.removeEventListener("pagehide", flush);
      document.removeEventListener("visibilitychange", onVisibility);
      wake.current?.abort();
    };
  }, []);
  const retryAt = sending.kind === "sending" ? sending.retryAt : null;
  useEffect(() => {
    if (retryAt === null) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [retryAt]);

  const submit = async () => {
    if (inFlight.current) return;
    if (!form.checkAll()) return;
    const body: SubmissionInput = {
      id: draft.id,
      instrument: editionRef,
      unit: draft.unit!.key,
      group: draft.group!,
      channel: urls.channel,
      ...(draft.startedAt ? { startedAt: draft.startedAt } : {}),
      submittedAt: new Date().toISOString(),
      answers: relevantAnswers(instrument, draft.answers, logicOptions),
    };
    update({ sending: body });
    await send(body);
  };

  /** Sends until the server acknowledges (2xx) or refuses (4xx); network failures and 5xx are retried. */
  const send = async (body: SubmissionInput) => {
    inFlight.current = true;
    setSubmitError(null);
    setSending({ kind: "sending", retryAt: null });
    for (let attemptNo = 0; ; attemptNo++) {
      try {
        const res = urls.flow ? await urls.flow.submit(body) : await requestJson<Receipt>(urls.submit, { json: body });
        const receipt = { id: res.id, receipt: res.receipt };
        finished.current = true;
        inFlight.current = false;
        if (!invited) saveReceipt(roundId, receipt);
        clearDraft(roundId);
        setSending({ kind: "done", receipt });
        return;
      } catch (e) {
        if (!isRetryable(e)) return refused(e as HttpError);
        const wait = backoffMs(attemptNo);
        setSending({ kind: "sending", retryAt: Date.now() + wait });
        wake.current = new AbortController();
        await sleepUntilOnline(wait, wake.current.signal);
        setSending({ kind: "sending", retryAt: null });
      }
    }
  };

  /** A 4xx: nothing was stored, so the respondent may change answers and send again under the same id. */
  const refused = (e: HttpError) => {
    inFlight.current = false;
    setSending({ kind: "idle" });
    update({ sending: null });
    const { placed, unplaced } = form.refuse(e.body?.error?.errors ?? []);
    setSubmitError(
      placed > 0 && unplaced.length === 0
        ? tr(S.fixErrors, lang)
        : [problemText(e.body?.error, lang), ...unplaced.map((fe) => `${fe.question}: ${lang === "vi" ? fe.message_vi : fe.message_en}`)].join(" "),
    );
  };

  const onAnswer = (id: string, value: AnswerValue | undefined) => {
    form.changed(id);
    setDraft((d) => ({ ...d, answers: withAnswer(d.answers, id, value) }));
  };
  // Every step has its own title (and says when it shows errors): the first thing read on a page, and what a tab shows.
  const stepName =
    sending.kind === "done"
      ? tr(S.thanks, lang)
      : sending.kind === "sending"
        ? tr(S.sending, lang)
        : section
          ? pageTitle(section, lang)
          : tr(instrument.title, lang);
  const hasErrors = sending.kind === "idle" && summaryShown && form.shownErrors(page).size > 0;
  const docTitle = `${hasErrors ? fill(tr(COMMON.errorTitle, lang), { title: stepName }) : stepName} — ${tr(round.title, lang)}`;
  useEffect(() => {
    document.title = docTitle;
  }, [docTitle]);

  // The start page's heading is the questionnaire's title: the header does not say it a second time.
  const roundTitle = tr(round.title, lang);
  const header = (
    <Header title={page === "start" && sending.kind === "idle" && roundTitle.includes(tr(instrument.title, lang)) ? "chiso" : roundTitle} lang={lang} />
  );
  const progress = answeredCount(instrument, state, draft.answers);

  if (sending.kind === "done") {
    return (
      <>
        {header}
        <main>
          <h1 tabIndex={-1} ref={heading}>
            {tr(S.thanks, lang)}
          </h1>
          <Notice kind="ok">
            <p>{tr(S.received, lang)}</p>
          </Notice>
          <p>{tr(S.receiptLabel, lang)}:</p>
          <p class="receipt">
            <span aria-hidden="true" data-testid="receipt">
              {sending.receipt.receipt}
            </span>
            {/* Read character by character: "9 4", not "ninety-four". */}
            <span class="sr-only">{spellOut(sending.receipt.receipt)}</span>
          </p>
          <p class="copy-row">
            <button
              type="button"
              class="btn secondary small"
              onClick={() => {
                // No clipboard (an old browser, a page not served over HTTPS): say so, the code stays on screen.
                if (!navigator.clipboard) return setCopied(false);
                navigator.clipboard.writeText(sending.receipt.receipt).then(
                  () => setCopied(true),
                  () => setCopied(false),
                );
              }}
            >
              {tr(S.copy, lang)}
            </button>{" "}
            <span role="status">{copied === null ? "" : tr(copied ? S.copied : S.copyFailed, lang)}</span>
          </p>
          <p class="hint">{tr(invited ? S.invitationDone : S.receiptHelp, lang)}</p>
          {!invited && (
            <button
              type="button"
              class="btn secondary"
              onClick={() => {
                saveReceipt(roundId, null);
                finished.current = false;
                setDraft(() => ({ ...newDraft(roundId, editionRef), unit: draft.unit, group: singleGroup }));
                form.reset();
                setSending({ kind: "idle" });
              }}
            >
              {tr(S.another, lang)}
            </button>
          )}
        </main>
      </>
    );
  }

  if (sending.kind === "sending") {
    const seconds = sending.retryAt === null ? 0 : Math.max(1, Math.ceil((sending.retryAt - now) / 1000));
    return (
      <>
        {header}
        <main>
          <h1 tabIndex={-1} ref={heading}>
            {tr(S.sending, lang)}
          </h1>
          {/* On screen before its text changes, so that screen readers announce the change. */}
          <div class={sending.retryAt !== null ? "notice info" : undefined} role="status" data-testid="send-status">
            {sending.retryAt !== null && <p>{tr(S.notSent, lang)}</p>}
          </div>
          {sending.retryAt !== null && (
            <>
              {/* A timer region: counts on screen every second without being read out every second. */}
              <p role="timer" data-testid="countdown">
                {fill(tr(S.retryIn, lang), { s: seconds })}
              </p>
              <button type="button" class="btn" onClick={() => wake.current?.abort()}>
                {tr(S.retryNow, lang)}
              </button>
            </>
          )}
          <p class="hint">{tr(S.keepOpen, lang)}</p>
        </main>
      </>
    );
  }

  const errors = form.shownErrors(page);
  const pageSection = section ? { section: section.section.id, items: section.items } : undefined;
  const problems = summaryShown
    ? summaryItems(instrument, state, page, errors, lang, { unit: tr(COMMON.unit, lang), group: tr(COMMON.group, lang) }, pageSection)
    : [];
  const summary = problems.length > 0 && <ErrorSummary title={fill(tr(COMMON.errorSummary, lang), { n: problems.length })} items={problems} />;
  const blocked = round.status !== "open" ? S.notOpen : !round.modes.includes(invited ? "invitation" : "public") ? S.notPublic : null;
  return (
    <>
      {header}
      <main>
        {page === "start" || !section ? (
          <>
            <h1 tabIndex={-1} ref={heading}>
              {tr(instrument.title, lang)}
            </h1>
            {submitError && <Notice kind="error">{submitError}</Notice>}
            {summary}
            {blocked && <Notice kind="error">{tr(blocked, lang)}</Notice>}
            {restored?.id === draft.id && Object.keys(restored.answers).length > 0 && <Notice kind="info">{tr(S.restored, lang)}</Notice>}
            {payload.invitee && <p>{fill(tr(S.dear, lang), { name: payload.invitee.name })}</p>}
            <p class="intro start-intro">{tr(instrument.intro, lang)}</p>
            {invited && <Notice kind="info">{tr(S.anonymous, lang)}</Notice>}
            {!payload.fixedUnit && (
              <UnitPicker
                label={tr(COMMON.unit, lang)}
                value={draft.unit}
                search={(q) => searchUnitsOnline(payload, q)}
                browse={(parent) => browseUnits(payload, parent, lang)}
                onChange={(unit) => {
                  form.changed("unit");
                  update({ unit });
                }}
                error={errors.get("unit")}
                lang={lang}
              />
            )}
            {payload.fixedUnit && (
              <p>
                <strong>{payload.fixedUnit.name}</strong>
              </p>
            )}
            {!singleGroup && (
              <GroupPicker
                groups={payload.groups}
                value={draft.group}
                error={errors.get("group")}
                lang={lang}
                onChange={(group) => {
                  form.changed("group");
                  update({ group });
                }}
              />
            )}
            <div class="nav">
              <button type="button" class="btn" disabled={blocked !== null} onClick={form.next}>
                {tr(COMMON.start, lang)}
              </button>
            </div>
          </>
        ) : (
          <SectionPage
            form={form}
            instrument={instrument}
            answers={draft.answers}
            errors={errors}
            lang={lang}
            onAnswer={onAnswer}
            progress={<AnswerProgress answered={progress.answered} total={progress.total} lang={lang} />}
            notices={
              <>
                {submitError && <Notice kind="error">{submitError}</Notice>}
                {summary}
              </>
            }
            finishLabel={COMMON.submit}
          />
        )}
      </main>
    </>
  );
}

/** Online unit search within the round's scope; one query per scope key, merged. */
async function searchUnitsOnline(payload: FormPayload, query: string): Promise<UnitChoice[]> {
  const { round, instrument } = payload;
  const scopes: Array<string | null> = round.scope.length ? round.scope : [null];
  const lists = await Promise.all(
    scopes.map((within) => {
      const params = new URLSearchParams({ q: query, level: instrument.unitLevel, registry: round.registry, limit: "20" });
      if (within) params.set("within", within);
      return requestJson<{ units: UnitHit[] }>(`/api/units?${params}`);
    }),
  );
  const seen = new Set<string>();
  const out: UnitChoice[] = [];
  for (const u of lists.flatMap((l) => l.units)) {
    if (seen.has(u.key)) continue;
    seen.add(u.key);
    // The full name of a village already names its commune: show only the places it does not.
    const detail = u.path.filter((p) => !u.fullName.includes(p)).join(", ");
    out.push({ key: u.key, name: u.fullName, ...(detail ? { detail } : {}) });
  }
  return out.slice(0, 20);
}

type BrowsedUnit = Pick<ChildUnit, "key" | "fullName" | "level" | "children">;

/**
 * One level of the browse path within the round's scope: the scope's units at the top (skipped
 * when there is only one), then the units under the one opened. A unit at the questionnaire's
 * level is chosen; one above it opens the next list; one above it with nothing under it is left out.
 */
async function browseUnits(payload: FormPayload, parent: BrowseEntry | null, lang: Lang): Promise<BrowseLevel> {
  const { round, instrument } = payload;
  const entry = (u: BrowsedUnit, path?: string): BrowseEntry => {
    // As in search results: only the places the unit's own full name does not already say.
    const detail = path
      ?.split(", ")
      .filter((p) => !u.fullName.includes(p))
      .join(", ");
    return { key: u.key, name: u.fullName, ...(detail ? { detail } : {}), open: u.level !== instrument.unitLevel };
  };
  const under = async (key: string, trail?: string): Promise<BrowseLevel> => {
    const res = await requestJson<UnitChildren>(`/api/units/${encodeURIComponent(key)}/children`);
    const detail = trail ? `${res.unit.fullName}, ${trail}` : res.unit.fullName;
    return { title: res.unit.fullName, entries: res.children.filter((u) => u.level === instrument.unitLevel || u.children > 0).map((u) => entry(u, detail)) };
  };
  if (parent) return under(parent.key, parent.detail);
  if (round.scope.length === 1) return under(round.scope[0]!);
  const tops = await Promise.all(round.scope.map((key) => requestJson<UnitDetail>(`/api/units/${encodeURIComponent(key)}`)));
  return { title: tr(COMMON.unitSearch, lang), entries: tops.map((t) => entry({ ...t.unit, children: 1 })) };
}

/** "ZBN-94B-7MR" as a screen reader should say it: one character at a time, a pause at each dash. */
export function spellOut(code: string): string {
  return code
    .split("-")
    .map((part) => [...part].join(" "))
    .join(", ");
}
