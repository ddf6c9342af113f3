/**
 * Export benchmark: a sipas-2022 round of N responses exported over HTTP (wide CSV, wide XLSX, long
 * CSV) by a server in its own process. Measures time to first byte, rows/s, the server's peak RSS
 * during the export, and the latency of submissions sent while the export runs.
 *
 *   npx tsx bench/export.ts [--responses 50000]      (a million: --responses 1000000, takes a while)
 */
import fs from "node:fs";
import http from "node:http";
import { randomUUID } from "node:crypto";
import { prepareSubmission, type PreparedResponse } from "../server/responses/prepare.js";
import { prepareTemplate } from "./ingest.js";
import Database from "better-sqlite3";
import { arg, percentile, post, report, round2, signIn, startServer, tempDir } from "./lib.js";

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

/** Fills the round with `n` responses: 500 validated ones, cloned under new ids, stored in batches. */
async function fill(n: number) {
  const dir = tempDir("export");
  const { file, bodies, ctx } = await prepareTemplate(dir);
  const prototypes: PreparedResponse[] = [];
  for (const body of bodies(500)) prototypes.push(await prepareSubmission(ctx, ROUND, JSON.parse(body) as unknown, { allowedChannels: ["self"] }));
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

/** Downloads an export, counting lines; samples the server's memory every 50 ms meanwhile. */
function download(
  url: string,
  cookie: string,
  rss: () => number,
): Promise<{ ttfbMs: number; seconds: number; bytes: number; lines: number; peakRssMb: number }> {
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
          resolve({ ttfbMs: ttfb, seconds: (performance.now() - started) / 1000, bytes, lines, peakRssMb: Math.max(peak, rss()) });
        });
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

async function main(): Promise<void> {
  const n = arg("responses", 50_000);
  const { dir, file, submission } = await fill(n);
  const server = await startServer({ CHISO_DB: file });
  const rows: Array<Record<string, string | number>> = [];
  try {
    const idleRss = server.rssMb();
    const cookie = await signIn(server.url);
    // Baselines in the same run: submission latency with no export running, and a plain scan of
    // the same rows straight from the database file (no HTTP, no formatting).
    const idle: number[] = [];
    for (let i = 0; i < 100; i++) {
      const r = await post(`${server.url}/api/rounds/${ROUND}/responses`, JSON.stringify({ ...(JSON.parse(submission) as object), id: randomUUID() }));
      if (r.status === 201) idle.push(r.ms);
      await new Promise((res) => setTimeout(res, 20));
    }
    const scan = rawScan(file);
    rows.push({
      export: "baseline: raw scan of responses (no HTTP)",
      "responses/s": Math.round(scan.perSecond),
      "submit p50 ms": round2(percentile(idle, 50)),
      "submit p99 ms": round2(percentile(idle, 99)),
      submissions: idle.length,
    });
    for (const [layout, format] of [
      ["wide", "csv"],
      ["wide", "xlsx"],
      ["long", "csv"],
    ] as const) {
      // Submissions during the export: one at a time, as a busy form would send them.
      let exporting = true;
      const latencies: number[] = [];
      const submitter = (async () => {
        while (exporting) {
          const body = JSON.stringify({ ...(JSON.parse(submission) as object), id: randomUUID() });
          const r = await post(`${server.url}/api/rounds/${ROUND}/responses`, body);
          if (r.status === 201) latencies.push(r.ms);
          await new Promise((res) => setTimeout(res, 20));
        }
      })();
      const result = await download(`${server.url}/api/rounds/${ROUND}/export/${layout}?format=${format}`, cookie, () => server.rssMb());
      exporting = false;
      await submitter;
      rows.push({
        export: `${layout} ${format}`,
        "first byte ms": round2(result.ttfbMs),
        "responses/s": Math.round(n / result.seconds),
        "ratio to raw scan": round2(n / result.seconds / scan.perSecond),
        "rows/s": format === "csv" ? Math.round((result.lines - 1) / result.seconds) : "–",
        MB: round2(result.bytes / 1e6),
        "peak RSS MB": Math.round(result.peakRssMb),
        "idle RSS MB": Math.round(idleRss),
        "submit p50 ms": round2(percentile(latencies, 50)),
        "submit p99 ms": round2(percentile(latencies, 99)),
        submissions: latencies.length,
      });
    }
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  report("export", rows, { responses: n });
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
