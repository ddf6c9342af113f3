/**
 * Accepting responses: POST /api/rounds/:id/responses (one, from the respondent form, or from a
 * signed-in enumerator) and POST /api/sync (a batch from an enumerator device, one result per
 * response, so the device clears exactly what the server holds).
 */
import type { Context } from "hono";
import type { AppEnv } from "../app-context.js";
import { readJson, parseWith, MAX_SYNC_BODY_BYTES } from "../http/body.js";
import { Problem } from "../http/problem.js";
import { problemFromDatabaseError } from "../db/errors.js";
import { canSeeRound, currentUser, principal, CSRF_HEADER } from "../http/access.js";
import { SyncBatchSchema } from "../../shared/api/schemas.js";
import type { Receipt, SyncItemResult, SyncReply } from "../../shared/api/responses.js";
import { prepareSubmission, cachedRound, type PreparedResponse } from "./prepare.js";
import { checkCollectorScope } from "./service.js";
import type { Round } from "../rounds/repository.js";
import type { User } from "../accounts/repository.js";

export const responseHandlers = {
  submit: async (c: Context<AppEnv, "/:id">) => {
    const ctx = c.var.ctx;
    // Control characters are refused per field by the submission schema and the answer validation.
    const body = await readJson(c, { refuseControlCharacters: false });
    const round = await cachedRound(ctx, c.req.param("id"));
    if (!round) throw new Problem("round_not_found");
    const collector = await enumeratorFor(c, round);
    const channels: Array<"self" | "enumerator"> = [];
    if (round.modes.includes("public")) channels.push("self");
    if (collector) channels.push("enumerator");
    if (channels.length === 0) throw new Problem(round.modes.includes("enumerator") ? "unauthenticated" : "forbidden");
    const prepared = await prepareSubmission(ctx, round.id, body, { allowedChannels: channels });
    if (collector && prepared.response.channel === "enumerator") checkCollectorScope(ctx, collector, prepared);
    const outcome = await ctx.store.store(prepared);
    if (outcome.status === "conflict" || outcome.status === "token_used") throw new Problem("duplicate_conflict", undefined, { id: outcome.id });
    return c.json({ id: outcome.id, receipt: outcome.receipt, status: outcome.status } satisfies Receipt, outcome.status === "stored" ? 201 : 200);
  },

  sync: async (c: Context<AppEnv>) => {
    const ctx = c.var.ctx;
    // Each item is checked on its own (control characters included), so one bad item refuses only itself.
    const batch = parseWith(SyncBatchSchema, await readJson(c, { limit: MAX_SYNC_BODY_BYTES, refuseControlCharacters: false }));
    const round = await cachedRound(ctx, batch.round);
    const user = currentUser(c);
    if (!round || !canSeeRound(user, round.id)) throw new Problem("round_not_found");
    if (!round.modes.includes("enumerator")) throw new Problem("forbidden");
    // A closed round is reported per item: identical resends of stored responses still get their receipts.
    // The device's clock reading, when the batch carries one, measures its offset (never refuses anything).
    const receivedMs = Date.now();
    const deviceMs = batch.deviceClock ? Date.parse(batch.deviceClock) : NaN;
    const deviceClock = Number.isFinite(deviceMs) ? { deviceId: batch.deviceId, offsetMs: deviceMs - receivedMs } : undefined;

    const results: SyncItemResult[] = new Array(batch.responses.length);
    const prepared: Array<{ index: number; item: PreparedResponse }> = [];
    for (const [index, raw] of batch.responses.entries()) {
      const id = typeof raw === "object" && raw && typeof (raw as { id?: unknown }).id === "string" ? (raw as { id: string }).id : null;
      try {
        const item = await prepareSubmission(ctx, round.id, raw, { allowedChannels: ["enumerator", "self"], ...(deviceClock ? { deviceClock } : {}) });
        checkCollectorScope(ctx, user, item);
        prepared.push({ index, item });
      } catch (error) {
        if (!(error instanceof Problem) || error.status >= 500) throw error;
        results[index] = { id, status: "invalid", error: error.body().error };
      }
    }
    const outcomes = await ctx.store.storeMany(prepared.map((p) => p.item));
    prepared.forEach(({ index, item }, k) => {
      const settled = outcomes[k]!;
      if (settled.status === "rejected") {
        results[index] = { id: item.response.id, status: "invalid", error: storeFailure(settled.reason).body().error };
        return;
      }
      const o = settled.value;
      results[index] =
        o.status === "conflict" || o.status === "token_used"
          ? { id: o.id, status: "conflict", error: new Problem("duplicate_conflict").body().error }
          : { id: o.id, status: o.status, receipt: o.receipt };
    });
    const summary = { stored: 0, duplicate: 0, conflict: 0, invalid: 0 };
    for (const r of results) summary[r.status]++;
    // The server's time lets the device learn its clock's offset and show corrected times.
    return c.json({ results, summary, serverTime: new Date().toISOString() } satisfies SyncReply);
  },
};

/** Why one item of a batch could not be stored; the others of the batch are stored regardless. */
function storeFailure(error: unknown): Problem {
  if (error instanceof Problem) return error;
  const translated = problemFromDatabaseError(error);
  if (translated) return translated;
  console.error(error);
  return new Problem("internal");
}

/** A signed-in enumerator (or administrator) assigned to this round, if the caller is one. */
async function enumeratorFor(c: Context<AppEnv>, round: Round): Promise<User | null> {
  if (!round.modes.includes("enumerator")) return null;
  const who = await principal(c);
  if (!who || (who.user.role !== "enumerator" && who.user.role !== "admin")) return null;
  // A cookie alone must not turn a cross-site form post into an enumerator's submission.
  if (who.via === "session" && c.req.header(CSRF_HEADER) !== who.csrf) return null;
  if (!canSeeRound(who.user, round.id)) throw new Problem("forbidden");
  return who.user;
}
