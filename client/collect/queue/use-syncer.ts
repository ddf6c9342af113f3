/**
 * The sync policy of the enumerator app: when to send the device's queue and what to tell the
 * enumerator afterwards. Sync runs at start (if anything is queued), when the connection comes
 * back, right after an interview is queued, on the button, and after a failure on a growing timer;
 * where the browser has Background Sync the service worker also sends the queue once the network
 * returns with the app closed. Each message says what happened, once.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { fill, tr, type Lang } from "../../common/i18n.js";
import { backoffMs } from "../../common/net.js";
import { getSetting, responsesInState, setSetting, type DeviceCredential } from "../db.js";
import { C } from "../strings.js";
import { CLOCK_OFFSET_KEY, QUEUE_CHANNEL, SYNC_TAG, syncQueue, type QueueMessage, type SyncOutcome } from "./sync.js";

export interface SyncMessage {
  kind: "ok" | "error" | "info";
  text: string;
}

export interface Syncer {
  online: boolean;
  syncing: boolean;
  message: SyncMessage | null;
  lastSync: string | null;
  /** Bumped whenever the queue may have changed (here, in another tab, in the service worker). */
  generation: number;
  /** The server refused the device token: queued data waits until the enumerator signs in again. */
  needsSignIn: boolean;
  /** Device clock minus server clock (ms) as last measured, or 0. */
  clockOffsetMs: number;
  /** Whether the browser sends the queue in the background (Background Sync); false: only while open. */
  backgroundSync: boolean;
  sync(trigger?: "manual" | "auto"): Promise<void>;
  /** Shows a message in the same place as the sync results (the next result replaces it). */
  say(message: SyncMessage): void;
  /** Call after queueing an interview: sync now if online, else ask for a background sync. */
  queued(): void;
}

interface SyncManagerLike {
  register(tag: string): Promise<void>;
}

function hasBackgroundSync(): boolean {
  return typeof window !== "undefined" && "SyncManager" in window && "serviceWorker" in navigator;
}

/** Asks the service worker to send the queue when the network is back, even with the app closed. */
async function requestBackgroundSync(): Promise<void> {
  if (!hasBackgroundSync()) return;
  try {
    const registration = (await navigator.serviceWorker.getRegistration("/collect")) as (ServiceWorkerRegistration & { sync?: SyncManagerLike }) | undefined;
    await registration?.sync?.register(SYNC_TAG);
  } catch {
    // Refused (e.g. no permission): the app still syncs whenever it is open.
  }
}

/** The text for one run's outcome, or null when there is nothing worth saying. */
export function outcomeText(outcome: SyncOutcome, trigger: "manual" | "auto", lang: Lang): SyncMessage | null {
  const p = outcome.problem;
  if (p?.kind === "retry") return { kind: "error", text: tr(C.syncRetry, lang) };
  if (p?.kind === "auth") return { kind: "error", text: tr(C.syncAuth, lang) };
  if (outcome.busyElsewhere) return trigger === "manual" ? { kind: "info", text: tr(C.syncElsewhere, lang) } : null;
  if (outcome.sent === 0 && outcome.rejected === 0) return trigger === "manual" ? { kind: "ok", text: tr(C.nothingQueued, lang) } : null;
  const parts = [];
  if (outcome.sent > 0) parts.push(fill(tr(C.syncSent, lang), { n: outcome.sent }));
  if (outcome.rejected > 0) parts.push(fill(tr(C.syncRejected, lang), { n: outcome.rejected }));
  return { kind: outcome.rejected > 0 ? "error" : "ok", text: parts.join(" ") };
}

export function useSyncer(device: string, credential: DeviceCredential | null, lang: Lang): Syncer {
  const [online, setOnline] = useState(navigator.onLine);
  const [syncing, setSyncing] = useState(false);
  const [message, setMessage] = useState<SyncMessage | null>(null);
  const [lastSync, setLastSync] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const [needsSignIn, setNeedsSignIn] = useState(false);
  const [clockOffsetMs, setClockOffset] = useState(0);
  const retries = useRef(0);
  const retryTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const latest = useRef({ device, credential, lang });
  latest.current = { device, credential, lang };

  const afterRun = async () => {
    setGeneration((g) => g + 1);
    setClockOffset((await getSetting<number>(CLOCK_OFFSET_KEY)) ?? 0);
  };

  const sync = async (trigger: "manual" | "auto" = "auto") => {
    const { device: d, credential: cred, lang: l } = latest.current;
    if (!d) return;
    if (!cred) {
      setNeedsSignIn(true);
      setMessage({ kind: "error", text: tr(C.syncAuth, l) });
      return;
    }
    clearTimeout(retryTimer.current);
    setSyncing(true);
    if (trigger === "manual") setMessage({ kind: "info", text: tr(C.syncing, l) });
    let outcome: SyncOutcome;
    try {
      outcome = await syncQueue(d, cred);
    } catch (e) {
      console.error("sync failed", e);
      outcome = { sent: 0, rejected: 0, problem: { kind: "retry", status: null } };
    } finally {
      setSyncing(false);
    }
    if (!outcome.busyElsewhere) {
      const at = new Date().toISOString();
      await setSetting("lastSync", at);
      setLastSync(at);
    }
    await afterRun();
    setNeedsSignIn(outcome.problem?.kind === "auth");
    const text = outcomeText(outcome, trigger, l);
    if (text) setMessage(text);
    else if (trigger === "auto") setMessage((m) => (m?.kind === "info" && m.text === tr(C.syncing, l) ? null : m));
    if (outcome.problem?.kind === "retry") {
      retryTimer.current = setTimeout(() => void sync(), backoffMs(retries.current++, 5000, 5 * 60_000));
      void requestBackgroundSync();
    } else if (!outcome.problem) retries.current = 0;
  };

  useEffect(() => {
    if (!device) return;
    void getSetting<string>("lastSync").then((v) => setLastSync(v ?? null));
    void getSetting<number>(CLOCK_OFFSET_KEY).then((v) => setClockOffset(v ?? 0));
    void responsesInState("queued", 1).then((q) => {
      if (q.length > 0 && navigator.onLine) void sync();
    });
    const up = () => {
      setOnline(true);
      retries.current = 0;
      void sync();
    };
    const down = () => setOnline(false);
    window.addEventListener("online", up);
    window.addEventListener("offline", down);
    // Another tab or the service worker synced: show the new counts, and what it sent.
    const channel = typeof BroadcastChannel !== "undefined" ? new BroadcastChannel(QUEUE_CHANNEL) : null;
    if (channel) {
      channel.onmessage = (e: MessageEvent<QueueMessage>) => {
        if (e.data?.type !== "synced") return;
        void afterRun();
        const text = outcomeText(e.data.outcome, "auto", latest.current.lang);
        if (text) setMessage(text);
      };
    }
    return () => {
      window.removeEventListener("online", up);
      window.removeEventListener("offline", down);
      channel?.close();
      clearTimeout(retryTimer.current);
    };
  }, [device, credential?.token]);

  return {
    online,
    syncing,
    message,
    lastSync,
    generation,
    needsSignIn,
    clockOffsetMs,
    backgroundSync: hasBackgroundSync(),
    sync,
    say: setMessage,
    queued() {
      setMessage({ kind: "ok", text: tr(C.queuedNotice, latest.current.lang) });
      setGeneration((g) => g + 1);
      if (navigator.onLine) void sync();
      else void requestBackgroundSync();
    },
  };
}
