/**
 * Accepting responses: POST /api/rounds/:id/responses (one, from the respondent form) and
 * POST /api/sync (a batch from an enumerator device, one result per response).
 */
import { Hono, type Context } from "hono";
import type { AppEnv } from "../app-context.js";
import { readJson, parseWith, MAX_SYNC_BODY_BYTES } from "../http/body.js";
import { Problem } from "../http/problem.js";
import { SyncBatchSchema, type SyncItemResult } from "../../shared/api/schemas.js";
import { prepareSubmission, cachedRound, type PreparedResponse } from "./prepare.js";
import { verifySecret } from "../lib/secrets.js";
import type { Round } from "../rounds/repository.js";

export function responseRoutes() {
  const app = new Hono<AppEnv>();

  app.post("/rounds/:id/responses", async (c) => {
    const ctx = c.var.ctx;
    const body = await readJson(c);
    const round = await cachedRound(ctx, c.req.param("id"));
    if (!round) throw new Problem("round_not_found");
    const channels = allowedChannels(c, round);
    const prepared = await prepareSubmission(ctx, round.id, body, { allowedChannels: channels });
    const outcome = await ctx.store.store(prepared);
    if (outcome.status === "conflict") throw new Problem("duplicate_conflict", undefined, { id: outcome.id });
    return c.json({ id: outcome.id, receipt: outcome.receipt, status: outcome.status }, outcome.status === "stored" ? 201 : 200);
  });

  app.post("/sync", async (c) => {
    const ctx = c.var.ctx;
    const batch = parseWith(SyncBatchSchema, await readJson(c, MAX_SYNC_BODY_BYTES));
    const round = await cachedRound(ctx, batch.round);
    if (!round) throw new Problem("round_not_found");
    requireEnumerator(c, round);
    if (round.status !== "open") throw new Problem("round_not_open");

    const results: SyncItemResult[] = new Array(batch.responses.length);
    const prepared: Array<{ index: number; item: PreparedResponse }> = [];
    for (const [index, raw] of batch.responses.entries()) {
      const id = typeof raw === "object" && raw && typeof (raw as { id?: unknown }).id === "string" ? (raw as { id: string }).id : null;
      try {
        prepared.push({ index, item: await prepareSubmission(ctx, round.id, raw, { allowedChannels: ["enumerator", "self"] }) });
      } catch (error) {
        if (!(error instanceof Problem) || error.status >= 500) throw error;
        results[index] = { id, status: "invalid", error: error.body().error };
      }
    }
    const outcomes = await ctx.store.storeMany(prepared.map((p) => p.item));
    prepared.forEach(({ index }, k) => {
      const o = outcomes[k]!;
      results[index] =
        o.status === "conflict"
          ? { id: o.id, status: "conflict", error: new Problem("duplicate_conflict").body().error }
          : { id: o.id, status: o.status, receipt: o.receipt };
    });
    const summary = { stored: 0, duplicate: 0, conflict: 0, invalid: 0 };
    for (const r of results) summary[r.status]++;
    return c.json({ results, summary });
  });

  return app;
}

/** The public form sends channel "self"; an enumerator (access code) may also send "enumerator". */
function allowedChannels(c: Context<AppEnv>, round: Round): Array<"self" | "enumerator"> {
  const channels: Array<"self" | "enumerator"> = [];
  if (round.modes.includes("public")) channels.push("self");
  if (round.modes.includes("enumerator") && enumeratorCodeValid(c, round)) channels.push("enumerator", "self");
  if (channels.length === 0) throw new Problem(c.req.header("x-enumerator-code") ? "forbidden" : "unauthenticated");
  return channels;
}

function enumeratorCodeValid(c: Context<AppEnv>, round: Round): boolean {
  const code = c.req.header("x-enumerator-code");
  return Boolean(code && round.enumeratorCodeHash && verifySecret(code, round.enumeratorCodeHash));
}

function requireEnumerator(c: Context<AppEnv>, round: Round): void {
  if (!round.modes.includes("enumerator")) throw new Problem("forbidden");
  if (!c.req.header("x-enumerator-code")) throw new Problem("unauthenticated");
  if (!enumeratorCodeValid(c, round)) throw new Problem("forbidden");
}
