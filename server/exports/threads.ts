/**
 * Raw exports run off the event loop: each in a worker thread (server/exports/export-worker.ts) that
 * reads the rows through its own read-only connection and formats them, while this thread only passes
 * the bytes on to the client, with backpressure end to end. At most CHISO_EXPORTS_AT_ONCE run at once;
 * one more is refused with a 429 that says so. A worker stays loaded for a minute after its export, so
 * the next one starts at once.
 * Decision: docs/decisions/0024-exports-off-the-event-loop.md.
 */
import { createRequire } from "node:module";
import type { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { MessageChannel, Worker } from "node:worker_threads";
import type { Context } from "hono";
import type { AppContext, AppEnv } from "../app-context.js";
import { Problem } from "../http/problem.js";
import type { ExportRequest } from "./build.js";
import type { FromWorker, JobMessage, ToWorker, WorkerJob } from "./export-worker.js";
import { writeTable } from "./writers.js";

/**
 * Raw exports running at once, server-wide (CHISO_EXPORTS_AT_ONCE, default 2): each keeps about a core
 * busy, and collection must keep the rest of the machine.
 */
function exportsAtOnce(): number {
  const n = Number(process.env.CHISO_EXPORTS_AT_ONCE ?? 2);
  return Number.isInteger(n) && n >= 1 ? n : 2;
}

let running = 0;
/** Loaded workers with no job; at most one is kept (it costs about 45 MB). */
const idle: Worker[] = [];

// Loader hooks are not inherited by worker threads, and a hooks thread of its own would cost a worker
// about 30 MB more: the worker loads its TypeScript through tsx's in-thread require hook instead.
const require = createRequire(import.meta.url);
const BOOT = `require(${JSON.stringify(require.resolve("tsx/cjs/api"))}).register(); require(${JSON.stringify(fileURLToPath(new URL("./export-worker.ts", import.meta.url)))});`;

/** How long a loaded worker waits for the next export before it ends (an analyst often downloads several files in a row). */
const IDLE_MS = 60_000;
/**
 * A worker's heap: rows stream through it, so what it holds does not grow with the export (measured
 * peaks: about 40 MB). A low ceiling keeps its collector busy instead of letting the heap swell.
 */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 };

function spawn(): Worker {
  const worker = new Worker(BOOT, { eval: true, resourceLimits: WORKER_LIMITS });
  worker.on("error", (error) => console.error("export worker failed:", error));
  worker.once("exit", () => {
    const i = idle.indexOf(worker);
    if (i >= 0) idle.splice(i, 1);
  });
  return worker;
}

/** Keeps a worker loaded for the next export, for a while; at most one waits. */
function keepIdle(worker: Worker): void {
  if (idle.length > 0) {
    void worker.terminate();
    return;
  }
  // An idle worker must not keep the process alive (a server that closes, a test that ends).
  worker.unref();
  idle.push(worker);
  const timer = setTimeout(() => {
    const i = idle.indexOf(worker);
    if (i >= 0) {
      idle.splice(i, 1);
      void worker.terminate();
    }
  }, IDLE_MS);
  timer.unref();
  idleTimers.set(worker, timer);
}

/** A loaded worker if one waits, else a new one (loading takes 1–3 s). */
function takeWorker(): Worker {
  const worker = idle.pop();
  if (!worker) return spawn();
  clearTimeout(idleTimers.get(worker));
  idleTimers.delete(worker);
  worker.ref();
  return worker;
}

const idleTimers = new Map<Worker, NodeJS.Timeout>();

/**
 * Starts writing an export into `out`. A raw export takes one of the export slots or is refused here,
 * before any byte is sent (a Problem, 429); the returned promise settles when the file is written or cut.
 */
export function startExport(c: Context<AppEnv>, request: ExportRequest, out: PassThrough): Promise<void> {
  const { job, table, options } = request;
  if (!job) return writeTable(table, out, options);
  const limit = exportsAtOnce();
  if (running >= limit) {
    c.header("retry-after", "30");
    throw new Problem(
      "rate_limited",
      undefined,
      { running, limit },
      {
        vi: `Máy chủ đang xuất ${running} tệp dữ liệu cùng lúc, mức tối đa; hãy thử lại sau ít phút.`,
        en: `The server is already writing ${running} data exports at once, the most it allows; try again in a few minutes.`,
      },
    );
  }
  running++;
  const database = workerDatabase(c.var.ctx);
  // An in-memory database has no file another connection could open: it is written here, breathing between rows.
  const writing = database ? inWorker({ job, options, database }, out) : writeTable(table, out, options);
  return writing.finally(() => running--);
}

function workerDatabase(ctx: AppContext): WorkerJob["database"] | null {
  if (ctx.db.url) return { databaseUrl: ctx.db.url };
  const sqlite = ctx.db.sqlite;
  return sqlite && !sqlite.memory ? { sqlitePath: sqlite.name } : null;
}

/** Runs one export on a worker (a loaded one if any); resolves when the job is over, whatever the outcome. */
function inWorker(work: WorkerJob, out: PassThrough): Promise<void> {
  const worker = takeWorker();
  const { port1: port, port2 } = new MessageChannel();
  worker.postMessage({ work, port: port2 } satisfies JobMessage, [port2]);
  // Bytes passed on to `out` but not yet reported to the worker; reported once `out` wants more.
  let owed = 0;
  let waiting = false;
  const report = () => {
    waiting = false;
    if (owed > 0) port.postMessage({ type: "taken", bytes: owed } satisfies ToWorker);
    owed = 0;
  };
  return new Promise<void>((resolve) => {
    let over = false;
    const finish = (keep: boolean) => {
      if (over) return;
      over = true;
      port.close();
      out.off("close", left);
      worker.off("exit", died);
      if (keep) keepIdle(worker);
      else void worker.terminate();
      resolve();
    };
    // A reader that leaves: the worker is stopped at once (a new one is loaded for the next export).
    const left = () => finish(false);
    const died = () => {
      if (!out.destroyed) out.destroy(new Error("the export worker stopped"));
      finish(false);
    };
    out.once("close", left);
    worker.once("exit", died);
    port.on("message", (message: FromWorker) => {
      if (message.type === "bytes") {
        if (out.destroyed) return;
        owed += message.bytes.byteLength;
        const more = out.write(Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength));
        if (!more && !waiting) {
          waiting = true;
          out.once("drain", report);
        } else if (!waiting) report();
      } else if (message.type === "done") {
        out.end();
        finish(true);
      } else {
        console.error("export failed:", message.message);
        // The status line has gone out already; cutting the stream tells the client the file is incomplete.
        out.destroy(new Error("the export failed"));
        finish(true);
      }
    });
  });
}
