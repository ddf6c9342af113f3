/**
 * Storing responses exactly once. Concurrent submissions are grouped into one transaction (group
 * commit): each caller's promise resolves only after the transaction that holds its response has
 * committed, so every acknowledged response is on disk, and one fsync serves many requests.
 *
 * One bad item never fails another: when a batch's transaction fails, its items are written again
 * one per transaction, so only the item at fault is refused and every other caller is answered
 * after the commit that holds its own response.
 *
 * Idempotency: the insert is "on conflict do nothing"; when the id already exists, the stored
 * content hash decides between a duplicate (same content: same receipt) and a conflict.
 * Rollups (round × unit × group × question × code) and cell totals change in the same transaction.
 *
 * What to write is planned once (`writeBatch`); how it is written depends on the database
 * (`batch-writers.ts`): Kysely on PostgreSQL, cached prepared statements on SQLite, where the
 * single writer makes statement overhead the bound on throughput.
 */
import type { Db } from "../db/database.js";
import type { PreparedResponse } from "./prepare.js";
import { kyselyWriter, sqliteWriter, type BatchWriter, type CellRow, type RollupRow, type RoundRollupRow } from "./batch-writers.js";

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

export class ResponseStore {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;

  constructor(private readonly db: Db) {}

  /** Stores one response; resolves after commit. */
  store(item: PreparedResponse): Promise<StoreOutcome> {
    if (item.alreadyStored) return Promise.resolve({ status: "duplicate", id: item.response.id, receipt: item.alreadyStored.receipt });
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.flushing) this.flushing = this.drain();
    });
  }

  /** Stores several responses (a sync batch); each gets its own outcome, a failure included. */
  storeMany(items: PreparedResponse[]): Promise<Array<PromiseSettledResult<StoreOutcome>>> {
    return Promise.allSettled(items.map((i) => this.store(i)));
  }

  private async drain(): Promise<void> {
    // Let the requests that arrived in the same tick join the first batch.
    await new Promise((r) => setImmediate(r));
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        await this.commit(batch);
      } catch (error) {
        if (batch.length === 1) {
          batch[0]!.reject(error);
          continue;
        }
        // Nothing of the batch was written (the transaction rolled back): isolate the item at fault.
        for (const p of batch) await this.commit([p]).catch((e: unknown) => p.reject(e));
      }
    }
    this.flushing = null;
  }

  /** Writes `batch` in one transaction and answers its callers once it has committed. */
  private async commit(batch: Pending[]): Promise<void> {
    const items = batch.map((p) => p.item);
    const outcomes = await withRetry(() => this.write(items));
    // Committed: a failure from here on must not be reported as a failure to store.
    await restampClaims(this.db, items).catch((error: unknown) => console.error(error));
    batch.forEach((p, i) => p.resolve(outcomes[i]!));
  }

  private write(items: PreparedResponse[]): Promise<StoreOutcome[]> {
    const sqlite = this.db.sqlite;
    if (!sqlite) return this.db.kysely.transaction().execute((trx) => writeBatch(kyselyWriter(trx), items));
    // Holding Kysely's connection keeps every other query out of this transaction.
    return this.db.kysely.connection().execute(async () => {
      sqlite.exec("BEGIN IMMEDIATE");
      try {
        const outcomes = await writeBatch(sqliteWriter(sqlite), items);
        sqlite.exec("COMMIT");
        return outcomes;
      } catch (error) {
        if (sqlite.inTransaction) sqlite.exec("ROLLBACK");
        throw error;
      }
    });
  }
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

/** Plans and performs the writes of one batch inside the caller's transaction. */
async function writeBatch(ops: BatchWriter, items: PreparedResponse[]): Promise<StoreOutcome[]> {
  const outcomes: StoreOutcome[] = new Array(items.length);
  // The same id twice in one batch: the first is written, later ones are compared against it.
  const firstIndex = new Map<string, number>();
  const fresh: number[] = [];
  items.forEach((item, i) => {
    if (firstIndex.has(item.response.id)) return;
    firstIndex.set(item.response.id, i);
    fresh.push(i);
  });

  // An invitation response first claims its token; a token already used stores nothing.
  const claimFailed = new Set<number>();
  for (const i of fresh) {
    const claim = items[i]!.claim;
    if (claim && !(await ops.claimInvitation(claim.token, claim.day))) claimFailed.add(i);
  }
  const toInsert = fresh.filter((i) => !claimFailed.has(i));

  // Sorted by id so that concurrent servers lock rows in the same order.
  toInsert.sort((a, b) => (items[a]!.response.id < items[b]!.response.id ? -1 : 1));
  const inserted = await ops.insertResponses(toInsert.map((k) => items[k]!.response));
  const existing = await ops.storedHashes([...firstIndex.keys()].filter((id) => !inserted.has(id)));

  const answers: PreparedResponse["answers"] = [];
  const rollups = new Map<string, RollupRow>();
  const roundRollups = new Map<string, RoundRollupRow>();
  const cells = new Map<string, CellRow>();
  items.forEach((item, i) => {
    const r = item.response;
    if (inserted.has(r.id) && firstIndex.get(r.id) === i) {
      outcomes[i] = { status: "stored", id: r.id, receipt: r.receipt_code };
      answers.push(...item.answers);
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
      return;
    }
    if (claimFailed.has(i)) {
      // The respondent's own retry after a lost acknowledgement is recognised by id and content.
      const stored = existing.get(r.id);
      outcomes[i] = stored && stored.content_hash === r.content_hash ? { status: "duplicate", id: r.id, receipt: stored.receipt_code } : { status: "token_used", id: r.id };
      return;
    }
    const first = items[firstIndex.get(r.id)!]!.response;
    const stored = inserted.has(r.id) ? { content_hash: first.content_hash, receipt_code: first.receipt_code } : existing.get(r.id);
    if (stored && stored.content_hash === r.content_hash) outcomes[i] = { status: "duplicate", id: r.id, receipt: stored.receipt_code };
    else outcomes[i] = { status: "conflict", id: r.id };
  });

  const byKey = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
  await ops.insertAnswers(answers);
  await ops.addCells(byKey(cells));
  await ops.addRollups(byKey(rollups));
  await ops.addRoundRollups(byKey(roundRollups));
  return outcomes;
}
