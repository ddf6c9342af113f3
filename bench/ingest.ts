/**
 * Ingestion benchmark: sipas-2022 responses over HTTP with durable commits (SQLite WAL,
 * synchronous=FULL; a response is acknowledged only after its commit) at concurrency 1, 16, 64.
 * Baseline, measured in the same run on a copy of the same database: raw better-sqlite3 inserts
 * of exactly the same rows (response, answers, rollups, cell totals) with the same durability,
 * one transaction per `concurrency` responses — what a perfect group commit could do.
 *
 *   npx tsx bench/ingest.ts [--responses 2000] [--runs 3]
 */
import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import { openContext, prepareDatabase } from "../server/bootstrap.js";
import { REPO_ROOT } from "../server/config.js";
import { ensureDemoUnits, DEMO_PROVINCE } from "../server/demo/seed.js";
import { insertRound } from "../server/rounds/repository.js";
import { latestEdition } from "../server/instruments/repository.js";
import { generateAnswers } from "../server/demo/generate.js";
import { seededRng } from "../server/demo/random.js";
import { prepareSubmission, type PreparedResponse } from "../server/responses/prepare.js";
import { sqliteWriter } from "../server/responses/batch-writers.js";
import type { AppContext } from "../server/app-context.js";
import { arg, BENCH_USER, median, percentile, post, report, round2, runConcurrent, startServer, tempDir } from "./lib.js";
import { createUser } from "../server/accounts/repository.js";
import { insertUnits, toUnitInfo } from "../server/units/repository.js";
import { unitsAtLevel } from "../server/units/walk.js";

const ROUND = "bench-sipas";

/**
 * A migrated database with units, villages and one open round; copied for each measurement.
 * By default the demo province's 80 villages; `wide` adds 5 villages to every commune of four large
 * provinces (Hà Nội, Hồ Chí Minh, Huế, Đà Nẵng: ~2,500 villages) for "thousands of units".
 */
export async function prepareTemplate(dir: string, options: { wide?: boolean } = {}): Promise<{ file: string; bodies: (n: number) => string[]; ctx: AppContext }> {
  const file = path.join(dir, "template.db");
  const ctx = await openContext({ databaseUrl: undefined, sqlitePath: file, clientDir: null, minCellSize: 5 });
  await prepareDatabase(ctx, path.join(REPO_ROOT, "surveys"), { quiet: true });
  await ensureDemoUnits(ctx);
  const scope = options.wide ? ["2025:01", "2025:79", "2025:46", "2025:48"] : [DEMO_PROVINCE];
  if (options.wide) {
    const villages = scope.flatMap((p) => ctx.units.childrenOf(p)).flatMap((commune) =>
      [1, 2, 3, 4, 5].map((k) => ({ key: `${commune.key}-B${k}`, registry: "2025", code: `${commune.code}-B${k}`, level: "village", name: `Thôn ${k}`, fullName: `Thôn ${k}, ${commune.fullName}`, type: "Thôn", parentKey: commune.key, validFrom: commune.validFrom, validTo: null })),
    );
    await insertUnits(ctx.db.kysely, villages);
    ctx.units.remember(villages.map(toUnitInfo));
  }
  const { instrument } = (await latestEdition(ctx.db.kysely, "sipas-2022"))!;
  await insertRound(ctx.db.kysely, {
    id: ROUND,
    title: { vi: "Đo hiệu năng", en: "Benchmark" },
    edition: instrument.id,
    version: instrument.version,
    status: "open",
    periodStart: null,
    periodEnd: null,
    registry: "2025",
    scope,
    groups: ["citizen", "organisation"],
    modes: ["public", "enumerator"],
    minCellSize: 5,
  });
  await createUser(ctx.db.kysely, { ...BENCH_USER, displayName: "Benchmark", role: "admin" });
  // Copies are made of the file alone, so everything must be in it, not in the write-ahead log.
  ctx.db.sqlite!.pragma("wal_checkpoint(TRUNCATE)");
  const villages = scope.flatMap((s) => unitsAtLevel(ctx, s, "village"));
  const rng = seededRng(42);
  const answerSets = Array.from({ length: Math.max(500, villages.length) }, (_, i) => ({ unit: villages[i % villages.length]!, group: i % 5 === 0 ? "organisation" : "citizen", answers: generateAnswers(instrument, villages[i % villages.length]!, "citizen", rng) }));
  const bodies = (n: number) =>
    Array.from({ length: n }, (_, i) => {
      const a = answerSets[i % answerSets.length]!;
      return JSON.stringify({ id: randomUUID(), instrument: { id: instrument.id, version: instrument.version }, unit: a.unit, group: a.group, channel: "self", answers: a.answers });
    });
  return { file, bodies, ctx };
}

function copyDb(template: string, dir: string, name: string): string {
  const target = path.join(dir, `${name}.db`);
  fs.copyFileSync(template, target);
  return target;
}

/**
 * Baseline: the same rows written by better-sqlite3 directly — the same prepared statements the
 * server uses, one transaction per `batch` responses — with no HTTP, JSON, validation or queueing.
 * The ratio http/raw is therefore the share of the storage engine's speed the server delivers.
 */
async function rawInsert(file: string, rows: PreparedResponse[], batch: number): Promise<{ perSecond: number }> {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  const writer = sqliteWriter(db);
  const started = performance.now();
  for (let i = 0; i < rows.length; i += batch) {
    const items = rows.slice(i, i + batch);
    db.exec("BEGIN IMMEDIATE");
    await writer.insertResponses(items.map((r) => r.response));
    await writer.insertAnswers(items.flatMap((r) => r.answers));
    const cells = items.map((r) => ({ round_id: r.response.round_id, unit_key: r.response.unit_key, group_code: r.response.group_code, n: 1, w: 1, w2: 1 }));
    await writer.addCells(cells);
    await writer.addRollups(items.flatMap((r) => r.coded.map(([question_id, code]) => ({ ...cells[0]!, unit_key: r.response.unit_key, group_code: r.response.group_code, question_id, code }))));
    await writer.addRoundRollups(items.flatMap((r) => r.coded.map(([question_id, code]) => ({ round_id: r.response.round_id, group_code: r.response.group_code, question_id, code, n: 1, w: 1, w2: 1 }))));
    db.exec("COMMIT");
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return { perSecond: rows.length / seconds };
}

async function httpRun(file: string, bodies: string[], concurrency: number) {
  const server = await startServer({ CHISO_DB: file });
  try {
    const url = `${server.url}/api/rounds/${ROUND}/responses`;
    // Warm up connections and caches with a few requests that are not measured.
    await runConcurrent(Math.min(50, bodies.length), concurrency, (i) => post(url, bodies[i]!));
    const measured = bodies.slice(50);
    const started = performance.now();
    const results = await runConcurrent(measured.length, concurrency, (i) => post(url, measured[i]!));
    const seconds = (performance.now() - started) / 1000;
    const failed = results.filter((r) => r.status !== 201).length;
    if (failed) throw new Error(`${failed} requests failed, e.g. ${results.find((r) => r.status !== 201)!.text}`);
    const latencies = results.map((r) => r.ms);
    return { perSecond: measured.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  } finally {
    await server.stop();
  }
}

export async function main(): Promise<void> {
  const n = arg("responses", 2000);
  const runs = arg("runs", 3);
  const dir = tempDir("ingest");
  const { file: template, bodies, ctx } = await prepareTemplate(dir);
  const rows: Array<Record<string, string | number>> = [];
  for (const concurrency of [1, 16, 64]) {
    const httpRuns = [];
    const rawRuns = [];
    for (let run = 0; run < runs; run++) {
      const payloads = bodies(n + 50);
      httpRuns.push(await httpRun(copyDb(template, dir, `http-${concurrency}-${run}`), payloads, concurrency));
      // The baseline stores the very same rows, prepared by the server's own code.
      const prepared = [];
      for (const body of bodies(n)) prepared.push(await prepareSubmission(ctx, ROUND, JSON.parse(body), { allowedChannels: ["self"] }));
      rawRuns.push(await rawInsert(copyDb(template, dir, `raw-${concurrency}-${run}`), prepared, concurrency));
    }
    const http = median(httpRuns.map((r) => r.perSecond));
    const raw = median(rawRuns.map((r) => r.perSecond));
    rows.push({
      concurrency,
      "http responses/s": Math.round(http),
      "p50 ms": round2(median(httpRuns.map((r) => r.p50))),
      "p99 ms": round2(median(httpRuns.map((r) => r.p99))),
      "raw baseline/s": Math.round(raw),
      "ratio http/raw": round2(http / raw),
    });
  }
  await ctx.db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  report("ingest", rows, { responses: n, runs, durability: "WAL, synchronous=FULL" });
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
