/**
 * Export benchmark: a sipas-2022 round of N responses exported over HTTP (wide CSV, wide XLSX, long
 * CSV) by a server in its own process, while submissions arrive at a steady rate (16 senders, each
 * pausing 50 ms between its submissions). Measures time to first byte, rows/s, the server's resident
 * memory (VmRSS of the whole process, worker threads included, sampled every 50 ms) and the
 * submissions' latency while the export runs, plus the same submissions with no export running.
 * With --baseline DIR (a checkout of an earlier version, e.g. `git archive HEAD | tar -x -C DIR` with
 * node_modules linked), each run measures that version's server and this one, on the same database
 * file, one after the other, the order alternating from run to run.
 *
 *   npx tsx bench/export.ts [--responses 50000] [--runs 1] [--baseline DIR] [--exports wide:csv,wide:xlsx,long:csv]
 *                           [--baseline-exports LIST] [--keep] [--database FILE (a file kept by --keep)]
 */
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { prepareSubmission, type PreparedResponse } from "../server/responses/prepare.js";
import { prepareTemplate } from "./ingest.js";
import Database from "better-sqlite3";
import { findRound, insertRound } from "../server/rounds/repository.js";
import { REPO_ROOT } from "../server/config.js";
import { arg, flag, loadAverage, percentile, post, report, round2, signIn, spread, startServer, tempDir, withCpu } from "./lib.js";

/** Reads every stored payload from the file in id order: the floor any export pays. */
function rawScan(file: string): { perSecond: number } {
  const db = new Database(file, { readonly: true });
  const started = performance.now();
  let n = 0;
  for (const row of db.prepare("select id, payload_json from responses order by id").iterate()) {
    JSON.parse((row as { payload_json: string }).payload_json);
    n++;
  }
  db.close();
  return { perSecond: n / ((performance.now() - started) / 1000) };
}

const ROUND = "bench-sipas";
/** A round with no responses: its export warms a server up without measuring anything. */
const EMPTY_ROUND = "bench-empty";

/** Fills the round with `n` responses: 500 validated ones, cloned under new ids, stored in batches. */
async function fill(n: number) {
  const dir = tempDir("export");
  const { file, bodies, ctx } = await prepareTemplate(dir);
  const prototypes: PreparedResponse[] = [];
  for (const body of bodies(500)) prototypes.push(await prepareSubmission(ctx, ROUND, JSON.parse(body) as unknown, { allowedChannels: ["self"] }));
  const round = (await findRound(ctx.db.kysely, ROUND))!;
  await insertRound(ctx.db.kysely, {
    id: EMPTY_ROUND,
    title: { vi: "Đợt trống", en: "Empty round" },
    edition: round.editionId,
    version: round.editionVersion,
    status: "open",
    periodStart: null,
    periodEnd: null,
    registry: round.registry,
    scope: round.scope,
    groups: ["citizen", "organisation"],
    modes: ["public", "enumerator"],
    minCellSize: 5,
  });
  const started = performance.now();
  for (let i = 0; i < n; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, n - i) }, (_, k) => {
      const p = prototypes[(i + k) % prototypes.length]!;
      const id = randomUUID();
      return { ...p, response: { ...p.response, id, receipt_code: id.slice(0, 11) }, answers: p.answers.map((a) => ({ ...a, response_id: id })) };
    });
    await ctx.store.storeMany(batch);
    if (i % 50_000 === 0) process.stderr.write(`\rfilled ${i + batch.length}/${n}`);
  }
  process.stderr.write(`\rfilled ${n} responses in ${Math.round((performance.now() - started) / 1000)} s\n`);
  ctx.db.sqlite!.pragma("wal_checkpoint(TRUNCATE)");
  await ctx.db.close();
  return { dir, file, submission: bodies(1)[0]! };
}

/** A database filled by an earlier run; a template is made only for a valid submission body. */
async function reuse(file: string) {
  const dir = tempDir("export");
  const { bodies, ctx } = await prepareTemplate(dir);
  await ctx.db.close();
  return { dir, file: path.resolve(file), submission: bodies(1)[0]! };
}

/** Downloads an export as fast as it comes, counting lines; samples the server's memory every 50 ms meanwhile. */
function download(
  url: string,
  cookie: string,
  rss: () => number,
): Promise<{ ttfbMs: number; seconds: number; bytes: number; lines: number; peakRssMb: number; status: number }> {
  const started = performance.now();
  let peak = rss();
  const sampler = setInterval(() => (peak = Math.max(peak, rss())), 50);
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { cookie } }, (res) => {
        let ttfb = 0;
        let bytes = 0;
        let lines = 0;
        res.on("data", (chunk: Buffer) => {
          if (!ttfb) ttfb = performance.now() - started;
          bytes += chunk.length;
          for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
        });
        res.on("end", () => {
          clearInterval(sampler);
          const seconds = (performance.now() - started) / 1000;
          resolve({ ttfbMs: ttfb, seconds, bytes, lines, peakRssMb: Math.max(peak, rss()), status: res.statusCode ?? 0 });
        });
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

const SENDERS = 16;
const PAUSE_MS = 50;

/** Submissions at a steady rate until `stop` resolves: latencies of the accepted ones, and the failures. */
async function submitWhile(url: string, submission: object, stop: Promise<unknown>): Promise<{ latencies: number[]; failed: number; seconds: number }> {
  let going = true;
  void stop.then(() => (going = false));
  const latencies: number[] = [];
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (going) {
        const r = await post(`${url}/api/rounds/${ROUND}/responses`, JSON.stringify({ ...submission, id: randomUUID() }));
        if (r.status === 201) latencies.push(r.ms);
        else failed++;
        await new Promise((res) => setTimeout(res, PAUSE_MS));
      }
    }),
  );
  return { latencies, failed, seconds: (performance.now() - started) / 1000 };
}

/** "wide:xlsx,long:csv" → [["wide", "xlsx"], ["long", "csv"]]. */
const exportList = (text: string) => text.split(",").map((pair) => pair.split(":") as [string, string]);

interface Sample {
  ttfbMs: number;
  responsesPerSecond: number;
  rowsPerSecond: number | null;
  mb: number;
  peakRssMb: number;
  p50: number;
  p99: number;
  submissionsPerSecond: number;
  failed: number;
  loadGenCores: number;
  serverCores: number;
  machineBusy: number;
}

/** Responses of the measured round now (submissions during the runs add some). */
function storedResponses(file: string): number {
  const db = new Database(file, { readonly: true });
  const row = db.prepare("select count(*) as n from responses where round_id = ?").get(ROUND) as { n: number };
  db.close();
  return row.n;
}

/** One server (this version or the baseline's): idle submissions, then each export under the same submissions. */
async function measureServer(root: string, file: string, exports: ReadonlyArray<readonly [string, string]>, submission: object): Promise<Map<string, Sample>> {
  const server = await startServer({ CHISO_DB: file }, [], root);
  const out = new Map<string, Sample>();
  try {
    const cookie = await signIn(server.url);
    // Unmeasured: an export of the empty round loads what exports need (a worker thread, exceljs).
    await download(`${server.url}/api/rounds/${EMPTY_ROUND}/export/wide?format=xlsx`, cookie, () => server.rssMb());
    const idleRss = server.rssMb();
    const idle = await withCpu([server.pid], async () => {
      const r = await submitWhile(server.url, submission, new Promise((res) => setTimeout(res, 5000)));
      return { ...r, seconds: r.seconds };
    });
    out.set("no export", {
      ttfbMs: NaN,
      responsesPerSecond: NaN,
      rowsPerSecond: null,
      mb: NaN,
      peakRssMb: idleRss,
      p50: percentile(idle.latencies, 50),
      p99: percentile(idle.latencies, 99),
      submissionsPerSecond: idle.latencies.length / idle.seconds,
      failed: idle.failed,
      loadGenCores: idle.loadGenCores,
      serverCores: idle.serverCores,
      machineBusy: idle.machineBusy,
    });
    for (const [layout, format] of exports) {
      const n = storedResponses(file);
      const measured = await withCpu([server.pid], async () => {
        const exporting = download(`${server.url}/api/rounds/${ROUND}/export/${layout}?format=${format}`, cookie, () => server.rssMb());
        const [result, load] = await Promise.all([exporting, submitWhile(server.url, submission, exporting)]);
        if (result.status !== 200) throw new Error(`${layout} ${format}: status ${result.status}`);
        return { result, load, seconds: result.seconds };
      });
      const { result, load } = measured;
      out.set(`${layout} ${format}`, {
        ttfbMs: result.ttfbMs,
        responsesPerSecond: n / result.seconds,
        rowsPerSecond: format === "csv" ? (result.lines - 1) / result.seconds : null,
        mb: result.bytes / 1e6,
        peakRssMb: result.peakRssMb,
        p50: percentile(load.latencies, 50),
        p99: percentile(load.latencies, 99),
        submissionsPerSecond: load.latencies.length / load.seconds,
        failed: load.failed,
        loadGenCores: measured.loadGenCores,
        serverCores: measured.serverCores,
        machineBusy: measured.machineBusy,
      });
    }
  } finally {
    await server.stop();
  }
  return out;
}

function stringArg(name: string): string | null {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? null) : null;
}

async function main(): Promise<void> {
  const runs = arg("runs", 1);
  const baseline = stringArg("baseline");
  const exports = exportList(stringArg("exports") ?? "wide:csv,wide:xlsx,long:csv");
  // The baseline can be limited to fewer exports (its long CSV takes minutes at 100,000 responses).
  const baselineExports = exportList(stringArg("baseline-exports") ?? exports.map((e) => e.join(":")).join(","));
  // A file filled by an earlier run (kept with --keep) saves the filling; it gains the runs' submissions.
  const reused = stringArg("database");
  const { dir, file, submission } = reused ? await reuse(reused) : await fill(arg("responses", 50_000));
  const n = storedResponses(file);
  const scan = rawScan(file);
  const body = JSON.parse(submission) as object;
  const versions: Array<[string, string]> = baseline
    ? [
        ["baseline", path.resolve(baseline)],
        ["this version", REPO_ROOT],
      ]
    : [["this version", REPO_ROOT]];
  const samples = new Map<string, Sample[]>();
  const ratios = new Map<string, { p99: number[]; rss: number[]; speed: number[] }>();
  const startedAt = loadAverage();
  try {
    for (let run = 0; run < runs; run++) {
      const order = run % 2 === 0 ? versions : [...versions].reverse();
      const thisRun = new Map<string, Map<string, Sample>>();
      for (const [name, root] of order) {
        process.stderr.write(`run ${run + 1}/${runs}: ${name}\n`);
        const measured = await measureServer(root, file, name === "baseline" ? baselineExports : exports, body);
        thisRun.set(name, measured);
        for (const [what, sample] of measured) {
          const key = `${name}|${what}`;
          samples.set(key, [...(samples.get(key) ?? []), sample]);
        }
      }
      const base = thisRun.get("baseline");
      const now = thisRun.get("this version")!;
      if (base) {
        for (const [what, sample] of now) {
          const b = base.get(what);
          if (!b) continue;
          const r = ratios.get(what) ?? { p99: [], rss: [], speed: [] };
          r.p99.push(sample.p99 / b.p99);
          r.rss.push(sample.peakRssMb / b.peakRssMb);
          r.speed.push(sample.responsesPerSecond / b.responsesPerSecond);
          ratios.set(what, r);
        }
      }
      // Written after every run, so a long benchmark cut short keeps what it measured.
      summarize(samples, ratios, scan.perSecond, {
        responses: n,
        runsDone: run + 1,
        runs,
        baseline,
        senders: SENDERS,
        pauseMs: PAUSE_MS,
        loadAverageAtStart: startedAt,
        loadAverageNow: loadAverage(),
      });
    }
  } finally {
    if (!flag("keep")) fs.rmSync(dir, { recursive: true, force: true });
    else process.stderr.write(`database kept: ${file}\n`);
  }
}

function summarize(
  samples: Map<string, Sample[]>,
  ratios: Map<string, { p99: number[]; rss: number[]; speed: number[] }>,
  scanPerSecond: number,
  meta: Record<string, unknown>,
): void {
  const rows: Array<Record<string, string | number>> = [
    { version: "–", export: "raw scan of stored payloads (no HTTP)", "responses/s": spread([scanPerSecond]) },
  ];
  for (const [key, xs] of samples) {
    const [version, what] = key.split("|") as [string, string];
    const exported = what !== "no export";
    const r = ratios.get(what);
    rows.push({
      version: version!,
      export: what!,
      "first byte ms": exported ? spread(xs.map((x) => x.ttfbMs)) : "–",
      "responses/s": exported ? spread(xs.map((x) => x.responsesPerSecond)) : "–",
      "rows/s": exported && xs[0]!.rowsPerSecond !== null ? spread(xs.map((x) => x.rowsPerSecond!)) : "–",
      MB: exported ? round2(xs[0]!.mb) : "–",
      "peak RSS MB": spread(xs.map((x) => x.peakRssMb)),
      "submit p50 ms": spread(
        xs.map((x) => x.p50),
        1,
      ),
      "submit p99 ms": spread(
        xs.map((x) => x.p99),
        1,
      ),
      "submissions/s": spread(xs.map((x) => x.submissionsPerSecond)),
      failed: xs.reduce((sum, x) => sum + x.failed, 0),
      "load generator cores": spread(
        xs.map((x) => x.loadGenCores),
        2,
      ),
      "server cores": spread(
        xs.map((x) => x.serverCores),
        2,
      ),
      "machine busy": spread(
        xs.map((x) => x.machineBusy),
        2,
      ),
      ...(version === "this version" && r
        ? { "p99 / baseline": spread(r.p99, 2), "RSS / baseline": spread(r.rss, 2), ...(exported ? { "speed / baseline": spread(r.speed, 2) } : {}) }
        : {}),
    });
  }
  report("export", rows, meta);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
