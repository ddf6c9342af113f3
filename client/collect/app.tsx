/**
 * The enumerator app's root: which screen is shown (set-up, the main screen, an interview), the
 * notice of an app update, and the sync policy (queue/use-syncer.ts), which lives here so that it
 * runs during interviews too.
 */
import { useEffect, useState } from "preact/hooks";
import { tr, useLang } from "../common/i18n.js";
import { Header, Notice } from "../common/ui.js";
import {
  currentRound,
  deviceId,
  getCredential,
  onNewerVersion,
  setSetting,
  storedRound,
  type DeviceCredential,
  type LocalResponse,
  type StoredRound,
} from "./db.js";
import { Home } from "./home.js";
import { Interview } from "./interview.js";
import { useSyncer } from "./queue/use-syncer.js";
import { Setup } from "./setup.js";
import { C } from "./strings.js";

type View = { kind: "loading" } | { kind: "setup" } | { kind: "home" } | { kind: "interview"; record: LocalResponse; round: StoredRound };

export function CollectApp() {
  const lang = useLang();
  const [round, setRound] = useState<StoredRound | null>(null);
  const [credential, setCredentialState] = useState<DeviceCredential | null>(null);
  const [device, setDevice] = useState<string>("");
  const [view, setView] = useState<View>({ kind: "loading" });
  const [updateReady, setUpdateReady] = useState(false);
  const syncer = useSyncer(device, credential, lang);

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
      <p data-testid="update-ready">{tr(C.updateReady, lang)}</p>
      <button type="button" class="btn" onClick={() => location.reload()}>
        {tr(C.reload, lang)}
      </button>
    </Notice>
  );

  /** Opens another round already on the device (its queue is listed on the main screen). */
  const switchTo = async (id: string) => {
    const r = await storedRound(id);
    if (!r) return;
    await setSetting("currentRound", id);
    setRound(r);
    setView({ kind: "home" });
  };

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
          round={view.round}
          initial={view.record}
          device={device}
          enumerator={credential?.username ?? null}
          lang={lang}
          onExit={() => setView({ kind: "home" })}
          onQueued={() => {
            setView({ kind: "home" });
            syncer.queued();
          }}
        />
      </>
    );
  }
  return (
    <Home
      // A new round is a new screen: nothing of the previous round's counts shows meanwhile.
      key={round.id}
      round={round}
      device={device}
      lang={lang}
      syncer={syncer}
      banner={banner}
      onOpen={(record) => void storedRound(record.round).then((r) => setView({ kind: "interview", record, round: r ?? round }))}
      onSetup={() => setView({ kind: "setup" })}
      onSwitch={(id) => void switchTo(id)}
    />
  );
}
