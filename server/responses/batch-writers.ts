/**
 * How a planned batch of responses reaches the database. The same operations twice: through
 * Kysely (PostgreSQL, portable SQL), and through cached better-sqlite3 prepared statements
 * (SQLite), where one writer thread makes per-statement overhead the limit on throughput.
 */
import { sql, type Transaction } from "kysely";
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

/** Rows per multi-row insert: under SQLite's and PostgreSQL's parameter limits for the widest table. */
const CHUNK = 2000;

function chunks<T>(rows: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

export function kyselyWriter(trx: Transaction<Database>): BatchWriter {
  return {
    async claimInvitation(token, day) {
      const result = await trx.updateTable("invitations").set({ used_on: day }).where("token", "=", token).where("used_on", "is", null).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async insertResponses(rows) {
      const inserted = new Set<string>();
      for (const chunk of chunks(rows, 200)) {
        const ids = await trx.insertInto("responses").values(chunk).onConflict((oc) => oc.column("id").doNothing()).returning("id").execute();
        for (const r of ids) inserted.add(r.id);
      }
      return inserted;
    },
    async storedHashes(ids) {
      const out = new Map<string, { content_hash: string; receipt_code: string }>();
      for (const chunk of chunks(ids, 500)) {
        const rows = await trx.selectFrom("responses").select(["id", "content_hash", "receipt_code"]).where("id", "in", chunk).execute();
        for (const r of rows) out.set(r.id, r);
      }
      return out;
    },
    async insertAnswers(rows) {
      for (const chunk of chunks(rows, CHUNK)) await trx.insertInto("answers").values(chunk).execute();
    },
    async addCells(rows) {
      for (const chunk of chunks(rows, CHUNK)) {
        await trx
          .insertInto("cell_totals")
          .values(chunk)
          .onConflict((oc) =>
            oc.columns(["round_id", "unit_key", "group_code"]).doUpdateSet({
              n: sql`cell_totals.n + excluded.n`,
              w: sql`cell_totals.w + excluded.w`,
              w2: sql`cell_totals.w2 + excluded.w2`,
            }),
          )
          .execute();
      }
    },
    async addRoundRollups(rows) {
      for (const chunk of chunks(rows, CHUNK)) {
        await trx
          .insertInto("round_rollups")
          .values(chunk)
          .onConflict((oc) =>
            oc.columns(["round_id", "group_code", "question_id", "code"]).doUpdateSet({
              n: sql`round_rollups.n + excluded.n`,
              w: sql`round_rollups.w + excluded.w`,
              w2: sql`round_rollups.w2 + excluded.w2`,
            }),
          )
          .execute();
      }
    },
    async addRollups(rows) {
      for (const chunk of chunks(rows, CHUNK)) {
        await trx
          .insertInto("rollups")
          .values(chunk)
          .onConflict((oc) =>
            oc.columns(["round_id", "unit_key", "group_code", "question_id", "code"]).doUpdateSet({
              n: sql`rollups.n + excluded.n`,
              w: sql`rollups.w + excluded.w`,
              w2: sql`rollups.w2 + excluded.w2`,
            }),
          )
          .execute();
      }
    },
  };
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
