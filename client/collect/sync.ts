/**
 * Sending the queue: batches through POST /api/sync until nothing is queued. A response leaves the
 * queue only on the server's word for it (stored or duplicate → sent; invalid or conflict →
 * rejected); a failed request changes nothing, so the next sync resends the same bodies under
 * the same ids and the server answers "duplicate" for any it had already stored.
 */
import type { SyncItemResult } from "../../shared/api/schemas.js";
import type { ProblemBody } from "../../shared/errors.js";
import { HttpError, isRetryable, requestJson } from "../common/net.js";
import { applySyncResults, responsesIn, type DeviceCredential, type StoredRound } from "./db.js";

/** The server's limit (MAX_SYNC_BATCH in shared/api/schemas.ts, not imported: that module would bring zod into the app). */
export const SYNC_BATCH = 500;

export type SyncProblem =
  /** No answer or a server error: try again later. */
  | { kind: "retry"; status: number | null }
  /** The device token was refused (revoked, account disabled): the enumerator must sign in again. */
  | { kind: "auth"; error: ProblemBody["error"] | undefined }
  /**
   * Any other refusal of the whole batch (the round gone). A closed round is answered item by item:
   * responses it already holds come back with their receipts, new ones as rejected with the reason.
   */
  | { kind: "refused"; error: ProblemBody["error"] | undefined };

export interface SyncOutcome {
  sent: number;
  rejected: number;
  problem: SyncProblem | null;
}

let running: Promise<SyncOutcome> | null = null;

/** Syncs the round's queue; a call while a sync runs joins it instead of starting another. */
export function syncQueue(round: StoredRound, device: string, credential: DeviceCredential): Promise<SyncOutcome> {
  running ??= runSync(round, device, credential).finally(() => {
    running = null;
  });
  return running;
}

async function runSync(round: StoredRound, device: string, credential: DeviceCredential): Promise<SyncOutcome> {
  const outcome: SyncOutcome = { sent: 0, rejected: 0, problem: null };
  for (;;) {
    const batch = await responsesIn(round.id, "queued", SYNC_BATCH);
    if (batch.length === 0) return outcome;
    let reply: { results: SyncItemResult[] };
    try {
      reply = await requestJson("/api/sync", {
        json: { round: round.id, deviceId: device, responses: batch.map((r) => r.submission) },
        headers: { authorization: `Bearer ${credential.token}` },
      });
    } catch (e) {
      const status = e instanceof HttpError ? e.status : null;
      if (isRetryable(e)) outcome.problem = { kind: "retry", status };
      else {
        const error = (e as HttpError).body?.error;
        outcome.problem = status === 401 || status === 403 ? { kind: "auth", error } : { kind: "refused", error };
      }
      return outcome;
    }
    // One result per response, in order; anything else is not an answer we can act on.
    if (!Array.isArray(reply?.results) || reply.results.length !== batch.length) {
      outcome.problem = { kind: "retry", status: null };
      return outcome;
    }
    const applied = await applySyncResults(batch, reply.results);
    outcome.sent += applied.sent;
    outcome.rejected += applied.rejected;
  }
}
