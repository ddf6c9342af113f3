/**
 * Storing responses exactly once. Concurrent submissions are grouped into one transaction (group
 * commit): each caller's promise resolves only after the transaction that holds its response has
 * committed, so every acknowledged response is on disk, and one fsync serves many requests.
 *
 * Idempotency: the insert is "on conflict do nothing"; when the id already exists, the stored
 * content hash decides between a duplicate (same content: same receipt) and a conflict.
 * Rollups (round × unit × group × question × code) and cell totals change in the same transaction.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "../db/types.js";
import type { Db } from "../db/database.js";
import type { PreparedResponse } from "./prepare.js";

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

/** Rows per multi-row insert: under SQLite's 32,766-parameter limit for the widest table. */
const CHUNK = 2000;
const MAX_BATCH = 1000;

export class ResponseStore {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;

  constructor(private readonly db: Db) {}

  /** Stores one response; resolves after commit. */
  store(item: PreparedResponse): Promise<StoreOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.flushing) this.flushing = this.drain();
    });
  }

  /** Stores several responses (a sync batch); each gets its own outcome. */
  storeMany(items: PreparedResponse[]): Promise<StoreOutcome[]> {
    return Promise.all(items.map((i) => this.store(i)));
  }

  private async drain(): Promise<void> {
    // Let the requests that arrived in the same tick join the first batch.
    await new Promise((r) => setImmediate(r));
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        const items = batch.map((p) => p.item);
        const outcomes = await withRetry(() => this.db.kysely.transaction().execute((trx) => writeBatch(trx, items)));
        await restampClaims(this.db, items);
        batch.forEach((p, i) => p.resolve(outcomes[i]!));
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    this.flushing = null;
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

type RollupKey = string;

async function writeBatch(trx: Transaction<Database>, items: PreparedResponse[]): Promise<StoreOutcome[]> {
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
    if (!claim) continue;
    const result = await trx
      .updateTable("invitations")
      .set({ used_on: claim.day })
      .where("token", "=", claim.token)
      .where("used_on", "is", null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) claimFailed.add(i);
  }
  for (const i of claimFailed) fresh.splice(fresh.indexOf(i), 1);

  // Sorted by id so that concurrent servers lock rows in the same order.
  fresh.sort((a, b) => (items[a]!.response.id < items[b]!.response.id ? -1 : 1));
  const inserted = new Set<string>();
  for (let i = 0; i < fresh.length; i += 200) {
    const chunk = fresh.slice(i, i + 200).map((k) => items[k]!.response);
    const rows = await trx
      .insertInto("responses")
      .values(chunk)
      .onConflict((oc) => oc.column("id").doNothing())
      .returning("id")
      .execute();
    for (const r of rows) inserted.add(r.id);
  }

  const existingIds = [...firstIndex.keys()].filter((id) => !inserted.has(id));
  const existing = new Map<string, { content_hash: string; receipt_code: string }>();
  for (let i = 0; i < existingIds.length; i += 500) {
    const rows = await trx
      .selectFrom("responses")
      .select(["id", "content_hash", "receipt_code"])
      .where("id", "in", existingIds.slice(i, i + 500))
      .execute();
    for (const r of rows) existing.set(r.id, r);
  }

  const answers: PreparedResponse["answers"] = [];
  const rollups = new Map<RollupKey, { round_id: string; unit_key: string; group_code: string; question_id: string; code: string; n: number; w: number; w2: number }>();
  const cells = new Map<RollupKey, { round_id: string; unit_key: string; group_code: string; n: number; w: number; w2: number }>();

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

  for (let i = 0; i < answers.length; i += CHUNK) {
    await trx.insertInto("answers").values(answers.slice(i, i + CHUNK)).execute();
  }
  const sortedCells = [...cells.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
  for (let i = 0; i < sortedCells.length; i += CHUNK) {
    await trx
      .insertInto("cell_totals")
      .values(sortedCells.slice(i, i + CHUNK))
      .onConflict((oc) =>
        oc.columns(["round_id", "unit_key", "group_code"]).doUpdateSet({
          n: sql`cell_totals.n + excluded.n`,
          w: sql`cell_totals.w + excluded.w`,
          w2: sql`cell_totals.w2 + excluded.w2`,
        }),
      )
      .execute();
  }
  const sortedRollups = [...rollups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
  for (let i = 0; i < sortedRollups.length; i += CHUNK) {
    await trx
      .insertInto("rollups")
      .values(sortedRollups.slice(i, i + CHUNK))
      .onConflict((oc) =>
        oc.columns(["round_id", "unit_key", "group_code", "question_id", "code"]).doUpdateSet({
          n: sql`rollups.n + excluded.n`,
          w: sql`rollups.w + excluded.w`,
          w2: sql`rollups.w2 + excluded.w2`,
        }),
      )
      .execute();
  }
  return outcomes;
}

export type { Kysely };
