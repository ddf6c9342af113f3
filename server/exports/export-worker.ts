/**
 * An export worker thread (started and kept by server/exports/threads.ts): for each job, reads a raw
 * export's rows through its own read-only connection, formats them with the same writers as the
 * server, and sends the file's bytes to the server's thread no faster than the server passes them on.
 */
import { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { parentPort, type MessagePort } from "node:worker_threads";
import SQLite from "better-sqlite3";
import pg from "pg";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import type { Database } from "../db/types.js";
// Its PostgreSQL type parsers (BIGINT and NUMERIC as numbers) must hold on this thread's connection too.
import "../db/database.js";
import { rawTable, type RawJob, type UnitLineage } from "./layouts.js";
import { writeTable, type WriteOptions } from "./writers.js";

export interface WorkerJob {
  job: RawJob;
  options: WriteOptions;
  database: { sqlitePath: string } | { databaseUrl: string };
}

/** Server → worker, on the worker's own port: a job and the port its bytes go to (one per job). */
export interface JobMessage {
  work: WorkerJob;
  port: MessagePort;
}
/** Worker → server, on the job's port: bytes of the file (their buffer transferred), the end, or why it stopped. */
export type FromWorker = { type: "bytes"; bytes: Uint8Array } | { type: "done" } | { type: "failed"; message: string };
/** Server → worker, on the job's port: these many bytes were passed on; more may follow. */
export type ToWorker = { type: "taken"; bytes: number };

/** Bytes sent but not yet passed on by the server: the worker waits beyond this, so memory stays flat. */
const BYTES_IN_FLIGHT = 1024 * 1024;

/** A stream whose bytes go to the server's thread, held back while the server has not passed enough on. */
class ToServer extends Writable {
  private inFlight = 0;
  private resume: (() => void) | null = null;

  constructor(private readonly port: MessagePort) {
    super({ highWaterMark: 64 * 1024 });
    port.on("message", (message: ToWorker) => {
      this.inFlight -= message.bytes;
      if (this.resume && this.inFlight < BYTES_IN_FLIGHT) {
        const resume = this.resume;
        this.resume = null;
        resume();
      }
    });
  }

  /** The job is over: its port no longer keeps this thread busy. */
  release(): void {
    this.port.removeAllListeners("message");
    this.port.unref();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // A copy in a buffer of its own, so it can be transferred (Node's small buffers share one pool).
    const bytes = new Uint8Array(chunk.byteLength);
    bytes.set(chunk);
    this.port.postMessage({ type: "bytes", bytes } satisfies FromWorker, [bytes.buffer]);
    this.inFlight += bytes.byteLength;
    if (this.inFlight < BYTES_IN_FLIGHT) callback();
    else this.resume = () => callback();
  }
}

/** Units read from this thread's connection as pages name them; the same names the server's directory holds. */
class UnitNames implements UnitLineage {
  private readonly known = new Map<string, { key: string; level: string; fullName: string; parentKey: string | null } | null>();

  constructor(private readonly db: Kysely<Database>) {}

  async load(keys: readonly string[]): Promise<void> {
    let missing = [...new Set(keys)].filter((key) => !this.known.has(key));
    while (missing.length) {
      const parents = new Set<string>();
      for (let i = 0; i < missing.length; i += 500) {
        const part = missing.slice(i, i + 500);
        const rows = await this.db.selectFrom("units").select(["key", "level", "full_name", "parent_key"]).where("key", "in", part).execute();
        for (const key of part) this.known.set(key, null);
        for (const row of rows) {
          this.known.set(row.key, { key: row.key, level: row.level, fullName: row.full_name, parentKey: row.parent_key });
          if (row.parent_key && !this.known.has(row.parent_key)) parents.add(row.parent_key);
        }
      }
      missing = [...parents];
    }
  }

  lineage(key: string) {
    const out: Array<{ key: string; level: string; fullName: string }> = [];
    for (let unit = this.known.get(key); unit; unit = unit.parentKey ? this.known.get(unit.parentKey) : undefined) out.push(unit);
    return out;
  }
}

function connect(database: WorkerJob["database"]): Kysely<Database> {
  if ("databaseUrl" in database) {
    const pool = new pg.Pool({ connectionString: database.databaseUrl, max: 1 });
    pool.on("error", () => undefined);
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  // Read-only: this thread can never write, and WAL lets it read while the server commits.
  const sqlite = new SQLite(database.sqlitePath, { readonly: true, fileMustExist: true });
  sqlite.pragma("busy_timeout = 5000");
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
}

async function run({ work: { job, options, database }, port }: JobMessage): Promise<void> {
  const out = new ToServer(port);
  let kysely: Kysely<Database> | null = null;
  try {
    kysely = connect(database);
    const table = await rawTable({ kysely, units: new UnitNames(kysely) }, job);
    await writeTable(table, out, options);
    await finished(out);
    port.postMessage({ type: "done" } satisfies FromWorker);
  } catch (error) {
    port.postMessage({ type: "failed", message: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies FromWorker);
  } finally {
    await kysely?.destroy().catch(() => undefined);
    out.release();
  }
}

// One job at a time: the server sends the next only after this one's "done" or "failed".
parentPort?.on("message", (message: JobMessage) => void run(message));
