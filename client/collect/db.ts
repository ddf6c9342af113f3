/**
 * The enumerator device's own storage (IndexedDB through idb): the downloaded round, every interview
 * from draft to sent, and the device id. Queued data lives here and never in the service worker's
 * cache, so an app update cannot strand it.
 */
import { openDB, type DBSchema, type IDBPDatabase } from "idb";
import type { SubmissionInput } from "../../shared/api/schemas.js";
import type { FormPayload } from "../../shared/api/rounds.js";
import type { SyncItemResult } from "../../shared/api/responses.js";
import type { OfflineTarget, OfflineUnit } from "../../shared/api/offline.js";
import type { ProblemBody } from "../../shared/errors.js";
import type { Answers } from "../../shared/instrument/schema.js";
import type { UnitChoice } from "../common/unit-picker.js";
import { newUuid } from "../common/net.js";

export type { OfflineUnit };

/** A sample target of the round for one unit, with the responses the server held for it when the round was downloaded. */
export type UnitTarget = OfflineTarget;

export interface StoredRound {
  id: string;
  form: FormPayload;
  units: OfflineUnit[];
  /** Absent in rounds downloaded by older versions of the app. */
  targets?: UnitTarget[];
  downloadedAt: string;
}

/**
 * The device token this device registered for its enumerator (POST /api/devices after signing in):
 * sent as "Authorization: Bearer" on download and sync, and revocable by an administrator. The
 * password is never stored.
 */
export interface DeviceCredential {
  token: string;
  username: string;
  registeredAt: string;
}

/**
 * draft: being recorded; queued: finished, waiting for the server; sent: the server acknowledged
 * it (stored or duplicate); rejected: the server refused it (invalid or conflict) and it waits for
 * the enumerator to fix it.
 */
export type LocalState = "draft" | "queued" | "sent" | "rejected";
export const LOCAL_STATES: readonly LocalState[] = ["draft", "queued", "sent", "rejected"];

export interface LocalResponse {
  id: string;
  round: string;
  state: LocalState;
  unit: UnitChoice | null;
  group: string | null;
  answers: Answers;
  /** The section on screen when the interview was left; null = start page. */
  section: string | null;
  startedAt: string;
  createdAt: string;
  updatedAt: string;
  /** What is (or was last) sent, exactly: resends must repeat it byte for byte. */
  submission?: SubmissionInput;
  receipt?: string;
  sentAt?: string;
  /**
   * Why the server refused it: "invalid" (its answers or unit, or the round closed), "conflict" (the
   * server holds other content under this id), "refused" (the whole batch, e.g. the round is gone).
   */
  rejection?: { status: "invalid" | "conflict" | "refused"; error: ProblemBody["error"]; at: string };
  /** A conflict resolved by keeping the copy the server already holds: no second interview is sent. */
  keptServerCopy?: boolean;
  /** Came from an export file of another device. */
  imported?: boolean;
  /** The instrument's name for this interview (its instanceName expression), kept when answers are dropped. */
  instanceName?: string;
}

interface CollectDB extends DBSchema {
  settings: { key: string; value: unknown };
  rounds: { key: string; value: StoredRound };
  responses: { key: string; value: LocalResponse; indexes: { "round-state": [string, LocalState]; state: LocalState } };
}

const DB_NAME = "chiso-collect";
/**
 * Schema version. A new version adds an `if (oldVersion < N)` step to `upgrade` below; steps
 * migrate stores in place and never delete one that holds interviews.
 */
const DB_VERSION = 2;

let opening: Promise<IDBPDatabase<CollectDB>> | null = null;
const versionListeners = new Set<() => void>();

/** Called when a newer app version needs this tab to let go of the database (the page should reload). */
export function onNewerVersion(listener: () => void): () => void {
  versionListeners.add(listener);
  return () => versionListeners.delete(listener);
}

export function localDb(): Promise<IDBPDatabase<CollectDB>> {
  opening ??= openDB<CollectDB>(DB_NAME, DB_VERSION, {
    upgrade(db, oldVersion, _newVersion, tx) {
      if (oldVersion < 1) {
        db.createObjectStore("settings");
        db.createObjectStore("rounds", { keyPath: "id" });
        const responses = db.createObjectStore("responses", { keyPath: "id" });
        responses.createIndex("round-state", ["round", "state"]);
      }
      // The queue belongs to the device, across rounds: an index by state alone (records stay as they are).
      if (oldVersion < 2) tx.objectStore("responses").createIndex("state", "state");
    },
    blocking() {
      // Another tab runs a newer version that must upgrade: step aside so it can.
      void opening?.then((db) => db.close());
      opening = null;
      for (const listener of versionListeners) listener();
    },
  });
  return opening;
}

export async function getSetting<T>(key: string): Promise<T | undefined> {
  return (await (await localDb()).get("settings", key)) as T | undefined;
}

export async function setSetting(key: string, value: unknown): Promise<void> {
  await (await localDb()).put("settings", value, key);
}

/** A random id for this device, made once and kept: the server records it with each response. */
export async function deviceId(): Promise<string> {
  const db = await localDb();
  const tx = db.transaction("settings", "readwrite");
  let id = (await tx.store.get("deviceId")) as string | undefined;
  if (!id) {
    id = newUuid();
    await tx.store.put(id, "deviceId");
  }
  await tx.done;
  return id;
}

export const getCredential = () => getSetting<DeviceCredential>("credential");
export const setCredential = (credential: DeviceCredential | null) =>
  credential ? setSetting("credential", credential) : localDb().then((db) => db.delete("settings", "credential"));

export async function saveRound(round: StoredRound): Promise<void> {
  const db = await localDb();
  await db.put("rounds", round);
  await db.put("settings", round.id, "currentRound");
}

export async function currentRound(): Promise<StoredRound | null> {
  const id = await getSetting<string>("currentRound");
  return id ? ((await (await localDb()).get("rounds", id)) ?? null) : null;
}

/**
 * Writes one interview; resolves when the write is committed. `durable` asks the browser to flush it
 * to disk first ("strict"), for a state the enumerator is told about or a page about to go away;
 * everyday edits use the browser's default, which is faster on cheap phones.
 */
export async function putResponse(r: LocalResponse, options: { durable?: boolean } = {}): Promise<void> {
  const tx = (await localDb()).transaction("responses", "readwrite", { durability: options.durable ? "strict" : "default" });
  await Promise.all([tx.store.put(r), tx.done]);
}

export async function getResponse(id: string): Promise<LocalResponse | undefined> {
  return (await localDb()).get("responses", id);
}

export async function deleteResponse(id: string): Promise<void> {
  await (await localDb()).delete("responses", id);
}

export async function responsesIn(round: string, state: LocalState, limit?: number): Promise<LocalResponse[]> {
  return (await localDb()).getAllFromIndex("responses", "round-state", IDBKeyRange.only([round, state]), limit);
}

/** Every record in `state`, whatever its round (the queue is the device's, not a round's). */
export async function responsesInState(state: LocalState, limit?: number): Promise<LocalResponse[]> {
  return (await localDb()).getAllFromIndex("responses", "state", state, limit);
}

export async function storedRound(id: string): Promise<StoredRound | undefined> {
  return (await localDb()).get("rounds", id);
}

export async function storedRounds(): Promise<StoredRound[]> {
  return (await localDb()).getAll("rounds");
}

/** Unsent records (drafts, queued, rejected) per round, for every round that has some. */
export async function pendingByRound(): Promise<Map<string, Record<"draft" | "queued" | "rejected", number>>> {
  const out = new Map<string, Record<"draft" | "queued" | "rejected", number>>();
  for (const state of ["draft", "queued", "rejected"] as const) {
    for (const r of await responsesInState(state)) {
      const counts = out.get(r.round) ?? { draft: 0, queued: 0, rejected: 0 };
      counts[state]++;
      out.set(r.round, counts);
    }
  }
  return out;
}

export async function countsOf(round: string): Promise<Record<LocalState, number>> {
  const db = await localDb();
  const out = { draft: 0, queued: 0, sent: 0, rejected: 0 };
  for (const state of LOCAL_STATES) out[state] = await db.countFromIndex("responses", "round-state", IDBKeyRange.only([round, state]));
  return out;
}

/**
 * Records the server's verdict on one batch, in one transaction. Acknowledged responses become
 * "sent" (their answers dropped, the receipt kept); refused ones "rejected" with the reasons.
 * A record that is no longer queued (deleted meanwhile) is left alone.
 */
export async function applySyncResults(batch: readonly LocalResponse[], results: readonly SyncItemResult[]): Promise<{ sent: number; rejected: number }> {
  const db = await localDb();
  const tx = db.transaction("responses", "readwrite");
  const now = new Date().toISOString();
  let sent = 0;
  let rejected = 0;
  for (const [i, record] of batch.entries()) {
    const result = results[i];
    const current = await tx.store.get(record.id);
    if (!result || !current || current.state !== "queued") continue;
    if (result.status === "stored" || result.status === "duplicate") {
      sent++;
      await tx.store.put(sentRecord(current, now, { receipt: result.receipt }));
    } else if ("error" in result) {
      rejected++;
      await tx.store.put({ ...current, state: "rejected", updatedAt: now, rejection: { status: result.status, error: result.error, at: now } });
    }
  }
  await tx.done;
  return { sent, rejected };
}

/**
 * What a device keeps of an interview once the server holds it: where and when, and the receipt
 * or the note that the server's copy was kept; the answers are dropped from the device.
 */
function sentRecord(current: LocalResponse, now: string, outcome: { receipt: string } | { keptServerCopy: true }): LocalResponse {
  return {
    id: current.id,
    round: current.round,
    state: "sent",
    unit: current.unit,
    group: current.group,
    answers: {},
    section: null,
    startedAt: current.startedAt,
    createdAt: current.createdAt,
    updatedAt: now,
    sentAt: now,
    ...outcome,
    ...(current.instanceName ? { instanceName: current.instanceName } : {}),
  };
}

/** The server refused a whole batch (not for its content): its records wait, rejected, with the reason. */
export async function rejectBatch(batch: readonly LocalResponse[], error: ProblemBody["error"]): Promise<number> {
  const db = await localDb();
  const tx = db.transaction("responses", "readwrite");
  const now = new Date().toISOString();
  let n = 0;
  for (const r of batch) {
    const current = await tx.store.get(r.id);
    if (!current || current.state !== "queued") continue;
    await tx.store.put({ ...current, state: "rejected", updatedAt: now, rejection: { status: "refused", error, at: now } });
    n++;
  }
  await tx.done;
  return n;
}

/** Sends a rejected record again exactly as it was (same id, same body), e.g. once its round reopened. */
export async function requeue(id: string): Promise<void> {
  const db = await localDb();
  const tx = db.transaction("responses", "readwrite");
  const current = await tx.store.get(id);
  if (current?.state === "rejected" && current.submission) {
    const { rejection: _r, ...rest } = current;
    await tx.store.put({ ...rest, state: "queued", updatedAt: new Date().toISOString() });
  }
  await tx.done;
}

/**
 * Resolves a conflict by keeping the interview the server already holds under this id: the local
 * copy leaves the queue (as "sent", without a receipt) and is never sent under another id, so the
 * interview is stored once. Export the local copy first to keep a record of it.
 */
export async function keepServerCopy(id: string): Promise<void> {
  const db = await localDb();
  const tx = db.transaction("responses", "readwrite", { durability: "strict" });
  const current = await tx.store.get(id);
  if (current?.state === "rejected" && current.rejection?.status === "conflict") {
    const now = new Date().toISOString();
    await tx.store.put(sentRecord(current, now, { keptServerCopy: true }));
  }
  await tx.done;
}

/** Adds responses from an export file to the queue; ids already on this device (in any state) are skipped. */
export async function importQueued(records: readonly LocalResponse[]): Promise<{ added: number; skipped: number }> {
  const db = await localDb();
  const tx = db.transaction("responses", "readwrite");
  let added = 0;
  for (const r of records) {
    if (await tx.store.getKey(r.id)) continue;
    await tx.store.add(r);
    added++;
  }
  await tx.done;
  return { added, skipped: records.length - added };
}
