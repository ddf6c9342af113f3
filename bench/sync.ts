/**
 * Offline-sync benchmark: an enumerator device comes back online with 500 queued sipas-2022
 * interviews and sends them as the app does (POST /api/sync, device token, batches of up to 500).
 * Time to an empty queue, against the same 500 rows written by better-sqlite3 directly (the
 * ingestion benchmark's raw baseline), in the same run.
 *
 *   npx tsx bench/sync.ts [--queued 500] [--runs 5]
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { prepareSubmission } from "../server/responses/prepare.js";
import { sqliteWriter } from "../server/responses/batch-writers.js";
import { createDeviceToken, findUserByName } from "../server/accounts/repository.js";
import { prepareTemplate } from "./ingest.js";
import { arg, BENCH_USER, median, post, report, round2, startServer, tempDir } from "./lib.js";

async function main(): Promise<void> {
  const queued = arg("queued", 500);
  const runs = arg("runs", 5);
  const dir = tempDir("sync");
  const { file: template, bodies, ctx } = await prepareTemplate(dir);
  const admin = (await findUserByName(ctx.db.kysely, BENCH_USER.username))!;
  const device = await createDeviceToken(ctx.db.kysely, admin.id, "bench tablet");
  ctx.db.sqlite!.pragma("wal_checkpoint(TRUNCATE)");
  const syncMs: number[] = [];
  const rawMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const file = path.join(dir, `sync-${run}.db`);
    fs.copyFileSync(template, file);
    const batch = bodies(queued).map((b) => ({ ...(JSON.parse(b) as object), channel: "enumerator" }));
    const server = await startServer({ CHISO_DB: file });
    try {
      const started = performance.now();
      for (let i = 0; i < batch.length; i += 500) {
        const res = await post(`${server.url}/api/sync`, JSON.stringify({ round: "bench-sipas", deviceId: "bench", responses: batch.slice(i, i + 500) }), {
          authorization: `Bearer ${device.token}`,
        });
        const body = JSON.parse(res.text) as { summary: { stored: number } };
        if (res.status !== 200 || body.summary.stored !== Math.min(500, batch.length - i))
          throw new Error(`sync failed: ${res.status} ${res.text.slice(0, 300)}`);
      }
      syncMs.push(performance.now() - started);
    } finally {
      await server.stop();
    }
    // Baseline: the same rows, written straight into a copy of the template.
    const rawFile = path.join(dir, `raw-${run}.db`);
    fs.copyFileSync(template, rawFile);
    const prepared = [];
    for (const b of batch) prepared.push(await prepareSubmission(ctx, "bench-sipas", b, { allowedChannels: ["enumerator"] }));
    const db = new Database(rawFile);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    const writer = sqliteWriter(db);
    const started = performance.now();
    db.exec("BEGIN IMMEDIATE");
    await writer.insertResponses(prepared.map((p) => p.response));
    await writer.insertAnswers(prepared.flatMap((p) => p.answers));
    await writer.addRollups(
      prepared.flatMap((p) =>
        p.coded.map(([question_id, code]) => ({
          round_id: "bench-sipas",
          unit_key: p.response.unit_key,
          group_code: p.response.group_code,
          question_id,
          code,
          n: 1,
          w: 1,
          w2: 1,
        })),
      ),
    );
    db.exec("COMMIT");
    rawMs.push(performance.now() - started);
    db.close();
  }
  await ctx.db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  report(
    "sync",
    [
      {
        queued,
        "sync to empty queue ms": round2(median(syncMs)),
        "raw write ms (baseline)": round2(median(rawMs)),
        "ratio sync/raw": round2(median(syncMs) / median(rawMs)),
      },
    ],
    { runs },
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
