/**
 * How a planned batch of responses reaches the database. On SQLite, cached better-sqlite3
 * prepared statements, where one writer makes per-statement overhead the limit on throughput.
 * On PostgreSQL, one statement per batch (`postgresBatch`): the round trip, not the rows, is what
 * costs there, and several batches are in flight at once (docs/decisions/0021-one-statement-per-batch.md).
 */
import { sql, type Kysely, type Transaction } from "kysely";
import type SQLite from "better-sqlite3";
import type { AnswerTable, CellTotalTable, Database, ResponseTable, RollupTable, RoundRollupTable } from "../db/types.js";

export type RollupRow = RollupTable;
export type RoundRollupRow = RoundRollupTable;
export type CellRow = CellTotalTable;

export interface BatchWriter {
  /** Marks an invitation token used; false when it already was. */
  claimInvitation(token: string, day: string): Promise<boolean>;
  /** Inserts responses whose id is new; returns the ids inserted. */
  insertResponses(rows: ResponseTable[]): Promise<Set<string>>;
  storedHashes(ids: string[]): Promise<Map<string, { content_hash: string; receipt_code: string }>>;
  insertAnswers(rows: AnswerTable[]): Promise<void>;
  addCells(rows: CellRow[]): Promise<void>;
  addRollups(rows: RollupRow[]): Promise<void>;
  addRoundRollups(rows: RoundRollupRow[]): Promise<void>;
}

/**
 * A multi-row INSERT for SQLite: one prepared statement for `width` rows at a time (and one for
 * single rows), so thousands of small rows cost tens of statement executions, not thousands.
 */
function multiRowInsert(db: SQLite.Database, head: string, columns: number, tail: string, width = 64) {
  const tuple = `(${new Array(columns).fill("?").join(", ")})`;
  const wide = db.prepare(`${head} values ${new Array(width).fill(tuple).join(", ")} ${tail}`);
  const one = db.prepare(`${head} values ${tuple} ${tail}`);
  return (rows: unknown[][]) => {
    let i = 0;
    for (; i + width <= rows.length; i += width) wide.run(rows.slice(i, i + width).flat());
    for (; i < rows.length; i++) one.run(rows[i]!);
  };
}

const statementCache = new WeakMap<SQLite.Database, ReturnType<typeof prepareStatements>>();

function prepareStatements(db: SQLite.Database) {
  return {
    claim: db.prepare("update invitations set used_on = ? where token = ? and used_on is null"),
    insertResponse: db.prepare(
      `insert into responses (id, round_id, edition_id, edition_version, unit_key, group_code, channel, device_id, enumerator_id,
         started_at, submitted_at, received_on, received_at, clock_offset_s, time_review, status, weight, payload_json, content_hash, receipt_code)
       values (@id, @round_id, @edition_id, @edition_version, @unit_key, @group_code, @channel, @device_id, @enumerator_id,
         @started_at, @submitted_at, @received_on, @received_at, @clock_offset_s, @time_review, @status, @weight, @payload_json, @content_hash, @receipt_code)
       on conflict (id) do nothing`,
    ),
    storedHash: db.prepare("select content_hash, receipt_code from responses where id = ?"),
    insertAnswers: multiRowInsert(db, "insert into answers (response_id, question_id, seq, code, num, text)", 6, ""),
    addCells: multiRowInsert(
      db,
      "insert into cell_totals (round_id, unit_key, group_code, n, w, w2)",
      6,
      "on conflict (round_id, unit_key, group_code) do update set n = n + excluded.n, w = w + excluded.w, w2 = w2 + excluded.w2",
      16,
    ),
    addRoundRollups: multiRowInsert(
      db,
      "insert into round_rollups (round_id, group_code, question_id, code, n, w, w2)",
      7,
      "on conflict (round_id, group_code, question_id, code) do update set n = n + excluded.n, w = w + excluded.w, w2 = w2 + excluded.w2",
    ),
    addRollups: multiRowInsert(
      db,
      "insert into rollups (round_id, unit_key, group_code, question_id, code, n, w, w2)",
      8,
      "on conflict (round_id, unit_key, group_code, question_id, code) do update set n = n + excluded.n, w = w + excluded.w, w2 = w2 + excluded.w2",
    ),
  };
}

export function sqliteWriter(db: SQLite.Database): BatchWriter {
  let s = statementCache.get(db);
  if (!s) statementCache.set(db, (s = prepareStatements(db)));
  const st = s;
  return {
    async claimInvitation(token, day) {
      return st.claim.run(day, token).changes > 0;
    },
    async insertResponses(rows) {
      const inserted = new Set<string>();
      for (const r of rows) if (st.insertResponse.run({ received_at: null, clock_offset_s: null, time_review: null, ...r }).changes > 0) inserted.add(r.id);
      return inserted;
    },
    async storedHashes(ids) {
      const out = new Map<string, { content_hash: string; receipt_code: string }>();
      for (const id of ids) {
        const row = st.storedHash.get(id) as { content_hash: string; receipt_code: string } | undefined;
        if (row) out.set(id, row);
      }
      return out;
    },
    async insertAnswers(rows) {
      st.insertAnswers(rows.map((a) => [a.response_id, a.question_id, a.seq, a.code, a.num, a.text]));
    },
    async addCells(rows) {
      st.addCells(rows.map((c) => [c.round_id, c.unit_key, c.group_code, c.n, c.w, c.w2]));
    },
    async addRoundRollups(rows) {
      st.addRoundRollups(rows.map((r) => [r.round_id, r.group_code, r.question_id, r.code, r.n, r.w, r.w2]));
    },
    async addRollups(rows) {
      st.addRollups(rows.map((r) => [r.round_id, r.unit_key, r.group_code, r.question_id, r.code, r.n, r.w, r.w2]));
    },
  };
}

/** What one PostgreSQL batch statement reports: the ids it inserted, and the stored hash of each other id. */
export interface PostgresBatchResult {
  inserted: Set<string>;
  existing: Map<string, { content_hash: string; receipt_code: string }>;
}

/**
 * Inserts `rows` (ids unique, sorted) with their answers, and adds what they count to the cell
 * totals and both rollup tables — in ONE statement, so one round trip and, outside a transaction,
 * one atomic commit. Every column travels as one array parameter (unnest), so the statement text
 * and the number of parameters do not grow with the batch. The rollup deltas are summed in the
 * statement, per key, for the responses actually inserted (a resend counts nothing), and upserted
 * in key order so that concurrent batches lock rollup rows in the same order.
 *
 * `lookup` are the ids whose stored content hash is wanted when not inserted (duplicates).
 */
export async function postgresBatch(
  db: Kysely<Database> | Transaction<Database>,
  rows: Array<{ response: ResponseTable; answers: AnswerTable[]; coded: Array<[string, string]> }>,
  lookup: string[],
): Promise<PostgresBatchResult> {
  const r = rows.map((x) => x.response);
  const col = <K extends keyof ResponseTable>(k: K) => r.map((x) => x[k] ?? null);
  const a = rows.flatMap((x) => x.answers);
  const codedIds: string[] = [];
  const codedQuestions: string[] = [];
  const codedCodes: string[] = [];
  for (const x of rows) {
    for (const [q, code] of x.coded) {
      codedIds.push(x.response.id);
      codedQuestions.push(q);
      codedCodes.push(code);
    }
  }
  const result = await sql<{ id: string; content_hash: string | null; receipt_code: string | null }>`
    with input as (
      select * from unnest(
        ${col("id")}::text[], ${col("round_id")}::text[], ${col("edition_id")}::text[], ${col("edition_version")}::text[],
        ${col("unit_key")}::text[], ${col("group_code")}::text[], ${col("channel")}::text[], ${col("device_id")}::text[],
        ${col("enumerator_id")}::text[], ${col("started_at")}::text[], ${col("submitted_at")}::text[], ${col("received_on")}::text[],
        ${col("received_at")}::text[], ${col("clock_offset_s")}::integer[], ${col("time_review")}::text[], ${col("status")}::text[],
        ${col("weight")}::double precision[], ${col("payload_json")}::text[], ${col("content_hash")}::text[], ${col("receipt_code")}::text[]
      ) as t(id, round_id, edition_id, edition_version, unit_key, group_code, channel, device_id, enumerator_id,
             started_at, submitted_at, received_on, received_at, clock_offset_s, time_review, status, weight, payload_json, content_hash, receipt_code)
    ),
    ins as (
      insert into responses (id, round_id, edition_id, edition_version, unit_key, group_code, channel, device_id, enumerator_id,
        started_at, submitted_at, received_on, received_at, clock_offset_s, time_review, status, weight, payload_json, content_hash, receipt_code)
      select * from input order by id
      on conflict (id) do nothing
      returning id
    ),
    kept as (
      select i.round_id, i.unit_key, i.group_code, i.id, coalesce(i.weight, 1) as w from input i where i.id in (select id from ins)
    ),
    answer_rows as (
      insert into answers (response_id, question_id, seq, code, num, text)
      select * from unnest(
        ${a.map((x) => x.response_id)}::text[], ${a.map((x) => x.question_id)}::text[], ${a.map((x) => x.seq)}::integer[],
        ${a.map((x) => x.code)}::text[], ${a.map((x) => x.num)}::double precision[], ${a.map((x) => x.text)}::text[]
      ) as a(response_id, question_id, seq, code, num, text)
      where a.response_id in (select id from ins)
    ),
    coded as (
      select k.round_id, k.unit_key, k.group_code, c.question_id, c.code, k.w
      from unnest(${codedIds}::text[], ${codedQuestions}::text[], ${codedCodes}::text[]) as c(response_id, question_id, code)
      join kept k on k.id = c.response_id
    ),
    cells as (
      insert into cell_totals (round_id, unit_key, group_code, n, w, w2)
      select round_id, unit_key, group_code, count(*), sum(w), sum(w * w) from kept
      group by round_id, unit_key, group_code order by round_id, unit_key, group_code
      on conflict (round_id, unit_key, group_code) do update
        set n = cell_totals.n + excluded.n, w = cell_totals.w + excluded.w, w2 = cell_totals.w2 + excluded.w2
    ),
    unit_rollups as (
      insert into rollups (round_id, unit_key, group_code, question_id, code, n, w, w2)
      select round_id, unit_key, group_code, question_id, code, count(*), sum(w), sum(w * w) from coded
      group by round_id, unit_key, group_code, question_id, code order by round_id, unit_key, group_code, question_id, code
      on conflict (round_id, unit_key, group_code, question_id, code) do update
        set n = rollups.n + excluded.n, w = rollups.w + excluded.w, w2 = rollups.w2 + excluded.w2
    ),
    round_totals as (
      insert into round_rollups (round_id, group_code, question_id, code, n, w, w2)
      select round_id, group_code, question_id, code, count(*), sum(w), sum(w * w) from coded
      group by round_id, group_code, question_id, code order by round_id, group_code, question_id, code
      on conflict (round_id, group_code, question_id, code) do update
        set n = round_rollups.n + excluded.n, w = round_rollups.w + excluded.w, w2 = round_rollups.w2 + excluded.w2
    )
    select id, null as content_hash, null as receipt_code from ins
    union all
    select id, content_hash, receipt_code from responses where id = any(${lookup}::text[])
  `.execute(db);
  const inserted = new Set<string>();
  const existing = new Map<string, { content_hash: string; receipt_code: string }>();
  // The responses table is read as it was when the statement began: an id inserted by this very
  // statement is not among the stored ones, an id stored before is.
  for (const row of result.rows) {
    if (row.content_hash === null) inserted.add(row.id);
    else existing.set(row.id, { content_hash: row.content_hash, receipt_code: row.receipt_code! });
  }
  // An id neither inserted nor seen was committed by a concurrent transaction after this
  // statement's snapshot was taken (the insert waited for it): read it now.
  const missing = lookup.filter((id) => !inserted.has(id) && !existing.has(id));
  if (missing.length > 0) {
    const late = await sql<{
      id: string;
      content_hash: string;
      receipt_code: string;
    }>`select id, content_hash, receipt_code from responses where id = any(${missing}::text[])`.execute(db);
    for (const row of late.rows) existing.set(row.id, row);
  }
  return { inserted, existing };
}

/**
 * Marks invitation tokens used, all in one statement; returns the tokens it marked (a token
 * already used is not among them). Tokens must be distinct.
 */
export async function postgresClaims(trx: Transaction<Database>, claims: Array<{ token: string; day: string }>): Promise<Set<string>> {
  const sorted = [...claims].sort((x, y) => (x.token < y.token ? -1 : 1));
  const result = await sql<{ token: string }>`
    update invitations set used_on = c.day
    from unnest(${sorted.map((c) => c.token)}::text[], ${sorted.map((c) => c.day)}::text[]) as c(token, day)
    where invitations.token = c.token and invitations.used_on is null
    returning invitations.token
  `.execute(trx);
  return new Set(result.rows.map((r) => r.token));
}
