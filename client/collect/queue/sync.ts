/**
 * Sending the device's queue: every queued response, whatever round it belongs to, in batches of
 * POST /api/sync (one round per batch) until nothing is queued. A response leaves the queue only on
 * the server's word for it (stored or duplicate → sent; invalid or conflict → rejected with the
 * reasons); a failed request changes nothing, so the next sync resends the same bodies under the
 * same ids and the server answers "duplicate" for any it had already stored.
 *
 * One sync at a time on the device: a Web Lock is held for the whole run, so two open tabs and the
 * service worker's background sync never send the same queue twice at once.
 */
import type { SyncReply } from "../../../shared/api/responses.js";
import type { ProblemBody } from "../../../shared/errors.js";
import { HttpError, isRetryable, requestJson } from "../../common/net.js";
import { applySyncResults, getCredential, rejectBatch, responsesInState, setSetting, type DeviceCredential, type LocalResponse } from "../db.js";

/** The server's limit (MAX_SYNC_BATCH in shared/api/schemas.ts, not imported: that module would bring zod into the app). */
export const SYNC_BATCH = 500;

const LOCK = "chiso-collect-sync";
/** Tabs and the service worker tell each other when a sync changed the queue. */
export const QUEUE_CHANNEL = "chiso-collect-queue";
/** The Background Sync tag the service worker answers. */
export const SYNC_TAG = "chiso-collect-sync";
/** The device clock's offset from the server's (device − server, ms), learnt at each sync. */
export const CLOCK_OFFSET_KEY = "clockOffsetMs";

export type SyncProblem =
  /** No answer or a server error: try again later. */
  | { kind: "retry"; status: number | null }
  /** The device token was refused (revoked, account disabled): the enumerator must sign in again. */
  | { kind: "auth"; error: ProblemBody["error"] | undefined };

export interface SyncOutcome {
  /** Acknowledged by the server in this run (stored or already held). */
  sent: number;
  /** Refused in this run, now in the rejected list with their reasons. */
  rejected: number;
  problem: SyncProblem | null;
  /** Another tab (or the service worker) was syncing: this call sent nothing and the other run reports. */
  busyElsewhere?: boolean;
}

export interface QueueMessage {
  type: "synced";
  outcome: SyncOutcome;
}

let running: Promise<SyncOutcome> | null = null;

/** Syncs the device's whole queue; a call while this context syncs joins that run. */
export function syncQueue(device: string, credential: DeviceCredential): Promise<SyncOutcome> {
  running ??= withDeviceLock(() => runSync(device, credential)).finally(() => {
    running = null;
  });
  return running;
}

/** The service worker's entry: the same sync with what the app stored (device id and token). */
export async function syncFromStorage(device: string | undefined): Promise<SyncOutcome | null> {
  const credential = await getCredential();
  if (!device || !credential) return null;
  return syncQueue(device, credential);
}

async function withDeviceLock(run: () => Promise<SyncOutcome>): Promise<SyncOutcome> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (!locks) return announce(await run());
  // If another context holds the lock it is sending this very queue: do not wait to send it again.
  const outcome = await locks.request(LOCK, { ifAvailable: true }, async (lock) => (lock ? run() : null));
  if (!outcome) return { sent: 0, rejected: 0, problem: null, busyElsewhere: true };
  return announce(outcome);
}

function announce(outcome: SyncOutcome): SyncOutcome {
  if (typeof BroadcastChannel !== "undefined") {
    const channel = new BroadcastChannel(QUEUE_CHANNEL);
    channel.postMessage({ type: "synced", outcome } satisfies QueueMessage);
    channel.close();
  }
  return outcome;
}

async function runSync(device: string, credential: DeviceCredential): Promise<SyncOutcome> {
  const outcome: SyncOutcome = { sent: 0, rejected: 0, problem: null };
  for (;;) {
    const queued = await responsesInState("queued");
    const batch = firstRoundBatch(queued);
    if (batch.length === 0) return outcome;
    const round = batch[0]!.round;
    let reply: SyncReply;
    const sentAt = Date.now();
    try {
      reply = await requestJson("/api/sync", {
        json: { round, deviceId: device, deviceClock: new Date(sentAt).toISOString(), responses: batch.map((r) => r.submission) },
        headers: { authorization: `Bearer ${credential.token}` },
      });
    } catch (e) {
      const status = e instanceof HttpError ? e.status : null;
      if (isRetryable(e)) {
        outcome.problem = { kind: "retry", status };
        return outcome;
      }
      const error = (e as HttpError).body?.error;
      if (status === 401) {
        outcome.problem = { kind: "auth", error };
        return outcome;
      }
      // The round itself is refused (gone, no longer this enumerator's, not for enumerators): its
      // responses wait in the rejected list with the reason, and the other rounds still go.
      outcome.rejected += await rejectBatch(batch, error ?? { code: "internal", message_vi: String(status), message_en: String(status) });
      continue;
    }
    const answeredAt = Date.now();
    // One result per response, in order; anything else is not an answer we can act on.
    if (!Array.isArray(reply?.results) || reply.results.length !== batch.length) {
      outcome.problem = { kind: "retry", status: null };
      return outcome;
    }
    if (reply.serverTime) {
      const server = Date.parse(reply.serverTime);
      if (Number.isFinite(server)) await setSetting(CLOCK_OFFSET_KEY, Math.round((sentAt + answeredAt) / 2 - server));
    }
    const applied = await applySyncResults(batch, reply.results);
    outcome.sent += applied.sent;
    outcome.rejected += applied.rejected;
  }
}

/** Up to SYNC_BATCH queued records of one round (a sync body names one round), oldest first. */
function firstRoundBatch(queued: LocalResponse[]): LocalResponse[] {
  if (queued.length === 0) return [];
  queued.sort((a, b) => (a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : 0));
  const round = queued[0]!.round;
  return queued.filter((r) => r.round === round && r.submission).slice(0, SYNC_BATCH);
}
