/**
 * The enumerator app's main screen: the round's counts and lists (every list names interviews by
 * their instance name), sync with what happened, progress against the sample targets, the
 * responses of other rounds still on the device, and file transfer when sync is not possible.
 */
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { fill, tr, type Lang } from "../common/i18n.js";
import { newUuid } from "../common/net.js";
import { Header, Notice } from "../common/ui.js";
import {
  countsOf,
  deleteResponse,
  getResponse,
  getSetting,
  importQueued,
  keepServerCopy,
  pendingByRound,
  requeue,
  responsesIn,
  responsesInState,
  setSetting,
  storedRounds,
  type LocalResponse,
  type LocalState,
  type StoredRound,
} from "./db.js";
import { ImportError, downloadFile, exportFiles, parseImport } from "./queue/transfer.js";
import type { Syncer } from "./queue/use-syncer.js";
import { NOTABLE_OFFSET_MS, formatTime, offsetText, recordLabel, rejectionText, remedyOf } from "./records.js";
import { C } from "./strings.js";
import { TargetProgress } from "./progress.js";

type Lists = Record<LocalState, LocalResponse[]>;

export function Home(props: {
  round: StoredRound;
  device: string;
  lang: Lang;
  syncer: Syncer;
  banner: unknown;
  onOpen(r: LocalResponse): void;
  onSetup(): void;
  onSwitch(round: string): void;
}) {
  const { round, device, lang, syncer } = props;
  const [counts, setCounts] = useState<Record<LocalState, number> | null>(null);
  const [lists, setLists] = useState<Lists>({ draft: [], queued: [], sent: [], rejected: [] });
  /** This round's queued and sent records (all of them), for progress per unit. */
  const [done, setDone] = useState<LocalResponse[]>([]);
  const [others, setOthers] = useState<Array<{ id: string; title: string | null; draft: number; queued: number; rejected: number }>>([]);
  /** Unsent (queued + rejected) on the whole device: what the export takes. */
  const [unsent, setUnsent] = useState(0);
  const { online, syncing, message: syncMessage, lastSync, sync, clockOffsetMs } = syncer;
  const [transferMessage, setTransferMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  // Arriving here from sign-in or an interview, the button pressed is gone with its screen: focus
  // would fall to the page itself. The round's heading takes it, and is read.
  useLayoutEffect(() => {
    if (!document.activeElement || document.activeElement === document.body) heading.current?.focus();
  }, []);

  const refresh = async () => {
    const c = await countsOf(round.id);
    const [draft, queued, sent, rejected] = await Promise.all([
      responsesIn(round.id, "draft"),
      responsesIn(round.id, "queued"),
      responsesIn(round.id, "sent"),
      responsesIn(round.id, "rejected"),
    ]);
    const recent = (a: LocalResponse, b: LocalResponse) => (a.updatedAt < b.updatedAt ? 1 : -1);
    setCounts(c);
    setDone([...queued, ...sent]);
    setLists({ draft: draft.sort(recent), queued: queued.sort(recent).slice(0, 50), sent: sent.sort(recent).slice(0, 20), rejected: rejected.sort(recent) });
    const [pending, rounds] = await Promise.all([pendingByRound(), storedRounds()]);
    const titles = new Map(rounds.map((r) => [r.id, tr(r.form.round.title, lang)]));
    let total = 0;
    const rest: typeof others = [];
    for (const [id, n] of pending) {
      total += n.queued + n.rejected;
      if (id !== round.id) rest.push({ id, title: titles.get(id) ?? null, ...n });
    }
    setUnsent(total);
    setOthers(rest.sort((a, b) => (a.id < b.id ? -1 : 1)));
  };

  useEffect(() => {
    void refresh();
  }, [round.id, syncer.generation, lang]);

  const newInterview = () => {
    const now = new Date().toISOString();
    props.onOpen({
      id: newUuid(),
      round: round.id,
      state: "draft",
      unit: null,
      group: null,
      answers: {},
      section: null,
      startedAt: now,
      createdAt: now,
      updatedAt: now,
    });
  };

  const open = async (id: string) => {
    const record = await getResponse(id);
    if (record) props.onOpen(record);
  };

  const saveFiles = (records: LocalResponse[]) => {
    const files = exportFiles(device, records);
    if (files.length === 0) return setTransferMessage({ kind: "error", text: tr(C.nothingToExport, lang) });
    for (const f of files) downloadFile(f.name, f.text);
  };
  // The lists on screen are capped and show one round; the export takes every unsent response of the device.
  const exportPending = async () => saveFiles([...(await responsesInState("queued")), ...(await responsesInState("rejected"))]);

  const importFiles = async (input: HTMLInputElement) => {
    const files = [...(input.files ?? [])];
    input.value = "";
    let added = 0;
    let skipped = 0;
    try {
      const units = new Map((await storedRounds()).map((r) => [r.id, r.units]));
      for (const file of files) {
        const result = await importQueued(parseImport(await file.text(), (id) => units.get(id) ?? []));
        added += result.added;
        skipped += result.skipped;
      }
      setTransferMessage({ kind: "ok", text: fill(tr(C.imported, lang), { added, skipped }) });
    } catch (e) {
      setTransferMessage({ kind: "error", text: e instanceof ImportError ? tr(e.text, lang) : String(e) });
    }
    await refresh();
    if (added > 0 && navigator.onLine) void sync();
  };

  const time = (iso: string) => formatTime(iso, clockOffsetMs, lang);
  const label = (r: LocalResponse) => {
    const l = recordLabel(round, r, lang);
    return (
      <span>
        <span class="record-name">{l.title}</span>
        {l.detail && <span class="detail">{l.detail}</span>}
      </span>
    );
  };

  return (
    <>
      <Header title={tr(C.app, lang)} lang={lang} />
      <main>
        {props.banner}
        <h1 tabIndex={-1} ref={heading}>
          {tr(round.form.round.title, lang)}
        </h1>
        <p class="hint">
          {tr(round.form.instrument.title, lang)} · {round.id}
        </p>
        <p class={`status ${online ? "on" : "off"}`} data-testid="online">
          {tr(online ? C.online : C.offline, lang)}
        </p>
        {Math.abs(clockOffsetMs) >= NOTABLE_OFFSET_MS && (
          <Notice kind="info">
            <span data-testid="clock-offset">{fill(tr(C.clockOff, lang), { amount: offsetText(clockOffsetMs, lang) })}</span>
          </Notice>
        )}
        <StorageNotice lang={lang} />
        <dl class="counts">
          {(
            [
              ["draft", C.drafts],
              ["queued", C.queued],
              ["sent", C.sent],
              ["rejected", C.rejected],
            ] as const
          ).map(([state, text]) => (
            <div class={`count ${state}`} key={state}>
              <dt>{tr(text, lang)}</dt>
              <dd data-testid={`count-${state}`}>{counts ? counts[state] : "…"}</dd>
            </div>
          ))}
        </dl>
        <div class="nav">
          <button type="button" class="btn" onClick={newInterview}>
            {tr(C.newInterview, lang)}
          </button>
          <button type="button" class="btn secondary" disabled={syncing} onClick={() => void sync("manual")}>
            {tr(syncing ? C.syncing : C.syncNow, lang)}
          </button>
        </div>
        {syncMessage && (
          <div class={`notice ${syncMessage.kind}`} role="status" data-testid="sync-message">
            {syncMessage.text}
          </div>
        )}
        {syncer.needsSignIn && (
          <button type="button" class="btn" onClick={props.onSetup}>
            {tr(C.signIn, lang)}
          </button>
        )}
        {unsent > 0 && (
          <p class="hint" data-testid="background-sync">
            {tr(syncer.backgroundSync ? C.backgroundOn : C.backgroundOff, lang)}
          </p>
        )}
        {lastSync && <p class="hint">{fill(tr(C.lastSync, lang), { at: time(lastSync) })}</p>}

        {others.length > 0 && (
          <section data-testid="other-rounds">
            <h2>{tr(C.otherRounds, lang)}</h2>
            <p class="hint">{tr(C.otherRoundsHelp, lang)}</p>
            <ul class="records">
              {others.map((o) => (
                <li key={o.id} class="record">
                  <span>
                    <span class="record-name">{o.title ?? o.id}</span>
                    <span class="detail">{fill(tr(C.roundCounts, lang), { queued: o.queued, rejected: o.rejected, draft: o.draft })}</span>
                  </span>
                  {o.title && (
                    <button type="button" class="btn small secondary" onClick={() => props.onSwitch(o.id)}>
                      {tr(C.openRound, lang)}
                    </button>
                  )}
                </li>
              ))}
            </ul>
          </section>
        )}

        {lists.rejected.length > 0 && (
          <section>
            <h2>{tr(C.listRejected, lang)}</h2>
            <ul class="records">
              {lists.rejected.map((r) => {
                const remedy = remedyOf(r);
                return (
                  <li key={r.id} class="record rejected">
                    {label(r)}
                    <span class="detail field-error-text">{rejectionText(r, lang)}</span>
                    {remedy !== "fix" && (
                      <span class="detail">
                        {tr(remedy === "keep-server" ? C.conflictHelp : r.rejection?.status === "refused" ? C.refusedHelp : C.closedHelp, lang)}
                      </span>
                    )}
                    <span class="actions">
                      {remedy === "fix" && (
                        <button type="button" class="btn small" onClick={() => void open(r.id)}>
                          {tr(C.fix, lang)}
                        </button>
                      )}
                      {remedy === "keep-server" && (
                        <button type="button" class="btn small" onClick={() => void keepServerCopy(r.id).then(refresh)}>
                          {tr(C.keepServer, lang)}
                        </button>
                      )}
                      {remedy === "send-again" && (
                        <button type="button" class="btn small" onClick={() => void requeue(r.id).then(() => (navigator.onLine ? sync("manual") : refresh()))}>
                          {tr(C.sendAgain, lang)}
                        </button>
                      )}
                      {remedy !== "fix" && (
                        <button type="button" class="btn small secondary" onClick={() => saveFiles([r])}>
                          {tr(C.exportThis, lang)}
                        </button>
                      )}
                    </span>
                  </li>
                );
              })}
            </ul>
          </section>
        )}
        {lists.draft.length > 0 && (
          <section>
            <h2>{tr(C.listDrafts, lang)}</h2>
            <ul class="records">
              {lists.draft.map((r) => (
                <li key={r.id} class="record">
                  {label(r)}
                  <span class="detail">{time(r.updatedAt)}</span>
                  <span class="actions">
                    <button type="button" class="btn small" onClick={() => void open(r.id)}>
                      {tr(C.open, lang)}
                    </button>
                    <button
                      type="button"
                      class="btn danger small"
                      onClick={() => {
                        if (confirm(tr(C.confirmRemove, lang))) void deleteResponse(r.id).then(refresh);
                      }}
                    >
                      {tr(C.remove, lang)}
                    </button>
                  </span>
                </li>
              ))}
            </ul>
          </section>
        )}
        {lists.queued.length > 0 && (
          <section>
            <h2>{tr(C.listQueued, lang)}</h2>
            <ul class="records" data-testid="queued-list">
              {lists.queued.map((r) => (
                <li key={r.id} class="record">
                  {label(r)}
                  <span class="detail">{time(r.updatedAt)}</span>
                </li>
              ))}
            </ul>
          </section>
        )}
        {lists.sent.length > 0 && (
          <section>
            <h2>{tr(C.listSent, lang)}</h2>
            <ul class="records" data-testid="sent-list">
              {lists.sent.map((r) => (
                <li key={r.id} class="record">
                  {label(r)}
                  <span class="detail">{r.sentAt ? time(r.sentAt) : ""}</span>
                  {r.keptServerCopy ? <span class="detail">{tr(C.keptServerCopy, lang)}</span> : <code>{r.receipt}</code>}
                </li>
              ))}
            </ul>
          </section>
        )}

        <TargetProgress round={round} recorded={done} lang={lang} />

        <section class="transfer">
          <h2>{tr(C.transfer, lang)}</h2>
          <p class="hint">{tr(C.transferHelp, lang)}</p>
          {transferMessage && (
            <Notice kind={transferMessage.kind}>
              <span data-testid="transfer-message">{transferMessage.text}</span>
            </Notice>
          )}
          <details class="hint">
            <summary>{tr(C.curlTitle, lang)}</summary>
            <p>{tr(C.curlHelp, lang)}</p>
            <pre>{`curl -X POST ${location.origin}/api/sync \\
  -H "content-type: application/json" \\
  -H "authorization: Bearer <token>" \\
  --data @chiso-${round.id}-….json`}</pre>
          </details>
          <div class="nav">
            <button type="button" class="btn secondary" onClick={() => void exportPending()}>
              {fill(tr(C.exportPending, lang), { n: unsent })}
            </button>
            <label class="btn secondary file">
              {tr(C.importFile, lang)}
              <input
                type="file"
                accept="application/json,.json"
                multiple
                class="sr-only"
                data-testid="import"
                onChange={(e) => void importFiles(e.currentTarget as HTMLInputElement)}
              />
            </label>
          </div>
        </section>
        <p>
          <button type="button" class="link" onClick={props.onSetup}>
            {tr(C.changeRound, lang)}
          </button>
        </p>
      </main>
    </>
  );
}

/**
 * Whether the browser keeps this device's data for good. Said only when it does not, with what to
 * do about it; "Got it" puts it away for good, "Try again" asks once more (after installing).
 */
function StorageNotice({ lang }: { lang: Lang }) {
  const [state, setState] = useState<"unknown" | "ask" | "granted-now" | "quiet">("unknown");
  useEffect(() => {
    void (async () => {
      const persisted = await navigator.storage?.persisted?.().catch(() => true);
      if (persisted !== false || (await getSetting<boolean>("storageNoticeDismissed"))) setState("quiet");
      else setState("ask");
    })();
  }, []);
  if (state === "granted-now") {
    return (
      <Notice kind="ok">
        <span data-testid="persisted">{tr(C.persistGranted, lang)}</span>
      </Notice>
    );
  }
  if (state !== "ask") return null;
  return (
    <Notice kind="info">
      <p data-testid="persisted">{tr(C.notPersisted, lang)}</p>
      <div class="nav">
        <button
          type="button"
          class="btn small"
          onClick={() =>
            void navigator.storage?.persist?.().then(
              (ok) => setState(ok ? "granted-now" : "ask"),
              () => undefined,
            )
          }
        >
          {tr(C.persistRetry, lang)}
        </button>
        <button type="button" class="btn small secondary" onClick={() => void setSetting("storageNoticeDismissed", true).then(() => setState("quiet"))}>
          {tr(C.dismiss, lang)}
        </button>
      </div>
    </Notice>
  );
}
