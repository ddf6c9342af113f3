/**
 * Ingestion on PostgreSQL: durable sipas-2022 responses over HTTP, at concurrency 16 and 64, to
 * one server process and to two sharing one database (requests alternating between them). Every
 * configuration is measured in every run, interleaved (never all of one kind, then all of the
 * other), for `--seconds` each, on a fresh copy of the same prepared database. With
 * `--baseline-root DIR` (another checkout, e.g. the previous commit:
 * `git worktree add /tmp/chiso-base HEAD~1`) each configuration also runs that code, right next
 * to this one, and the table gives the ratio.
 *
 *   npx tsx bench/ingest-pg.ts [--seconds 10] [--runs 3] [--baseline-root DIR]   (PostgreSQL: CHISO_BENCH_PG_URL)
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
import {
  arg,
  loadAverage,
  median,
  percentile,
  post,
  report,
  round2,
  runConcurrent,
  runFor,
  spread,
  startServer,
  withCpu,
  type CpuShares,
  type ServerProcess,
} from "./lib.js";

const ADMIN_URL = process.env.CHISO_BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A new database copied from `template` (or empty), dropped by `drop`. */
async function freshDatabase(template?: string): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `chiso_bench_${randomBytes(4).toString("hex")}`;
  await admin((c) => c.query(`create database ${name}${template ? ` template ${template}` : ""}`));
  return { name, url: databaseUrl(name), drop: () => admin((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined) };
}

async function prepare(url: string): Promise<string[]> {
  const ctx = await openContext({ databaseUrl: url, sqlitePath: "", clientDir: null, minCellSize: 5 });
  await prepareDatabase(ctx, path.join(REPO_ROOT, "surveys"), { quiet: true });
  await ensureDemoUnits(ctx);
  const { instrument } = (await latestEdition(ctx.db.kysely, "sipas-2022"))!;
  await insertRound(ctx.db.kysely, {
    id: "bench-sipas",
    title: { vi: "Đo hiệu năng", en: "Benchmark" },
    edition: instrument.id,
    version: instrument.version,
    status: "open",
    periodStart: null,
    periodEnd: null,
    registry: "2025",
    scope: [DEMO_PROVINCE],
    groups: ["citizen", "organisation"],
    modes: ["public"],
    minCellSize: 5,
  });
  const villages = unitsAtLevel(ctx, DEMO_PROVINCE, "village");
  const rng = seededRng(7);
  const sets = Array.from({ length: 300 }, (_, i) => ({
    unit: villages[i % villages.length]!,
    answers: generateAnswers(instrument, villages[i % villages.length]!, "citizen", rng),
  }));
  await ctx.db.close();
  return sets.map((s) =>
    JSON.stringify({ instrument: { id: instrument.id, version: instrument.version }, unit: s.unit, group: "citizen", channel: "self", answers: s.answers }),
  );
}

interface Measurement extends CpuShares {
  perSecond: number;
  p50: number;
  p99: number;
}

async function run(
  template: string,
  templates: string[],
  root: string | undefined,
  processes: number,
  concurrency: number,
  seconds: number,
): Promise<Measurement> {
  const db = await freshDatabase(template);
  const servers: ServerProcess[] = [];
  try {
    for (let i = 0; i < processes; i++) servers.push(await startServer({ DATABASE_URL: db.url }, [], root));
    const body = (i: number) => templates[i % templates.length]!.replace(/^\{/, `{"id":"${crypto.randomUUID()}",`);
    const send = (i: number) => post(`${servers[i % processes]!.url}/api/rounds/bench-sipas/responses`, body(i));
    // Warm-up, not measured: connections, caches, the JIT.
    await runConcurrent(200, concurrency, send);
    const out = await withCpu(
      servers.map((s) => s.pid),
      async () => {
        const { results, seconds: elapsed } = await runFor(seconds, concurrency, send);
        const failed = results.filter((r) => r.status !== 201);
        if (failed.length)
          throw new Error(
            `${failed.length} failed: ${failed[0]!.text.slice(0, 200)}\n${servers.map((s) => `server ${s.pid} (exit ${s.child.exitCode}):\n${s.log()}`).join("\n")}`,
          );
        const ms = results.map((r) => r.ms);
        return { perSecond: results.length / elapsed, p50: percentile(ms, 50), p99: percentile(ms, 99), seconds: elapsed };
      },
      { database: db.name },
    );
    return out;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await db.drop();
  }
}

async function main(): Promise<void> {
  const seconds = arg("seconds", 10);
  const runs = arg("runs", 3);
  const concurrencies = [16, 64];
  const i = process.argv.indexOf("--baseline-root");
  const baselineRoot = i >= 0 ? path.resolve(process.argv[i + 1]!) : undefined;
  const codes: Array<{ label: string; root: string | undefined }> = [
    ...(baselineRoot ? [{ label: "baseline", root: baselineRoot }] : []),
    { label: "this", root: undefined },
  ];
  const loadBefore = loadAverage();

  const template = await freshDatabase();
  const templates = await prepare(template.url);
  const results = new Map<string, Measurement[]>();
  const key = (code: string, c: number, p: number) => `${code} c${c} p${p}`;
  try {
    for (let r = 0; r < runs; r++) {
      for (const c of concurrencies) {
        for (const p of [1, 2]) {
          // Alternate which code goes first, so neither always runs on a warmer machine.
          for (const code of r % 2 ? [...codes].reverse() : codes) {
            const m = await run(template.name, templates, code.root, p, c, seconds);
            results.set(key(code.label, c, p), [...(results.get(key(code.label, c, p)) ?? []), m]);
            console.log(
              `run ${r + 1}: ${key(code.label, c, p)}: ${Math.round(m.perSecond)}/s p99 ${m.p99.toFixed(1)} ms, load generator ${m.loadGenCores.toFixed(2)} cores, servers ${m.serverCores.toFixed(2)}, PostgreSQL ${m.databaseCores.toFixed(2)}, machine ${(m.machineBusy * 100).toFixed(0)}% busy`,
            );
          }
        }
      }
    }
  } finally {
    await template.drop();
  }

  const rows: Array<Record<string, string | number>> = [];
  const med = (xs: Measurement[], f: (m: Measurement) => number) => median(xs.map(f));
  for (const code of codes) {
    for (const c of concurrencies) {
      for (const p of [1, 2]) {
        const xs = results.get(key(code.label, c, p))!;
        const one = results.get(key(code.label, c, 1))!;
        const base = results.get(key("baseline", c, p));
        rows.push({
          code: code.label,
          concurrency: c,
          servers: p,
          "responses/s median (min–max)": spread(xs.map((m) => m.perSecond)),
          "p50 ms": round2(med(xs, (m) => m.p50)),
          "p99 ms": round2(med(xs, (m) => m.p99)),
          // Ratios of medians; each run's own ratio (same run, neighbouring measurements) gives the range.
          "×2 processes / 1":
            p === 2
              ? spread(
                  xs.map((m, k) => m.perSecond / one[k]!.perSecond),
                  2,
                )
              : "",
          "× this / baseline":
            base && code.label === "this"
              ? spread(
                  xs.map((m, k) => m.perSecond / base[k]!.perSecond),
                  2,
                )
              : "",
          "load generator cores": round2(med(xs, (m) => m.loadGenCores)),
          "server cores": round2(med(xs, (m) => m.serverCores)),
          "PostgreSQL cores": round2(med(xs, (m) => m.databaseCores)),
          // CPU per response is less disturbed by other load on the machine than the rate is.
          "server + PostgreSQL CPU ms/response": round2(med(xs, (m) => ((m.serverCores + m.databaseCores) * 1000) / m.perSecond)),
          "machine busy %": Math.round(med(xs, (m) => m.machineBusy) * 100),
        });
      }
    }
  }
  report("ingest-pg", rows, { seconds, runs, baselineRoot: baselineRoot ?? null, loadBefore, loadAfter: loadAverage() });
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
