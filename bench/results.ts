/**
 * Results benchmark: a sipas-2022 round with N responses across the villages of four large
 * provinces (2,500 villages; villages as PSUs in communes as strata, as the demo round declares).
 * Times the results API, every value with its SE, interval and flags: the whole tree (the first
 * request of a new process, then warm), one commune, one respondent group and the breakdown by
 * commune. With `--baseline-root DIR` another checkout's server answers the same requests on the
 * same database, interleaved request by request, and the bodies are compared.
 *
 * The fill is honest: every response is drawn by the demo generator (its own unit, group and
 * answers), goes through prepareSubmission (validation, rows, rollup keys) and is written by the
 * server's ResponseStore in large batches, so the rollups are what collection would have left.
 * The filled file is kept under the system's temporary directory, keyed by the generator's
 * parameters and by the code that shapes what is stored, and reused by later runs.
 *
 *   npx tsx bench/results.ts [--responses 20000] [--runs 5] [--baseline-root DIR] [--raw] [--fill-only]
 *   (the full run: --responses 1000000; --raw also recomputes from the raw answers, slow at 1M)
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createHash, randomUUID } from "node:crypto";
import { sql } from "kysely";
import Sqlite from "better-sqlite3";
import { prepareSubmission, type PreparedResponse } from "../server/responses/prepare.js";
import { latestEdition } from "../server/instruments/repository.js";
import { openContext } from "../server/bootstrap.js";
import { REPO_ROOT } from "../server/config.js";
import { generateAnswers } from "../server/demo/generate.js";
import { seededRng } from "../server/demo/random.js";
import { unitsAtLevel } from "../server/units/walk.js";
import { demoDesign, storeDesign } from "../server/results/design.js";
import { emptyCounts, scoreFromCounts } from "../shared/scoring/index.js";
import { prepareTemplate } from "./ingest.js";
import { arg, get, loadAverage, median, report, round2, signIn, spread, startServer, tempDir, type ServerProcess } from "./lib.js";

const ROUND = "bench-sipas";
const SCOPE = ["2025:01", "2025:79", "2025:46", "2025:48"];
/** Bump when the generator or the fill changes what is stored. */
const FILL_VERSION = 2;
const SEED = 20_26;
/** Larger sizes copy a real-path fill (replicatedDatabase). */
const REPLICATE_ABOVE = 100_000;
/** Distinct answer sets per village × group. */
const POOL = 16;

/**
 * A digest of what decides the stored rows: the schema (migrations), the generator and the
 * questionnaire. The write path's code is left out on purpose (it changes often and must store the
 * same rows: the rollup-equals-recomputation tests hold it to that).
 */
function codeDigest(): string {
  const hash = createHash("sha256");
  const dirs = ["server/db/migrations", "server/demo", "surveys/sipas-2022"];
  for (const dir of dirs) {
    const files = fs.readdirSync(path.join(REPO_ROOT, dir), { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    for (const f of files.map((f) => path.join(f.parentPath, f.name)).sort()) hash.update(path.relative(REPO_ROOT, f)).update(fs.readFileSync(f));
  }
  return hash.digest("hex").slice(0, 12);
}

/** The filled database for n responses: from the cache when a run with the same parameters left it. */
async function filledDatabase(n: number): Promise<string> {
  const cacheDir = path.join(os.tmpdir(), "chiso-bench-results-cache");
  fs.mkdirSync(cacheDir, { recursive: true });
  const key = `sipas-wide-n${n}-seed${SEED}-pool${POOL}-v${FILL_VERSION}-${codeDigest()}`;
  const cached = path.join(cacheDir, `${key}.db`);
  if (fs.existsSync(cached)) {
    process.stderr.write(`using the filled database ${cached}\n`);
    return cached;
  }
  const dir = tempDir("results-fill");
  const { file, ctx } = await prepareTemplate(dir, { wide: true });
  const { instrument } = (await latestEdition(ctx.db.kysely, "sipas-2022"))!;
  const villages = SCOPE.flatMap((s) => unitsAtLevel(ctx, s, "village"));
  const rng = seededRng(SEED);
  const started = performance.now();
  // Answer sets are drawn per village and group (each village has its own level of satisfaction),
  // POOL of them per cell, each validated and prepared once; a response is one of its cell's sets
  // with its own id. At 1,000,000 responses a cell then holds ~400 responses in POOL distinct
  // patterns, which reach the codes a real cell's rollups would (generating every response afresh
  // costs ~1 ms each on this machine: 20 minutes for a million).
  const pool = new Map<string, PreparedResponse[]>();
  const prepared = async (unit: string, group: string): Promise<PreparedResponse> => {
    const key = `${unit}\u0000${group}`;
    let sets = pool.get(key);
    if (!sets) pool.set(key, (sets = []));
    if (sets.length < POOL) {
      const answers = generateAnswers(instrument, unit, group, rng);
      const body = { id: randomUUID(), instrument: { id: instrument.id, version: instrument.version }, unit, group, channel: "self", answers };
      const p = await prepareSubmission(ctx, ROUND, body, { allowedChannels: ["self"] });
      sets.push(p);
      return p;
    }
    const p = sets[rng.int(0, POOL - 1)]!;
    const id = randomUUID();
    return { ...p, response: { ...p.response, id }, answers: p.answers.map((a) => ({ ...a, response_id: id })) };
  };
  const BATCH = 2000;
  for (let i = 0; i < n; i += BATCH) {
    const batch: PreparedResponse[] = [];
    for (let k = 0; k < Math.min(BATCH, n - i); k++) {
      const unit = villages[rng.int(0, villages.length - 1)]!;
      batch.push(await prepared(unit, rng.next() < 0.2 ? "organisation" : "citizen"));
    }
    const outcomes = await ctx.store.storeMany(batch);
    const failed = outcomes.find((o) => o.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const seconds = (performance.now() - started) / 1000;
    process.stderr.write(`\rfilled ${i + batch.length}/${n} (${Math.round((i + batch.length) / seconds)}/s)`);
  }
  process.stderr.write(` in ${Math.round((performance.now() - started) / 1000)} s\n`);
  await storeDesign(ctx.db.kysely, ROUND, demoDesign(instrument.id)!);
  ctx.db.sqlite!.pragma("wal_checkpoint(TRUNCATE)");
  await ctx.db.close();
  fs.renameSync(file, cached);
  fs.rmSync(dir, { recursive: true, force: true });
  return cached;
}

/**
 * The largest relative difference between two result bodies' numbers (Infinity when their shapes,
 * strings or nulls differ): the baseline's and the current server's results must be the same
 * values, up to the last bits of sums taken in another order.
 */
function difference(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length ? Math.max(0, ...a.map((x, i) => difference(x, b[i]))) : Infinity;
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    if (ka.join() !== kb.join()) return Infinity;
    let worst = 0;
    for (const k of ka) worst = Math.max(worst, difference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
    return worst;
  }
  return a === b ? 0 : Infinity;
}

/**
 * Above REPLICATE_ABOVE responses, the database is the real-path fill of n / copies responses with
 * every response stored `copies` times (each copy a new id), and the rollups, round rollups and cell
 * totals multiplied by `copies`: exactly the rollups the store writes for those responses (weights
 * are 1, so the sums stay exact). The copies' answers are left out: no result reads them, and they
 * would be 48 million rows. Generating and storing a million responses one by one takes over an
 * hour on this shared machine; the copy takes minutes. Checked: one cell's rollups equal `copies`
 * times a recount of its original answers.
 */
async function replicatedDatabase(n: number, copies: number): Promise<string> {
  const cacheDir = path.join(os.tmpdir(), "chiso-bench-results-cache");
  const cached = path.join(cacheDir, `sipas-wide-n${n}-copies${copies}-seed${SEED}-pool${POOL}-v${FILL_VERSION}-${codeDigest()}.db`);
  if (fs.existsSync(cached)) {
    process.stderr.write(`using the filled database ${cached}\n`);
    return cached;
  }
  const base = await filledDatabase(n / copies);
  const dir = tempDir("results-copy");
  const file = path.join(dir, "copy.db");
  fs.copyFileSync(base, file);
  const started = performance.now();
  const db = new Sqlite(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  const columns = (table: string) => (db.prepare(`select name from pragma_table_info('${table}')`).all() as Array<{ name: string }>).map((c) => c.name);
  const copyOf = (list: string[], idColumn: string) => list.map((c) => (c === idColumn ? `${c} || '.' || k.c` : c)).join(", ");
  const copyNumbers = `with recursive k(c) as (select 1 union all select c + 1 from k where c < ${copies - 1})`;
  db.transaction(() => {
    const r = columns("responses");
    db.prepare(
      `${copyNumbers} insert into responses (${r.join(", ")}) select ${copyOf(r, "id")} from responses, k where round_id = ? and instr(id, '.') = 0`,
    ).run(ROUND);
    for (const table of ["rollups", "round_rollups", "cell_totals"])
      db.prepare(`update ${table} set n = n * ${copies}, w = w * ${copies}, w2 = w2 * ${copies} where round_id = ?`).run(ROUND);
  })();
  // The copies' answers are not stored (54 million rows, and no result reads them): a cell's
  // rollups must equal `copies` times a recount of its original responses' answers.
  const cell = db.prepare("select unit_key, group_code from cell_totals where round_id = ? limit 1").get(ROUND) as { unit_key: string; group_code: string };
  const recount = db
    .prepare(
      `select a.question_id as q, a.code as code, count(*) as n from answers a join responses r on r.id = a.response_id
       where r.round_id = ? and r.unit_key = ? and r.group_code = ? and a.code is not null group by a.question_id, a.code`,
    )
    .all(ROUND, cell.unit_key, cell.group_code) as Array<{ q: string; code: string; n: number }>;
  const rollups = db
    .prepare("select question_id as q, code, n from rollups where round_id = ? and unit_key = ? and group_code = ?")
    .all(ROUND, cell.unit_key, cell.group_code) as Array<{
    q: string;
    code: string;
    n: number;
  }>;
  const stored = new Map(rollups.map((r) => [`${r.q} ${r.code}`, r.n]));
  for (const r of recount) {
    if (stored.get(`${r.q} ${r.code}`) !== r.n * copies)
      throw new Error(`rollup ${r.q} ${r.code}: ${stored.get(`${r.q} ${r.code}`)} stored, ${r.n} × ${copies} answers`);
  }
  if (stored.size !== recount.length) throw new Error(`rollups of ${cell.unit_key}: ${stored.size} codes, answers have ${recount.length}`);
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  process.stderr.write(`copied to ${n} responses in ${Math.round((performance.now() - started) / 1000)} s\n`);
  fs.renameSync(file, cached);
  fs.rmSync(dir, { recursive: true, force: true });
  return cached;
}

interface Case {
  name: string;
  query: string;
  filter: { units?: string[]; group?: string } | null;
}

async function main(): Promise<void> {
  const n = arg("responses", 20_000);
  const runs = arg("runs", 5);
  const baselineAt = process.argv.indexOf("--baseline-root");
  const baselineRoot = baselineAt >= 0 ? path.resolve(process.argv[baselineAt + 1]!) : null;
  const raw = process.argv.includes("--raw");
  const copies = arg("copies", n > REPLICATE_ABOVE ? Math.ceil(n / REPLICATE_ABOVE) : 1);
  const file = copies > 1 ? await replicatedDatabase(n, copies) : await filledDatabase(n);
  if (process.argv.includes("--fill-only")) return;

  const ctx = await openContext({ databaseUrl: undefined, sqlitePath: file, clientDir: null, minCellSize: 5 });
  await ctx.units.load();
  const { instrument, index } = (await latestEdition(ctx.db.kysely, "sipas-2022"))!;
  const village = unitsAtLevel(ctx, SCOPE[2]!, "village")[0]!;
  const commune = ctx.units.getCached(village)!.parentKey!;
  const communeVillages = ctx.units.childrenOf(commune).map((u) => u.key);
  const stored = await sql<{ responses: number; cells: number; rollups: number }>`select
      (select count(*) from responses where round_id = ${ROUND}) as responses,
      (select count(*) from cell_totals where round_id = ${ROUND}) as cells,
      (select count(*) from rollups where round_id = ${ROUND}) as rollups`.execute(ctx.db.kysely);
  const sizes = stored.rows[0]!;

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

  const cases: Case[] = [
    { name: "whole tree", query: "", filter: {} },
    { name: "one commune", query: `?unit=${encodeURIComponent(commune)}`, filter: { units: communeVillages } },
    { name: "one group", query: "?group=organisation", filter: { group: "organisation" } },
    { name: "breakdown by commune", query: "?by=commune", filter: null },
  ];
  const loadBefore = loadAverage();
  const servers: Array<{ label: string; root: string }> = [{ label: "current", root: REPO_ROOT }];
  if (baselineRoot) servers.unshift({ label: "baseline", root: baselineRoot });
  // Only the questionnaire measured is imported at start: an edition being edited elsewhere in the
  // checkout (and refused as changed under a published version) must not stop the servers.
  const surveys = tempDir("results-surveys");
  fs.cpSync(path.join(REPO_ROOT, "surveys", "sipas-2022"), path.join(surveys, "sipas-2022"), { recursive: true });
  const start = (root: string) => startServer({ CHISO_DB: file, CHISO_SURVEYS: surveys }, [], root);
  // One session for every server: they share the database, and signing in for each new process would
  // soon meet the sign-in throttle (whose rows a cached database keeps from earlier runs).
  await sql`delete from login_throttle`.execute(ctx.db.kysely);
  let session: string | null = null;
  const signedIn = async (server: ServerProcess) => (session ??= await signIn(server.url));
  const fetchResults = async (server: ServerProcess, cookie: string, query: string) => {
    const res = await get(`${server.url}/api/rounds/${ROUND}/results${query}`, { cookie });
    if (res.status !== 200) throw new Error(`results ${res.status}: ${res.text.slice(0, 200)}`);
    return res;
  };

  // The first request of a new process reads every cell's rollups: a fresh server per run, the
  // baseline's and the current one's alternating.
  const cold = new Map<string, number[]>(servers.map((s) => [s.label, []]));
  for (let r = 0; r < runs; r++) {
    for (const s of r % 2 ? [...servers].reverse() : servers) {
      const server = await start(s.root);
      try {
        const cookie = await signedIn(server);
        cold.get(s.label)!.push((await fetchResults(server, cookie, "")).ms);
      } finally {
        await server.stop();
      }
    }
  }

  const running = await Promise.all(servers.map(async (s) => ({ ...s, server: await start(s.root) })));
  const rows: Array<Record<string, string | number>> = [];
  const ratios: Record<string, number> = {};
  let worstDifference = 0;
  try {
    const cookies: string[] = [];
    for (const s of running) cookies.push(await signedIn(s.server));
    for (const c of cases) {
      const times = new Map<string, number[]>(servers.map((s) => [s.label, []]));
      const rawTimes: number[] = [];
      // One unmeasured request each: the warm figures are for a process that has read the round once.
      const first = await Promise.all(running.map((s, i) => fetchResults(s.server, cookies[i]!, c.query)));
      if (first.length === 2) {
        const d = difference(JSON.parse(first[0]!.text), JSON.parse(first[1]!.text));
        worstDifference = Math.max(worstDifference, d);
        if (d > 1e-12) process.stderr.write(`${c.name}: the baseline's and the current server's results differ (largest relative difference ${d})\n`);
      }
      for (let r = 0; r < runs; r++) {
        const order = r % 2 ? [...running.keys()].reverse() : [...running.keys()];
        for (const i of order) times.get(running[i]!.label)!.push((await fetchResults(running[i]!.server, cookies[i]!, c.query)).ms);
        if (raw && c.filter && r === 0) {
          const t = performance.now();
          await recompute(c.filter);
          rawTimes.push(performance.now() - t);
        }
      }
      const current = times.get("current")!;
      const row: Record<string, string | number> = { results: c.name, "warm ms": spread(current, 1) };
      if (baselineRoot) {
        const base = times.get("baseline")!;
        row["baseline warm ms"] = spread(base, 1);
        row["speed-up"] = round2(median(base) / median(current));
        ratios[c.name] = row["speed-up"];
      }
      if (rawTimes.length) row["recompute from raw ms"] = round2(median(rawTimes));
      rows.push(row);
    }
    const coldRow: Record<string, string | number> = { results: "whole tree, first request of a new process", "warm ms": spread(cold.get("current")!, 1) };
    if (baselineRoot) {
      coldRow["baseline warm ms"] = spread(cold.get("baseline")!, 1);
      coldRow["speed-up"] = round2(median(cold.get("baseline")!) / median(cold.get("current")!));
    }
    rows.splice(1, 0, coldRow);
  } finally {
    await Promise.all(running.map((s) => s.server.stop()));
    await ctx.db.close();
    fs.rmSync(surveys, { recursive: true, force: true });
  }
  report("results", rows, {
    responses: Number(sizes.responses),
    cells: Number(sizes.cells),
    rollupRows: Number(sizes.rollups),
    runs,
    baselineRoot,
    largestRelativeDifferenceFromBaseline: baselineRoot ? worstDifference : null,
    loadBefore,
    loadAfter: loadAverage(),
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
