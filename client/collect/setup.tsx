/**
 * First run, a refresh, or another round: the round, the enumerator's sign-in, and the download of
 * everything needed offline (form, units, sample targets). Signing in registers this device (a
 * revocable token); the session is then closed, since the token is all the device needs. Unsent
 * responses of other rounds stay on the device and are still sent: the screen says so first.
 */
import { useEffect, useState } from "preact/hooks";
import type { FormPayload, RoundList, RoundSummary } from "../../shared/api/rounds.js";
import type { OfflinePackage } from "../../shared/api/offline.js";
import type { DeviceCreated, LoginReply } from "../../shared/api/accounts.js";
import { fill, problemText, tr, type Lang } from "../common/i18n.js";
import { HttpError, requestJson } from "../common/net.js";
import { Header, Notice } from "../common/ui.js";
import { pendingByRound, saveRound, setCredential, type DeviceCredential, type StoredRound } from "./db.js";
import { C } from "./strings.js";

export function Setup(props: {
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

  /** Unsent responses already on the device, by round: they stay, and are still sent, whatever round is chosen. */
  const [pending, setPending] = useState<Array<[string, number]>>([]);

  useEffect(() => {
    void pendingByRound().then((m) =>
      setPending([...m.entries()].map(([r, c]) => [r, c.queued + c.rejected + c.draft] as [string, number]).filter(([, n]) => n > 0)),
    );
  }, []);

  useEffect(() => {
    requestJson<RoundList>("/api/rounds").then(
      (r) => setRounds(r.rounds.filter((x) => x.status === "open" && x.modes.includes("enumerator"))),
      () => undefined, // offline: the id can still be typed
    );
  }, []);

  const register = async (): Promise<DeviceCredential> => {
    const login = await requestJson<LoginReply>("/api/auth/login", { json: { username: username.trim(), password } });
    const csrf = { "x-csrf-token": login.csrfToken };
    const label = fill(tr(C.deviceLabel, "vi"), { id: props.device.slice(0, 8) });
    const device = await requestJson<DeviceCreated>("/api/devices", { json: { label }, headers: csrf });
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
      const [form, offline] = await Promise.all([
        requestJson<FormPayload>(`/api/rounds/${encodeURIComponent(id)}/form`),
        requestJson<OfflinePackage>(`/api/rounds/${encodeURIComponent(id)}/offline-units`, {
          headers: { authorization: `Bearer ${cred.token}` },
        }),
      ]);
      const stored: StoredRound = { id, form, units: offline.units, targets: offline.targets ?? [], downloadedAt: new Date().toISOString() };
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
        {pending.length > 0 && (
          <Notice kind="info">
            <span data-testid="switch-warning">
              {fill(tr(C.switchWarning, lang), { n: pending.reduce((a, [, n]) => a + n, 0), rounds: pending.map(([r, n]) => `${r}: ${n}`).join(", ") })}
            </span>
          </Notice>
        )}
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
            <input
              id="setup-round"
              class="input"
              required
              autoComplete="off"
              autoCapitalize="none"
              value={roundId}
              onInput={(e) => setRoundId((e.currentTarget as HTMLInputElement).value)}
            />
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
                <input
                  id="setup-username"
                  class="input"
                  required
                  autoComplete="username"
                  autoCapitalize="none"
                  value={username}
                  onInput={(e) => setUsername((e.currentTarget as HTMLInputElement).value)}
                />
              </div>
              <div class="q field">
                <label for="setup-password">{tr(C.password, lang)}</label>
                <input
                  id="setup-password"
                  class="input"
                  required
                  type="password"
                  autoComplete="current-password"
                  value={password}
                  onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)}
                />
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
