/** The enumerator app's screens: download a round, the queue overview with sync and file transfer, and interviews. */
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { FormPayload, RoundSummary } from "../../shared/api/schemas.js";
import { fill, problemText, tr, useLang, type Lang } from "../common/i18n.js";
import { HttpError, backoffMs, newUuid, requestJson } from "../common/net.js";
import { Header, Notice } from "../common/ui.js";
import {
  countsOf,
  currentRound,
  deleteResponse,
  deviceId,
  getCredential,
  getResponse,
  getSetting,
  importQueued,
  onNewerVersion,
  responsesIn,
  saveRound,
  setCredential,
  setSetting,
  type DeviceCredential,
  type LocalResponse,
  type LocalState,
  type OfflineUnit,
  type StoredRound,
} from "./db.js";
import { Interview } from "./interview.js";
import { C } from "./strings.js";
import { syncQueue, type SyncOutcome } from "./sync.js";
import { ImportError, downloadFile, exportFiles, parseImport } from "./transfer.js";

type View = { kind: "loading" } | { kind: "setup" } | { kind: "home"; notice?: string } | { kind: "interview"; record: LocalResponse };

export function CollectApp() {
  const lang = useLang();
  const [round, setRound] = useState<StoredRound | null>(null);
  const [credential, setCredentialState] = useState<DeviceCredential | null>(null);
  const [device, setDevice] = useState<string>("");
  const [view, setView] = useState<View>({ kind: "loading" });
  const [updateReady, setUpdateReady] = useState(false);
  const syncer = useSyncer(round, device, credential, lang);

  useEffect(() => {
    void (async () => {
      setDevice(await deviceId());
      const [stored, cred] = await Promise.all([currentRound(), getCredential()]);
      setRound(stored);
      setCredentialState(cred ?? null);
      setView(stored ? { kind: "home" } : { kind: "setup" });
    })();
    // A new service worker took over (the app was updated): offer a reload; the data stays in IndexedDB.
    const sw = navigator.serviceWorker;
    let hadController = Boolean(sw?.controller);
    const onChange = () => {
      if (hadController) setUpdateReady(true);
      hadController = true;
    };
    sw?.addEventListener("controllerchange", onChange);
    const off = onNewerVersion(() => setUpdateReady(true));
    return () => {
      sw?.removeEventListener("controllerchange", onChange);
      off();
    };
  }, []);

  const banner = updateReady && (
    <Notice kind="info">
      <p>{tr(C.updateReady, lang)}</p>
      <button type="button" class="btn" onClick={() => location.reload()}>
        {tr(C.reload, lang)}
      </button>
    </Notice>
  );

  if (view.kind === "loading") {
    return (
      <>
        <Header title={tr(C.app, lang)} lang={lang} />
        <main>
          <p role="status">…</p>
        </main>
      </>
    );
  }
  if (view.kind === "setup" || !round) {
    return (
      <Setup
        lang={lang}
        device={device}
        previous={round}
        credential={credential}
        onCancel={round ? () => setView({ kind: "home" }) : null}
        onDone={(r, cred) => {
          setRound(r);
          setCredentialState(cred);
          setView({ kind: "home" });
        }}
      />
    );
  }
  if (view.kind === "interview") {
    return (
      <>
        {banner}
        <Interview
          key={view.record.id}
          round={round}
          initial={view.record}
          device={device}
          enumerator={credential?.username ?? null}
          lang={lang}
          onExit={() => setView({ kind: "home" })}
          onQueued={() => {
            setView({ kind: "home", notice: tr(C.queuedNotice, lang) });
            if (navigator.onLine) void syncer.sync();
          }}
        />
      </>
    );
  }
  return (
    <Home
      round={round}
      device={device}
      lang={lang}
      syncer={syncer}
      notice={view.notice}
      banner={banner}
      onOpen={(record) => setView({ kind: "interview", record })}
      onSetup={() => setView({ kind: "setup" })}
    />
  );
}

interface Syncer {
  online: boolean;
  syncing: boolean;
  message: { kind: "ok" | "error" | "info"; text: string } | null;
  lastSync: string | null;
  /** Bumped after every sync, so that views showing counts reload them. */
  generation: number;
  /** The server refused the device token: queued data waits until the enumerator signs in again. */
  needsSignIn: boolean;
  sync(): Promise<void>;
}

/**
 * When to sync: at start, when the connection comes back, on the button, and after a failure on
 * a growing timer. Lives at the top of the app so that it runs during interviews too.
 */
function useSyncer(round: StoredRound | null, device: string, credential: DeviceCredential | null, lang: Lang): Syncer {
  const [online, setOnline] = useState(navigator.onLine);
  const [syncing, setSyncing] = useState(false);
  const [message, setMessage] = useState<Syncer["message"]>(null);
  const [lastSync, setLastSync] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const retries = useRef(0);
  const retryTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const [needsSignIn, setNeedsSignIn] = useState(false);
  const latest = useRef({ round, device, credential, lang });
  latest.current = { round, device, credential, lang };

  const sync = async () => {
    const { round: r, device: d, credential: cred, lang: l } = latest.current;
    if (!r || !d) return;
    if (!cred) {
      setNeedsSignIn(true);
      setMessage({ kind: "error", text: tr(C.syncAuth, l) });
      return;
    }
    clearTimeout(retryTimer.current);
    setSyncing(true);
    setMessage({ kind: "info", text: tr(C.syncing, l) });
    let outcome: SyncOutcome;
    try {
      outcome = await syncQueue(r, d, cred);
    } catch (e) {
      outcome = { sent: 0, rejected: 0, problem: { kind: "refused", error: { code: "internal", message_vi: String(e), message_en: String(e) } } };
    } finally {
      setSyncing(false);
    }
    const at = new Date().toISOString();
    await setSetting(`lastSync.${r.id}`, at);
    setLastSync(at);
    setGeneration((g) => g + 1);
    const p = outcome.problem;
    setNeedsSignIn(p?.kind === "auth");
    if (!p) {
      retries.current = 0;
      setMessage({ kind: outcome.rejected ? "error" : "ok", text: fill(tr(C.syncDone, l), { sent: outcome.sent, rejected: outcome.rejected }) });
    } else if (p.kind === "retry") {
      retryTimer.current = setTimeout(() => void sync(), backoffMs(retries.current++, 5000, 5 * 60_000));
      setMessage({ kind: "error", text: tr(C.syncRetry, l) });
    } else {
      setMessage({ kind: "error", text: p.kind === "auth" ? tr(C.syncAuth, l) : problemText(p.error, l) });
    }
  };

  useEffect(() => {
    if (!round || !device) return;
    void getSetting<string>(`lastSync.${round.id}`).then((v) => setLastSync(v ?? null));
    void countsOf(round.id).then((c) => {
      if (c.queued > 0 && navigator.onLine) void sync();
    });
    const up = () => {
      setOnline(true);
      retries.current = 0;
      void sync();
    };
    const down = () => setOnline(false);
    window.addEventListener("online", up);
    window.addEventListener("offline", down);
    return () => {
      window.removeEventListener("online", up);
      window.removeEventListener("offline", down);
      clearTimeout(retryTimer.current);
    };
  }, [round?.id, device, credential?.token]);

  return { online, syncing, message, lastSync, generation, needsSignIn, sync };
}

/**
 * First run (or a refresh): the round, the enumerator's sign-in, and the download of everything
 * needed offline. Signing in registers this device (a revocable token); the session is then
 * closed, since the token is all the device needs afterwards.
 */
function Setup(props: {
  lang: Lang;
  device: string;
  previous: StoredRound | null;
  credential: DeviceCredential | null;
  onCancel: (() => void) | null;
  onDone(r: StoredRound, credential: DeviceCredential): void;
}) {
  const { lang } = props;
  const [roundId, setRoundId] = useState(props.previous?.id ?? "");
  const [credential, setCredentialState] = useState(props.credential);
  const [username, setUsername] = useState(props.credential?.username ?? "");
  const [password, setPassword] = useState("");
  const [rounds, setRounds] = useState<RoundSummary[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    requestJson<{ rounds: RoundSummary[] }>("/api/rounds").then(
      (r) => setRounds(r.rounds.filter((x) => x.status === "open" && x.modes.includes("enumerator"))),
      () => undefined, // offline: the id can still be typed
    );
  }, []);

  const register = async (): Promise<DeviceCredential> => {
    const login = await requestJson<{ csrfToken: string }>("/api/auth/login", { json: { username: username.trim(), password } });
    const csrf = { "x-csrf-token": login.csrfToken };
    const label = fill(tr(C.deviceLabel, "vi"), { id: props.device.slice(0, 8) });
    const device = await requestJson<{ token: string }>("/api/devices", { json: { label }, headers: csrf });
    await requestJson("/api/auth/logout", { method: "POST", headers: csrf }).catch(() => undefined);
    const registered = { token: device.token, username: username.trim(), registeredAt: new Date().toISOString() };
    await setCredential(registered);
    return registered;
  };

  const download = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    const id = roundId.trim();
    try {
      const cred = credential ?? (await register());
      setCredentialState(cred);
      setPassword("");
      const [form, units] = await Promise.all([
        requestJson<FormPayload>(`/api/rounds/${encodeURIComponent(id)}/form`),
        requestJson<{ units: OfflineUnit[] }>(`/api/rounds/${encodeURIComponent(id)}/offline-units`, { headers: { authorization: `Bearer ${cred.token}` } }),
      ]);
      const stored: StoredRound = { id, form, units: units.units, downloadedAt: new Date().toISOString() };
      await saveRound(stored);
      // Asked at a user gesture, when data is about to matter; browsers may still say no.
      await navigator.storage?.persist?.().catch(() => false);
      props.onDone(stored, cred);
    } catch (err) {
      if (!(err instanceof HttpError)) setError(tr(C.needNetwork, lang));
      else if (err.status === 404) setError(tr(C.noRound, lang));
      else if (err.status === 401 && credential) {
        // The stored token was revoked: forget it and ask for the password.
        await setCredential(null);
        setCredentialState(null);
        setError(tr(C.signInAgain, lang));
      } else setError(problemText(err.body?.error, lang));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Header title={tr(C.app, lang)} lang={lang} />
      <main>
        <h1>{tr(C.setupTitle, lang)}</h1>
        <p>{tr(C.setupIntro, lang)}</p>
        {error && <Notice kind="error">{error}</Notice>}
        <form onSubmit={download}>
          {rounds.length > 0 && (
            <fieldset class="q choice">
              <legend>{tr(C.openRounds, lang)}</legend>
              <div class="options">
                {rounds.map((r) => (
                  <label class="option" key={r.id}>
                    <input type="radio" name="round-pick" checked={roundId === r.id} onChange={() => setRoundId(r.id)} />
                    <span>
                      {tr(r.title, lang)} <span class="detail">{r.id}</span>
                    </span>
                  </label>
                ))}
              </div>
            </fieldset>
          )}
          <div class="q field">
            <label for="setup-round">{tr(C.roundId, lang)}</label>
            <input id="setup-round" class="input" required autoComplete="off" autoCapitalize="none" value={roundId} onInput={(e) => setRoundId((e.currentTarget as HTMLInputElement).value)} />
          </div>
          {credential ? (
            <p>
              {fill(tr(C.signedInAs, lang), { name: credential.username })}{" "}
              <button type="button" class="link" onClick={() => setCredentialState(null)}>
                {tr(C.otherAccount, lang)}
              </button>
            </p>
          ) : (
            <>
              <div class="q field">
                <label for="setup-username">{tr(C.username, lang)}</label>
                <input id="setup-username" class="input" required autoComplete="username" autoCapitalize="none" value={username} onInput={(e) => setUsername((e.currentTarget as HTMLInputElement).value)} />
              </div>
              <div class="q field">
                <label for="setup-password">{tr(C.password, lang)}</label>
                <input id="setup-password" class="input" required type="password" autoComplete="current-password" value={password} onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)} />
              </div>
            </>
          )}
          <div class="nav">
            {props.onCancel && (
              <button type="button" class="btn secondary" onClick={props.onCancel}>
                {tr(C.cancel, lang)}
              </button>
            )}
            <button type="submit" class="btn" disabled={busy}>
              {tr(busy ? C.downloading : C.download, lang)}
            </button>
          </div>
        </form>
      </main>
    </>
  );
}

type Lists = Record<LocalState, LocalResponse[]>;

function Home(props: {
  round: StoredRound;
  device: string;
  lang: Lang;
  syncer: Syncer;
  notice: string | undefined;
  banner: unknown;
  onOpen(r: LocalResponse): void;
  onSetup(): void;
}) {
  const { round, device, lang, syncer } = props;
  const [counts, setCounts] = useState<Record<LocalState, number> | null>(null);
  const [lists, setLists] = useState<Lists>({ draft: [], queued: [], sent: [], rejected: [] });
  const [persisted, setPersisted] = useState<boolean | null>(null);
  const { online, syncing, message: syncMessage, lastSync, sync } = syncer;
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
      responsesIn(round.id, "queued", 50),
      responsesIn(round.id, "sent"),
      responsesIn(round.id, "rejected"),
    ]);
    const recent = (a: LocalResponse, b: LocalResponse) => (a.updatedAt < b.updatedAt ? 1 : -1);
    setCounts(c);
    setLists({ draft: draft.sort(recent), queued: queued.sort(recent), sent: sent.sort(recent).slice(0, 20), rejected: rejected.sort(recent) });
  };

  useEffect(() => {
    void refresh();
    void navigator.storage?.persisted?.().then(setPersisted, () => setPersisted(false));
  }, [round.id, syncer.generation]);

  const newInterview = async () => {
    const now = new Date().toISOString();
    const record: LocalResponse = {
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
    };
    props.onOpen(record);
  };

  const open = async (id: string) => {
    const record = await getResponse(id);
    if (record) props.onOpen(record);
  };

  const exportPending = async () => {
    // The list on screen is capped; the export takes every unsent response.
    const pending = [...(await responsesIn(round.id, "queued")), ...(await responsesIn(round.id, "rejected"))];
    const files = exportFiles(round.id, device, pending);
    if (files.length === 0) return setTransferMessage({ kind: "error", text: tr(C.nothingToExport, lang) });
    for (const f of files) downloadFile(f.name, f.text);
  };

  const importFiles = async (input: HTMLInputElement) => {
    const files = [...(input.files ?? [])];
    input.value = "";
    let added = 0;
    let skipped = 0;
    try {
      for (const file of files) {
        const result = await importQueued(parseImport(await file.text(), round.id, round.units));
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

  const groupLabel = (code: string | null) => {
    const g = round.form.groups.find((x) => x.code === code);
    return g ? tr(g.label, lang) : "";
  };
  const describe = (r: LocalResponse) => `${r.unit?.name ?? tr(C.noUnit, lang)}${r.group && round.form.groups.length > 1 ? ` — ${groupLabel(r.group)}` : ""}`;
  const time = (iso: string) => new Date(iso).toLocaleString(lang === "vi" ? "vi-VN" : "en-GB", { dateStyle: "short", timeStyle: "short" });

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
        {props.notice && <Notice kind="ok">{props.notice}</Notice>}
        <p class={`status ${online ? "on" : "off"}`} data-testid="online">
          {tr(online ? C.online : C.offline, lang)}
        </p>
        {persisted !== null && (
          <p class="hint" data-testid="persisted">
            {tr(persisted ? C.persisted : C.notPersisted, lang)}
          </p>
        )}
        <dl class="counts">
          {(
            [
              ["draft", C.drafts],
              ["queued", C.queued],
              ["sent", C.sent],
              ["rejected", C.rejected],
            ] as const
          ).map(([state, label]) => (
            <div class={`count ${state}`} key={state}>
              <dt>{tr(label, lang)}</dt>
              <dd data-testid={`count-${state}`}>{counts ? counts[state] : "…"}</dd>
            </div>
          ))}
        </dl>
        <div class="nav">
          <button type="button" class="btn" onClick={() => void newInterview()}>
            {tr(C.newInterview, lang)}
          </button>
          <button type="button" class="btn secondary" disabled={syncing} onClick={() => void sync()}>
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
        {lastSync && <p class="hint">{fill(tr(C.lastSync, lang), { at: time(lastSync) })}</p>}

        {lists.rejected.length > 0 && (
          <section>
            <h2>{tr(C.listRejected, lang)}</h2>
            <ul class="records">
              {lists.rejected.map((r) => (
                <li key={r.id} class="record rejected">
                  <span>
                    {describe(r)}
                    <span class="detail field-error-text">{rejectionText(r, lang)}</span>
                  </span>
                  <button type="button" class="btn small" onClick={() => void open(r.id)}>
                    {tr(C.fix, lang)}
                  </button>
                  {r.rejection?.status === "conflict" && (
                    <button type="button" class="btn danger small" onClick={() => void deleteResponse(r.id).then(refresh)}>
                      {tr(C.remove, lang)}
                    </button>
                  )}
                </li>
              ))}
            </ul>
          </section>
        )}
        {lists.draft.length > 0 && (
          <section>
            <h2>{tr(C.listDrafts, lang)}</h2>
            <ul class="records">
              {lists.draft.map((r) => (
                <li key={r.id} class="record">
                  <span>
                    {describe(r)}
                    <span class="detail">{time(r.updatedAt)}</span>
                  </span>
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
                </li>
              ))}
            </ul>
          </section>
        )}
        {lists.queued.length > 0 && (
          <section>
            <h2>{tr(C.listQueued, lang)}</h2>
            <ul class="records">
              {lists.queued.map((r) => (
                <li key={r.id} class="record">
                  <span>
                    {describe(r)}
                    <span class="detail">{time(r.updatedAt)}</span>
                  </span>
                </li>
              ))}
            </ul>
          </section>
        )}
        {lists.sent.length > 0 && (
          <section>
            <h2>{tr(C.listSent, lang)}</h2>
            <ul class="records">
              {lists.sent.map((r) => (
                <li key={r.id} class="record">
                  <span>
                    {describe(r)}
                    <span class="detail">{r.sentAt ? time(r.sentAt) : ""}</span>
                  </span>
                  <code>{r.receipt}</code>
                </li>
              ))}
            </ul>
          </section>
        )}

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
              {fill(tr(C.exportPending, lang), { n: (counts?.queued ?? 0) + (counts?.rejected ?? 0) })}
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

/** Why the server refused a response: its field reasons when it gave some, else the general message. */
function rejectionText(r: LocalResponse, lang: Lang): string {
  const error = r.rejection?.error;
  const fields = (error?.errors ?? []).map((e) => (lang === "vi" ? e.message_vi : e.message_en));
  return fields.length ? fields.slice(0, 3).join(" ") : problemText(error, lang);
}
