/**
 * Ingestion benchmark: sipas-2022 responses over HTTP with durable commits (SQLite WAL,
 * synchronous=FULL; a response is acknowledged only after its commit) at concurrency 1, 16, 64,
 * each measurement `--seconds` long on a fresh copy of the same database, every configuration in
 * every run, interleaved.
 *
 * Baseline, measured in the same run next to each HTTP measurement: the storage path alone — the
 * server's own ResponseStore (group commit, the same statements, the batch sizes the same
 * concurrency produces) fed already prepared responses in this process, with no HTTP, JSON or
 * validation. With `--baseline-root DIR` (another checkout, e.g. the previous commit) the HTTP
 * measurement also runs that code's server, interleaved, and the table gives the ratio.
 *
 * `--in-thread` adds this code's server with its writes on the event loop (CHISO_WRITER_THREAD=0)
 * instead of the SQLite writer thread, interleaved too.
 *
 *   npx tsx bench/ingest.ts [--seconds 10] [--runs 3] [--baseline-root DIR] [--in-thread] [--concurrency N]
 */
import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { openContext, prepareDatabase } from "../server/bootstrap.js";
import { REPO_ROOT } from "../server/config.js";
import { ensureDemoUnits, DEMO_PROVINCE } from "../server/demo/seed.js";
import { insertRound } from "../server/rounds/repository.js";
import { latestEdition } from "../server/instruments/repository.js";
import { generateAnswers } from "../server/demo/generate.js";
import { seededRng } from "../server/demo/random.js";
import { prepareSubmission, type PreparedResponse } from "../server/responses/prepare.js";
import { ResponseStore } from "../server/responses/store.js";
import { openDatabase } from "../server/db/database.js";
import type { AppContext } from "../server/app-context.js";
import {
  arg,
  BENCH_USER,
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
  tempDir,
  withCpu,
  type CpuShares,
} from "./lib.js";
import { createUser } from "../server/accounts/repository.js";
import { insertUnits, toUnitInfo } from "../server/units/repository.js";
import { unitsAtLevel } from "../server/units/walk.js";

const ROUND = "bench-sipas";

/**
 * A migrated database with units, villages and one open round; copied for each measurement.
 * By default the demo province's 80 villages; `wide` adds 5 villages to every commune of four large
 * provinces (Hà Nội, Hồ Chí Minh, Huế, Đà Nẵng: ~2,500 villages) for "thousands of units".
 */
export async function prepareTemplate(
  dir: string,
  options: { wide?: boolean } = {},
): Promise<{ file: string; bodies: (n: number) => string[]; ctx: AppContext }> {
  const file = path.join(dir, "template.db");
  const ctx = await openContext({ databaseUrl: undefined, sqlitePath: file, clientDir: null, minCellSize: 5 });
  await prepareDatabase(ctx, path.join(REPO_ROOT, "surveys"), { quiet: true });
  await ensureDemoUnits(ctx);
  const scope = options.wide ? ["2025:01", "2025:79", "2025:46", "2025:48"] : [DEMO_PROVINCE];
  if (options.wide) {
    const villages = scope
      .flatMap((p) => ctx.units.childrenOf(p))
      .flatMap((commune) =>
        [1, 2, 3, 4, 5].map((k) => ({
          key: `${commune.key}-B${k}`,
          registry: "2025",
          code: `${commune.code}-B${k}`,
          level: "village",
          name: `Thôn ${k}`,
          fullName: `Thôn ${k}, ${commune.fullName}`,
          type: "Thôn",
          parentKey: commune.key,
          validFrom: commune.validFrom,
          validTo: null,
        })),
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
  const answerSets = Array.from({ length: Math.max(500, villages.length) }, (_, i) => ({
    unit: villages[i % villages.length]!,
    group: i % 5 === 0 ? "organisation" : "citizen",
    answers: generateAnswers(instrument, villages[i % villages.length]!, "citizen", rng),
  }));
  const bodies = (n: number) =>
    Array.from({ length: n }, (_, i) => {
      const a = answerSets[i % answerSets.length]!;
      return JSON.stringify({
        id: randomUUID(),
        instrument: { id: instrument.id, version: instrument.version },
        unit: a.unit,
        group: a.group,
        channel: "self",
        answers: a.answers,
      });
    });
  return { file, bodies, ctx };
}

interface Measurement extends CpuShares {
  perSecond: number;
  p50: number;
  p99: number;
}

/**
 * The storage path alone: `concurrency` callers storing prepared responses through the server's
 * ResponseStore on `file`, for `seconds`. Each response is a prepared one with a new id (the
 * copy is the only work done here besides storing).
 */
async function storeRun(file: string, prepared: PreparedResponse[], concurrency: number, seconds: number): Promise<Measurement> {
  const db = openDatabase({ sqlitePath: file });
  const store = new ResponseStore(db);
  const item = (i: number): PreparedResponse => {
    const p = prepared[i % prepared.length]!;
    const id = randomUUID();
    return { ...p, response: { ...p.response, id }, answers: p.answers.map((a) => ({ ...a, response_id: id })) };
  };
  try {
    await runConcurrent(50, concurrency, (i) => store.store(item(i)));
    return await withCpu([], async () => {
      const { results, seconds: elapsed } = await runFor(seconds, concurrency, async (i) => {
        const t = performance.now();
        const outcome = await store.store(item(i));
        if (outcome.status !== "stored") throw new Error(`not stored: ${outcome.status}`);
        return performance.now() - t;
      });
      return { perSecond: results.length / elapsed, p50: percentile(results, 50), p99: percentile(results, 99), seconds: elapsed };
    });
  } finally {
    await db.close();
  }
}

async function httpRun(
  file: string,
  body: (i: number) => string,
  concurrency: number,
  seconds: number,
  root: string | undefined,
  env: Record<string, string> = {},
): Promise<Measurement> {
  const server = await startServer({ CHISO_DB: file, ...env }, [], root);
  try {
    const url = `${server.url}/api/rounds/${ROUND}/responses`;
    // Warm up connections, caches and the JIT with requests that are not measured.
    await runConcurrent(200, concurrency, (i) => post(url, body(i)));
    return await withCpu([server.pid], async () => {
      const { results, seconds: elapsed } = await runFor(seconds, concurrency, (i) => post(url, body(i)));
      const failed = results.filter((r) => r.status !== 201).length;
      if (failed)
        throw new Error(
          `${failed} requests failed, e.g. ${results.find((r) => r.status !== 201)!.text}\nserver (exit ${server.child.exitCode}):\n${server.log()}`,
        );
      const latencies = results.map((r) => r.ms);
      return { perSecond: results.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), seconds: elapsed };
    });
  } finally {
    await server.stop();
  }
}

export async function main(): Promise<void> {
  const seconds = arg("seconds", 10);
  const runs = arg("runs", 3);
  // `--concurrency 16,64`: only these.
  const listed = process.argv[process.argv.indexOf("--concurrency") + 1];
  const concurrencies = process.argv.includes("--concurrency") && listed ? listed.split(",").map(Number) : [1, 16, 64];
  const i = process.argv.indexOf("--baseline-root");
  const baselineRoot = i >= 0 ? path.resolve(process.argv[i + 1]!) : undefined;
  const loadBefore = loadAverage();
  const dir = tempDir("ingest");
  const { file: template, bodies, ctx } = await prepareTemplate(dir);
  // 500 distinct answer sets, each sent with a new id.
  const sample = bodies(500);
  const body = (k: number) => sample[k % sample.length]!.replace(/"id":"[^"]+"/, `"id":"${randomUUID()}"`);
  const prepared: PreparedResponse[] = [];
  for (const b of sample) prepared.push(await prepareSubmission(ctx, ROUND, JSON.parse(b), { allowedChannels: ["self"] }));
  await ctx.db.close();

  const kinds: Array<{ label: string; root: string | undefined; env?: Record<string, string> }> = [
    ...(baselineRoot ? [{ label: "HTTP, baseline code", root: baselineRoot }] : []),
    // This code with its writes back on the event loop: what the writer thread alone changes.
    ...(process.argv.includes("--in-thread") ? [{ label: "HTTP, this code, no writer thread", root: undefined, env: { CHISO_WRITER_THREAD: "0" } }] : []),
    { label: "HTTP, this code", root: undefined },
  ];
  const results = new Map<string, Measurement[]>();
  const add = (k: string, m: Measurement) => results.set(k, [...(results.get(k) ?? []), m]);
  let copy = 0;
  const fresh = () => {
    const target = path.join(dir, `run-${copy++}.db`);
    fs.copyFileSync(template, target);
    return target;
  };
  for (let run = 0; run < runs; run++) {
    for (const c of concurrencies) {
      // Alternate the order, so that no kind always runs first (on a cooler machine).
      const order = run % 2 ? [...kinds].reverse() : kinds;
      for (const kind of order) {
        const m = await httpRun(fresh(), body, c, seconds, kind.root, kind.env);
        add(`${kind.label} c${c}`, m);
        console.log(
          `run ${run + 1} c${c} ${kind.label}: ${Math.round(m.perSecond)}/s p99 ${m.p99.toFixed(1)} ms, load generator ${m.loadGenCores.toFixed(2)} cores, server ${m.serverCores.toFixed(2)} (event loop ${m.serverMainThreadCores.toFixed(2)}), ${((m.serverCores * 1000) / m.perSecond).toFixed(2)} CPU ms/response (event loop ${((m.serverMainThreadCores * 1000) / m.perSecond).toFixed(2)}), machine ${(m.machineBusy * 100).toFixed(0)}% busy`,
        );
      }
      const s = await storeRun(fresh(), prepared, c, seconds);
      add(`store c${c}`, s);
      console.log(`run ${run + 1} c${c} storage path alone: ${Math.round(s.perSecond)}/s p99 ${s.p99.toFixed(1)} ms`);
      for (const f of fs.readdirSync(dir)) if (f.startsWith("run-")) fs.rmSync(path.join(dir, f), { force: true });
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });

  const rows: Array<Record<string, string | number>> = [];
  for (const c of concurrencies) {
    const store = results.get(`store c${c}`)!;
    const base = results.get(`HTTP, baseline code c${c}`);
    for (const kind of [...kinds.map((k) => k.label), "store"]) {
      const xs = results.get(`${kind} c${c}`)!;
      const isStore = kind === "store";
      rows.push({
        concurrency: c,
        measured: isStore ? "storage path alone (baseline)" : kind,
        "responses/s median (min–max)": spread(xs.map((m) => m.perSecond)),
        "p50 ms": round2(median(xs.map((m) => m.p50))),
        "p99 ms": round2(median(xs.map((m) => m.p99))),
        // Each run's own ratio (neighbouring measurements) gives the range.
        "ratio to storage path": isStore
          ? "1"
          : spread(
              xs.map((m, k) => m.perSecond / store[k]!.perSecond),
              2,
            ),
        "ratio to baseline code":
          base && !isStore && kind !== "HTTP, baseline code"
            ? spread(
                xs.map((m, k) => m.perSecond / base[k]!.perSecond),
                2,
              )
            : "",
        "load generator cores": round2(median(xs.map((m) => m.loadGenCores))),
        "server cores": isStore ? "" : round2(median(xs.map((m) => m.serverCores))),
        // CPU per response is less disturbed by other load on the machine than the rate is; the
        // storage path's is this process's (it stores in-process).
        "CPU ms/response": round2(median(xs.map((m) => ((isStore ? m.loadGenCores : m.serverCores) * 1000) / m.perSecond))),
        // The server's event loop alone: with writes on another thread, the rate one free core allows is 1000 / this.
        "event-loop CPU ms/response": isStore ? "" : round2(median(xs.map((m) => (m.serverMainThreadCores * 1000) / m.perSecond))),
        "machine busy %": Math.round(median(xs.map((m) => m.machineBusy)) * 100),
      });
    }
  }
  report("ingest", rows, { seconds, runs, baselineRoot: baselineRoot ?? null, durability: "WAL, synchronous=FULL", loadBefore, loadAfter: loadAverage() });
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
