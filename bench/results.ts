/**
 * Results benchmark: a sipas-2022 round with N responses (~60 answers each) across the demo
 * province's villages. Times the results API computed from rollups — whole tree, one commune, one
 * respondent group — against recomputing the same tree from the raw answers in the same run
 * (an aggregate over the `answers` table, then the same scoring engine).
 *
 *   npx tsx bench/results.ts [--responses 20000] [--runs 5]     (the full run: --responses 1000000)
 */
import fs from "node:fs";
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { prepareSubmission, type PreparedResponse } from "../server/responses/prepare.js";
import { latestEdition } from "../server/instruments/repository.js";
import { emptyCounts, scoreFromCounts } from "../shared/scoring/index.js";
import { prepareTemplate } from "./ingest.js";
import { arg, get, median, report, round2, signIn, startServer, tempDir } from "./lib.js";

const ROUND = "bench-sipas";

async function main(): Promise<void> {
  const n = arg("responses", 20_000);
  const runs = arg("runs", 5);
  const dir = tempDir("results");
  const { file, bodies, ctx } = await prepareTemplate(dir, { wide: true });
  const prototypes: PreparedResponse[] = [];
  for (const body of bodies(3000)) prototypes.push(await prepareSubmission(ctx, ROUND, JSON.parse(body) as unknown, { allowedChannels: ["self"] }));
  const started = performance.now();
  for (let i = 0; i < n; i += 2000) {
    const batch = Array.from({ length: Math.min(2000, n - i) }, (_, k) => {
      const p = prototypes[(i + k) % prototypes.length]!;
      const id = randomUUID();
      return { ...p, response: { ...p.response, id, payload_json: "{}" }, answers: p.answers.map((a) => ({ ...a, response_id: id })) };
    });
    await ctx.store.storeMany(batch);
    process.stderr.write(`\rfilled ${i + batch.length}/${n}`);
  }
  process.stderr.write(` in ${Math.round((performance.now() - started) / 1000)} s\n`);
  ctx.db.sqlite!.pragma("wal_checkpoint(TRUNCATE)");

  const { instrument, index } = (await latestEdition(ctx.db.kysely, "sipas-2022"))!;
  const commune = ctx.units.getCached(prototypes[0]!.response.unit_key)!.parentKey!;
  const communeVillages = ctx.units.childrenOf(commune).map((u) => u.key);

  /** The reference path: count answers per question and code straight from the raw rows, then score. */
  const recompute = async (filter: { units?: string[]; group?: string }) => {
    let q = ctx.db.kysely
      .selectFrom("answers")
      .innerJoin("responses", "responses.id", "answers.response_id")
      .select(["answers.question_id", "answers.code"])
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("responses.round_id", "=", ROUND)
      .where("answers.code", "is not", null)
      .groupBy(["answers.question_id", "answers.code"]);
    if (filter.units) q = q.where("responses.unit_key", "in", filter.units);
    if (filter.group) q = q.where("responses.group_code", "=", filter.group);
    const counts = emptyCounts();
    for (const r of await q.execute()) (counts.questions[r.question_id] ??= {})[r.code!] = { n: Number(r.n), w: Number(r.n), w2: Number(r.n) };
    const total = await sql<{ n: number }>`select count(*) as n from responses where round_id = ${ROUND}`.execute(ctx.db.kysely);
    counts.responses = { n: Number(total.rows[0]!.n), w: 0, w2: 0 };
    return scoreFromCounts(index!, instrument, counts);
  };

  const server = await startServer({ CHISO_DB: file });
  const rows: Array<Record<string, string | number>> = [];
  try {
    const cookie = await signIn(server.url);
    const cases: Array<[string, string, { units?: string[]; group?: string }]> = [
      ["whole tree", "", {}],
      ["one commune", `?unit=${commune}`, { units: communeVillages }],
      ["one group", "?group=organisation", { group: "organisation" }],
    ];
    for (const [name, query, filter] of cases) {
      const api: number[] = [];
      const raw: number[] = [];
      for (let r = 0; r < runs; r++) {
        const res = await get(`${server.url}/api/rounds/${ROUND}/results${query}`, { cookie });
        if (res.status !== 200) throw new Error(`results ${res.status}: ${res.text.slice(0, 200)}`);
        api.push(res.ms);
        const t = performance.now();
        await recompute(filter);
        raw.push(performance.now() - t);
      }
      rows.push({
        results: name,
        "API from rollups ms": round2(median(api)),
        "recompute from raw ms": round2(median(raw)),
        "speed-up": round2(median(raw) / median(api)),
      });
    }
  } finally {
    await server.stop();
    await ctx.db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  report("results", rows, { responses: n, runs, answersPerResponse: Math.round(prototypes.reduce((s, p) => s + p.answers.length, 0) / prototypes.length) });
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
