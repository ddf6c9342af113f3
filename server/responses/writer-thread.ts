/**
 * The SQLite writer thread (started by writer-client.ts): owns the connection that writes
 * responses. Each batch is one transaction — the same statements and outcomes as on the server's
 * own thread (store.ts) — and is reported only after its COMMIT has returned (synchronous=FULL:
 * on disk). Batches are written one after the other, in the order they were sent.
 */
import { parentPort, workerData } from "node:worker_threads";
import { openDatabase } from "../db/database.js";
import { getEdition } from "../instruments/repository.js";
import type { Answers, Instrument } from "../../shared/instrument/schema.js";
import { rowsOf, type PreparedResponse } from "./prepare.js";
import { restampSqliteClaims, writeSqliteBatch } from "./store.js";
import type { FromWriter, ToWriter, WireItem, WriterData } from "./writer-client.js";

const db = openDatabase({ sqlitePath: (workerData as WriterData).file });
const sqlite = db.sqlite!;
// Every response commit goes through this connection: a page cache of 64 MB (not 2) keeps the
// B-trees it updates in memory, and a checkpoint every 10,000 pages (not 1,000) copies a page that
// many batches changed once rather than every batch or two. Durability is unchanged (synchronous=FULL).
sqlite.pragma("cache_size = -65536");
sqlite.pragma("wal_autocheckpoint = 10000");
const port = parentPort!;

/** Published editions never change under their version: read each once. */
const instruments = new Map<string, Instrument>();
async function instrumentOf(editionId: string, version: string): Promise<Instrument> {
  const key = `${editionId}@${version}`;
  let instrument = instruments.get(key);
  if (!instrument) {
    const edition = await getEdition(db.kysely, editionId, version);
    if (!edition) throw new Error(`edition ${key} not found`);
    instruments.set(key, (instrument = edition.instrument));
  }
  return instrument;
}

/** The answer rows and rollup pairs, built here from the stored payload (the answers as stored). */
async function prepared(item: WireItem): Promise<PreparedResponse> {
  const r = item.response;
  const instrument = await instrumentOf(r.edition_id, r.edition_version);
  const { answers } = JSON.parse(r.payload_json) as { answers: Answers };
  return { ...item, ...rowsOf(instrument, r.id, answers) };
}

async function handle(message: ToWriter): Promise<void> {
  if (message.type === "close") {
    await db.close();
    port.close();
    return;
  }
  let reply: FromWriter;
  try {
    const items = await Promise.all(message.items.map(prepared));
    reply = { id: message.id, outcomes: await writeSqliteBatch(sqlite, items) };
  } catch (error) {
    const e = error as { message?: unknown; code?: unknown; stack?: unknown };
    reply = {
      id: message.id,
      error: {
        message: String(e.message ?? error),
        ...(typeof e.code === "string" ? { code: e.code } : {}),
        ...(typeof e.stack === "string" ? { stack: e.stack } : {}),
      },
    };
  }
  // Committed: a failure from here on must not be reported as a failure to store.
  if ("outcomes" in reply) {
    try {
      restampSqliteClaims(sqlite, message.items);
    } catch (error) {
      console.error(error);
    }
  }
  port.postMessage(reply);
}

// One batch at a time, in order: the next starts when the previous one has been answered.
let queue = Promise.resolve();
port.on("message", (message: ToWriter) => {
  queue = queue.then(() => handle(message));
});
