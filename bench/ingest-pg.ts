/**
 * Ingestion on PostgreSQL: sipas-2022 responses over HTTP at concurrency 64, sent round-robin to two
 * server processes sharing one database, against one server process alone in the same run (the
 * baseline). Each measurement uses a fresh database.
 *
 *   npx tsx bench/ingest-pg.ts [--responses 2000] [--runs 3]      (needs PostgreSQL: CHISO_BENCH_PG_URL)
 */
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { openContext, prepareDatabase } from "../server/bootstrap.js";
import { REPO_ROOT } from "../server/config.js";
import { ensureDemoUnits, DEMO_PROVINCE } from "../server/demo/seed.js";
import { insertRound } from "../server/rounds/repository.js";
import { latestEdition } from "../server/instruments/repository.js";
import { generateAnswers } from "../server/demo/generate.js";
import { seededRng } from "../server/demo/random.js";
import { unitsAtLevel } from "../server/units/walk.js";
import { arg, median, percentile, post, report, round2, runConcurrent, startServer, type ServerProcess } from "./lib.js";

const ADMIN_URL = process.env.CHISO_BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `chiso_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

async function prepare(url: string): Promise<string[]> {
  const ctx = await openContext({ databaseUrl: url, sqlitePath: "", clientDir: null, minCellSize: 5 });
  await prepareDatabase(ctx, path.join(REPO_ROOT, "surveys"), { quiet: true });
  await ensureDemoUnits(ctx);
  const { instrument } = (await latestEdition(ctx.db.kysely, "sipas-2022"))!;
  await insertRound(ctx.db.kysely, { id: "bench-sipas", title: { vi: "Đo hiệu năng", en: "Benchmark" }, edition: instrument.id, version: instrument.version, status: "open", periodStart: null, periodEnd: null, registry: "2025", scope: [DEMO_PROVINCE], groups: ["citizen", "organisation"], modes: ["public"], minCellSize: 5 });
  const villages = unitsAtLevel(ctx, DEMO_PROVINCE, "village");
  const rng = seededRng(7);
  const sets = Array.from({ length: 300 }, (_, i) => ({ unit: villages[i % villages.length]!, answers: generateAnswers(instrument, villages[i % villages.length]!, "citizen", rng) }));
  await ctx.db.close();
  return sets.map((s) => JSON.stringify({ instrument: { id: instrument.id, version: instrument.version }, unit: s.unit, group: "citizen", channel: "self", answers: s.answers }));
}

async function run(processes: number, n: number) {
  const db = await freshDatabase();
  const templates = await prepare(db.url);
  const servers: ServerProcess[] = [];
  try {
    for (let i = 0; i < processes; i++) servers.push(await startServer({ DATABASE_URL: db.url }));
    const body = (i: number) => templates[i % templates.length]!.replace(/^\{/, `{"id":"${crypto.randomUUID()}",`);
    const bodies = Array.from({ length: n }, (_, i) => body(i));
    await runConcurrent(100, 64, (i) => post(`${servers[i % processes]!.url}/api/rounds/bench-sipas/responses`, body(i)));
    const started = performance.now();
    const results = await runConcurrent(n, 64, (i) => post(`${servers[i % processes]!.url}/api/rounds/bench-sipas/responses`, bodies[i]!));
    const seconds = (performance.now() - started) / 1000;
    const failed = results.filter((r) => r.status !== 201);
    if (failed.length) throw new Error(`${failed.length} failed: ${failed[0]!.text.slice(0, 200)}`);
    const ms = results.map((r) => r.ms);
    return { perSecond: n / seconds, p50: percentile(ms, 50), p99: percentile(ms, 99) };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await db.drop();
  }
}

async function main(): Promise<void> {
  const n = arg("responses", 2000);
  const runs = arg("runs", 3);
  const one: Array<{ perSecond: number; p50: number; p99: number }> = [];
  const two: typeof one = [];
  for (let r = 0; r < runs; r++) {
    one.push(await run(1, n));
    two.push(await run(2, n));
  }
  const row = (label: string, xs: typeof one) => ({ servers: label, "responses/s": Math.round(median(xs.map((x) => x.perSecond))), "p50 ms": round2(median(xs.map((x) => x.p50))), "p99 ms": round2(median(xs.map((x) => x.p99))) });
  report("ingest-pg", [row("1 process (baseline)", one), { ...row("2 processes", two), "ratio to 1": round2(median(two.map((x) => x.perSecond)) / median(one.map((x) => x.perSecond))) }], { responses: n, runs, concurrency: 64 });
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
