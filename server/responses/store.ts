/**
 * Storing responses exactly once. Concurrent submissions are grouped into one batch (group
 * commit): each caller's promise resolves only after the transaction that holds its response has
 * committed, so every acknowledged response is on disk, and one fsync serves many requests.
 *
 * One bad item never fails another: when a batch's transaction fails, its items are written again
 * one per transaction, so only the item at fault is refused and every other caller is answered
 * after the commit that holds its own response.
 *
 * Idempotency: the insert is "on conflict do nothing"; when the id already exists, the stored
 * content hash decides between a duplicate (same content: same receipt) and a conflict.
 * Rollups (round × unit × group × question × code) and cell totals change in the same transaction,
 * by deltas summed per key over the batch.
 *
 * SQLite has one writer: one batch at a time, through cached prepared statements
 * (`batch-writers.ts`), on a thread of its own that owns the write connection (`writer-thread.ts`),
 * so statements and commits do not hold up the event loop. PostgreSQL takes several batches at once, each one statement
 * (`postgresBatch`), so the server does not sit idle waiting for one round trip at a time
 * (docs/decisions/0021-one-statement-per-batch.md).
 */
import type { Db } from "../db/database.js";
import type { PreparedResponse } from "./prepare.js";
import {
  postgresBatch,
  postgresClaims,
  sqliteWriter,
  type BatchWriter,
  type CellRow,
  type PostgresBatchResult,
  type RollupRow,
  type RoundRollupRow,
} from "./batch-writers.js";
import { SqliteWriterThread } from "./writer-client.js";
import type SQLite from "better-sqlite3";

export type StoreOutcome =
  | { status: "stored"; id: string; receipt: string }
  | { status: "duplicate"; id: string; receipt: string }
  | { status: "conflict"; id: string }
  | { status: "token_used"; id: string };

interface Pending {
  item: PreparedResponse;
  resolve(outcome: StoreOutcome): void;
  reject(error: unknown): void;
}

const MAX_BATCH = 1000;

/**
 * Batches in flight at once on PostgreSQL. Each holds one pooled connection for one round trip;
 * more than a few only adds lock waits on the hottest rollup rows.
 */
const POSTGRES_IN_FLIGHT = 4;

/**
 * The writer thread needs a database file (another thread cannot open an in-memory database);
 * CHISO_WRITER_THREAD=0 writes on the server's own thread (for comparison in benchmarks).
 */
function writerThreadFor(db: Db): SqliteWriterThread | null {
  if (!db.sqlite || db.sqlite.memory || process.env.CHISO_WRITER_THREAD === "0") return null;
  return new SqliteWriterThread(db.sqlite.name, db);
}

export class ResponseStore {
  private queue: Pending[] = [];
  private active = 0;
  private scheduled = false;
  private readonly slots: number;
  private readonly writer: SqliteWriterThread | null;

  constructor(private readonly db: Db) {
    this.writer = writerThreadFor(db);
    // One batch at a time on SQLite, on the writer thread too: the next batch grows while one is
    // written, where a second in flight would be a small one (a commit, with its fsync, for a few).
    this.slots = db.sqlite ? 1 : POSTGRES_IN_FLIGHT;
  }

  /** Stores one response; resolves after commit. */
  store(item: PreparedResponse): Promise<StoreOutcome> {
    if (item.alreadyStored) return Promise.resolve({ status: "duplicate", id: item.response.id, receipt: item.alreadyStored.receipt });
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Stores several responses (a sync batch); each gets its own outcome, a failure included. */
  storeMany(items: PreparedResponse[]): Promise<Array<PromiseSettledResult<StoreOutcome>>> {
    return Promise.allSettled(items.map((i) => this.store(i)));
  }

  private schedule(): void {
    // All slots busy: the next batch starts when one is free. Otherwise let the requests that
    // arrived in the same tick join the batch.
    if (this.scheduled || this.active >= this.slots) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.launch();
    });
  }

  private launch(): void {
    while (this.active < this.slots && this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.active++;
      void this.settle(batch).finally(() => {
        this.active--;
        this.launch();
      });
    }
  }

  private async settle(batch: Pending[]): Promise<void> {
    try {
      await this.commit(batch);
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      // Nothing of the batch was written (the transaction rolled back): isolate the item at fault.
      for (const p of batch) await this.commit([p]).catch((e: unknown) => p.reject(e));
    }
  }

  /** Writes `batch` in one transaction and answers its callers once it has committed. */
  private async commit(batch: Pending[]): Promise<void> {
    const items = batch.map((p) => p.item);
    const outcomes = await withRetry(() => this.write(items));
    // Committed: a failure from here on must not be reported as a failure to store. (The writer thread restamps itself.)
    if (!this.writer) await restampClaims(this.db, items).catch((error: unknown) => console.error(error));
    batch.forEach((p, i) => p.resolve(outcomes[i]!));
  }

  private write(items: PreparedResponse[]): Promise<StoreOutcome[]> {
    if (this.writer) return this.writer.write(items);
    const sqlite = this.db.sqlite;
    if (!sqlite) return writePostgres(this.db, items);
    // Holding Kysely's connection keeps every other query out of this transaction.
    return this.db.kysely.connection().execute(() => writeSqliteBatch(sqlite, items));
  }
}

/** One batch in one SQLite transaction, on the thread that owns `sqlite`; resolves after COMMIT. */
export async function writeSqliteBatch(sqlite: SQLite.Database, items: PreparedResponse[]): Promise<StoreOutcome[]> {
  sqlite.exec("BEGIN IMMEDIATE");
  try {
    const outcomes = await writeBatch(sqliteWriter(sqlite), items);
    sqlite.exec("COMMIT");
    return outcomes;
  } catch (error) {
    if (sqlite.inTransaction) sqlite.exec("ROLLBACK");
    throw error;
  }
}

/** `restampClaims` on the writer thread's own SQLite connection. */
export function restampSqliteClaims(sqlite: SQLite.Database, items: Array<Pick<PreparedResponse, "response" | "claim">>): void {
  const rounds = [...new Set(items.filter((i) => i.claim).map((i) => i.response.round_id))];
  if (rounds.length === 0) return;
  sqlite.prepare(`update invitations set used_on = used_on where round_id in (${rounds.map(() => "?").join(", ")}) and used_on is not null`).run(...rounds);
  sqlite.pragma("wal_checkpoint(TRUNCATE)");
}

/**
 * After invitations were used, every used invitation of those rounds is rewritten in a transaction
 * of its own. On PostgreSQL this gives them all one new row version (xmin), so the transaction id
 * that stored a response no longer matches the one that marked its token used.
 */
async function restampClaims(db: Db, items: PreparedResponse[]): Promise<void> {
  const rounds = [...new Set(items.filter((i) => i.claim).map((i) => i.response.round_id))];
  if (rounds.length === 0) return;
  await db.kysely
    .updateTable("invitations")
    .set((eb) => ({ used_on: eb.ref("used_on") }))
    .where("round_id", "in", rounds)
    .where("used_on", "is not", null)
    .execute();
  // On SQLite, fold the write-ahead log into the database so no frame order of the two writes remains.
  if (db.sqlite) db.sqlite.pragma("wal_checkpoint(TRUNCATE)");
}

/** PostgreSQL may abort one of two transactions that touch the same rollup rows; it is safe to rerun. */
async function withRetry<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt < 5 && (code === "40P01" || code === "40001")) {
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
        continue;
      }
      throw error;
    }
  }
}

/** The items of a batch to write: the first of each id (later ones are compared against it). */
function firstOfEachId(items: PreparedResponse[]): { firstIndex: Map<string, number>; fresh: number[] } {
  const firstIndex = new Map<string, number>();
  const fresh: number[] = [];
  items.forEach((item, i) => {
    if (firstIndex.has(item.response.id)) return;
    firstIndex.set(item.response.id, i);
    fresh.push(i);
  });
  return { firstIndex, fresh };
}

/** Each item's outcome, once it is known which ids were inserted and what the others hold. */
function outcomesOf(
  items: PreparedResponse[],
  firstIndex: Map<string, number>,
  claimFailed: Set<number>,
  { inserted, existing }: PostgresBatchResult,
): StoreOutcome[] {
  return items.map((item, i) => {
    const r = item.response;
    if (inserted.has(r.id) && firstIndex.get(r.id) === i) return { status: "stored", id: r.id, receipt: r.receipt_code };
    if (claimFailed.has(i)) {
      // The respondent's own retry after a lost acknowledgement is recognised by id and content.
      const stored = existing.get(r.id);
      return stored && stored.content_hash === r.content_hash
        ? { status: "duplicate", id: r.id, receipt: stored.receipt_code }
        : { status: "token_used", id: r.id };
    }
    const first = items[firstIndex.get(r.id)!]!.response;
    const stored = inserted.has(r.id) ? { content_hash: first.content_hash, receipt_code: first.receipt_code } : existing.get(r.id);
    if (stored && stored.content_hash === r.content_hash) return { status: "duplicate", id: r.id, receipt: stored.receipt_code };
    return { status: "conflict", id: r.id };
  });
}

/** Sorted by id so that concurrent writers lock response rows in the same order. */
const byResponseId = (items: PreparedResponse[]) => (a: number, b: number) => (items[a]!.response.id < items[b]!.response.id ? -1 : 1);

/**
 * A batch on PostgreSQL: one statement, committed on its own (one round trip). Only a batch that
 * claims invitation tokens needs a transaction around the claim and the statement.
 */
async function writePostgres(db: Db, items: PreparedResponse[]): Promise<StoreOutcome[]> {
  const { firstIndex, fresh } = firstOfEachId(items);
  const lookup = [...firstIndex.keys()];
  if (!fresh.some((i) => items[i]!.claim)) {
    const toInsert = [...fresh].sort(byResponseId(items));
    const result = await postgresBatch(
      db.kysely,
      toInsert.map((i) => items[i]!),
      lookup,
    );
    return outcomesOf(items, firstIndex, new Set(), result);
  }
  return db.kysely.transaction().execute(async (trx) => {
    // A token twice in one batch: the first item claims it, the later ones find it used.
    const firstWithToken = new Map<string, number>();
    for (const i of fresh) {
      const claim = items[i]!.claim;
      if (claim && !firstWithToken.has(claim.token)) firstWithToken.set(claim.token, i);
    }
    const claimed = await postgresClaims(
      trx,
      [...firstWithToken.values()].map((i) => items[i]!.claim!),
    );
    const claimFailed = new Set(
      fresh.filter((i) => {
        const claim = items[i]!.claim;
        return claim !== undefined && !(firstWithToken.get(claim.token) === i && claimed.has(claim.token));
      }),
    );
    const toInsert = fresh.filter((i) => !claimFailed.has(i)).sort(byResponseId(items));
    const result = await postgresBatch(
      trx,
      toInsert.map((i) => items[i]!),
      lookup,
    );
    return outcomesOf(items, firstIndex, claimFailed, result);
  });
}

/** Plans and performs the writes of one batch inside the caller's SQLite transaction. */
async function writeBatch(ops: BatchWriter, items: PreparedResponse[]): Promise<StoreOutcome[]> {
  const { firstIndex, fresh } = firstOfEachId(items);

  // An invitation response first claims its token; a token already used stores nothing.
  const claimFailed = new Set<number>();
  for (const i of fresh) {
    const claim = items[i]!.claim;
    if (claim && !(await ops.claimInvitation(claim.token, claim.day))) claimFailed.add(i);
  }
  const toInsert = fresh.filter((i) => !claimFailed.has(i)).sort(byResponseId(items));
  const inserted = await ops.insertResponses(toInsert.map((k) => items[k]!.response));
  const existing = await ops.storedHashes([...firstIndex.keys()].filter((id) => !inserted.has(id)));

  // The deltas of the batch, summed per key in memory: one upsert per distinct key, not per answer.
  const answers: PreparedResponse["answers"] = [];
  const rollups = new Map<string, RollupRow>();
  const roundRollups = new Map<string, RoundRollupRow>();
  const cells = new Map<string, CellRow>();
  // In the order the items came: float sums then add up in arrival order, as one at a time would.
  for (const [i, item] of items.entries()) {
    const r = item.response;
    if (!inserted.has(r.id) || firstIndex.get(r.id) !== i) continue;
    for (const a of item.answers) answers.push(a);
    const w = r.weight ?? 1;
    const cellKey = `${r.round_id}\u0000${r.unit_key}\u0000${r.group_code}`;
    const cell = cells.get(cellKey) ?? { round_id: r.round_id, unit_key: r.unit_key, group_code: r.group_code, n: 0, w: 0, w2: 0 };
    cell.n += 1;
    cell.w += w;
    cell.w2 += w * w;
    cells.set(cellKey, cell);
    for (const [question_id, code] of item.coded) {
      const key = `${cellKey}\u0000${question_id}\u0000${code}`;
      const row = rollups.get(key) ?? { round_id: r.round_id, unit_key: r.unit_key, group_code: r.group_code, question_id, code, n: 0, w: 0, w2: 0 };
      row.n += 1;
      row.w += w;
      row.w2 += w * w;
      rollups.set(key, row);
      const roundKey = `${r.round_id}\u0000${r.group_code}\u0000${question_id}\u0000${code}`;
      const total = roundRollups.get(roundKey) ?? { round_id: r.round_id, group_code: r.group_code, question_id, code, n: 0, w: 0, w2: 0 };
      total.n += 1;
      total.w += w;
      total.w2 += w * w;
      roundRollups.set(roundKey, total);
    }
  }

  const byKey = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
  await ops.insertAnswers(answers);
  await ops.addCells(byKey(cells));
  await ops.addRollups(byKey(rollups));
  await ops.addRoundRollups(byKey(roundRollups));
  return outcomesOf(items, firstIndex, claimFailed, { inserted, existing });
}
