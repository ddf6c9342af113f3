/**
 * The server's side of the SQLite writer thread (writer-thread.ts): sends each batch of prepared
 * responses to the thread that owns the write connection and settles the batch's promise with what
 * the thread reports after COMMIT (or with its error, after ROLLBACK). The event loop keeps HTTP,
 * parsing and validation; statements, commits and checkpoints run on the second core.
 */
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { Db } from "../db/database.js";
import type { ResponseTable } from "../db/types.js";
import type { PreparedResponse } from "./prepare.js";
import type { StoreOutcome } from "./store.js";

/** What crosses to the thread for one response: its row and claim only (the thread builds the answer rows from the payload). */
export interface WireItem {
  response: ResponseTable;
  claim?: { token: string; day: string };
}

export type ToWriter = { type: "batch"; id: number; items: WireItem[] } | { type: "close" };
export type FromWriter = { id: number; outcomes: StoreOutcome[] } | { id: number; error: { message: string; code?: string; stack?: string } };
export interface WriterData {
  file: string;
}

/**
 * The thread runs TypeScript like the rest of the server: it registers tsx's loader itself (a
 * thread does not inherit the loader its process registered), then loads its module.
 */
function threadSource(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve("tsx/package.json");
  const exportsMap = (JSON.parse(fs.readFileSync(manifest, "utf8")) as { exports: Record<string, { import: { default: string } }> }).exports;
  const loader = pathToFileURL(path.join(path.dirname(manifest), exportsMap["./esm/api"]!.import.default)).href;
  const entry = new URL("./writer-thread.ts", import.meta.url).href;
  return `import(${JSON.stringify(loader)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })
    .catch((error) => { console.error(error); process.exit(1); });`;
}

export class SqliteWriterThread {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, { resolve(outcomes: StoreOutcome[]): void; reject(error: unknown): void }>();
  private nextId = 0;

  constructor(
    private readonly file: string,
    private readonly db: Db,
  ) {
    db.onClose(() => this.close());
  }

  write(items: PreparedResponse[]): Promise<StoreOutcome[]> {
    const worker = this.worker ?? this.start();
    const id = ++this.nextId;
    // Only the row and the claim: reading `answers` would build the rows on this thread.
    const wire: WireItem[] = items.map((i) => (i.claim ? { response: i.response, claim: i.claim } : { response: i.response }));
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // A batch in flight keeps the process alive (a command waiting for its responses to be stored).
      worker.ref();
      worker.postMessage({ type: "batch", id, items: wire } satisfies ToWriter);
    });
  }

  private start(): Worker {
    // Checkpoints are the writer's: a commit on this thread must not copy its write-ahead log on the event loop.
    this.db.sqlite?.pragma("wal_autocheckpoint = 0");
    const worker = new Worker(threadSource(), { eval: true, workerData: { file: this.file } satisfies WriterData });
    worker.unref();
    worker.on("message", (message: FromWriter) => {
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (this.pending.size === 0) worker.unref();
      if (!waiting) return;
      if ("error" in message) waiting.reject(Object.assign(new Error(message.error.message), message.error));
      else waiting.resolve(message.outcomes);
    });
    worker.on("error", (error) => this.lost(worker, error));
    worker.on("exit", (code) => this.lost(worker, new Error(`the SQLite writer thread stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  /**
   * The thread is gone: its batches in flight fail (none was acknowledged; a batch that did commit
   * is recognised by id and content when its items are written again). The next write starts a new thread.
   */
  private lost(worker: Worker, error: unknown): void {
    if (this.worker === worker) this.worker = null;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }

  /** Lets the thread finish the batches it was sent, close its connection and stop. */
  private async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    const exited = new Promise((resolve) => worker.once("exit", resolve));
    worker.ref();
    worker.postMessage({ type: "close" } satisfies ToWriter);
    await exited;
  }
}
