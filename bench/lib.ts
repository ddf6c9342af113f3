/** Shared helpers for benchmarks: a server in its own process, load loops, statistics, reporting. */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import http from "node:http";
import net from "node:net";
import { REPO_ROOT } from "../server/config.js";

export interface ServerProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Resident memory of the server process in MB (from /proc). */
  rssMb(): number;
  /** What the server printed so far (its last 4,000 characters), to explain a failure. */
  log(): string;
  stop(): Promise<void>;
}

/** A port nothing listens on now (the kernel picks it), so benchmarks never collide with other services. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts `chiso serve` in a child process on a free port and waits until it answers. `root` is the
 * checkout whose code runs (default this one): a baseline version runs from another directory.
 */
export async function startServer(env: Record<string, string>, nodeArgs: string[] = [], root = REPO_ROOT): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, path.join(root, "bin/chiso.js"), "serve", "--no-demo", "--port", String(port)], {
    env: { ...process.env, CHISO_RATE_PER_ADDRESS: "100000000", CHISO_RATE_PER_ROUND: "100000000", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
    if (Date.now() > deadline) throw new Error(`server did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: child.pid!,
    child,
    log: () => output.slice(-4000),
    rssMb() {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, "utf8");
      return Number(status.match(/VmRSS:\s+(\d+)/)![1]) / 1024;
    },
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
      }),
  };
}

export function tempDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `chiso-bench-${name}-`));
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/**
 * A JSON POST over a keep-alive connection; resolves with status and latency in ms. A request
 * that fails on a reused idle connection (the server closed it at the same moment: a race of
 * keep-alive, the request never reached the server) is sent once more, as HTTP clients do.
 */
export function post(url: string, body: string, headers: Record<string, string> = {}, retried = false): Promise<{ status: number; ms: number; text: string }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.request(
      url,
      { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, text: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (!retried && req.reusedSocket && error.code === "ECONNRESET") {
        resolve(post(url, body, headers, true).then((r) => ({ ...r, ms: performance.now() - started })));
        return;
      }
      // A connection error is a failed request (status 0), reported with the others, not a crash.
      resolve({ status: 0, ms: performance.now() - started, text: error.message });
    });
    req.end(body);
  });
}

export function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; ms: number; text: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // A fresh connection: the server closes idle keep-alive sockets after 5 s, and a reused
    // socket closed meanwhile would fail the request.
    http
      .get(url, { agent: false, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, text: Buffer.concat(chunks).toString("utf8") }));
      })
      .on("error", reject);
  });
}

/** Runs `total` tasks with at most `concurrency` in flight. */
export async function runConcurrent<T>(total: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(total);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      while (next < total) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

/**
 * Runs tasks with at most `concurrency` in flight for `seconds`, then lets the ones in flight
 * finish; returns every result and the time from start to the last completion.
 */
export async function runFor<T>(seconds: number, concurrency: number, task: (i: number) => Promise<T>): Promise<{ results: T[]; seconds: number }> {
  const results: T[] = [];
  const started = performance.now();
  const until = started + seconds * 1000;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return { results, seconds: (performance.now() - started) / 1000 };
}

/** CPU time (user + system) of a process so far, in seconds, from /proc. */
export function processCpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  // utime and stime are fields 14 and 15 of stat(5); after "pid (comm) " they are at 11 and 12.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU time of a process's main thread (the event loop) so far, in seconds: its task of the same id.
 * Threads the process started (a writer thread, the thread pool) are not counted.
 */
export function mainThreadCpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Busy and total time of the whole machine so far, in clock ticks, from /proc/stat. */
export function machineTicks(): { busy: number; total: number } {
  const cpu = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!.split(/\s+/).slice(1).map(Number);
  const idle = cpu[3]! + cpu[4]!;
  const total = cpu.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/**
 * The local PostgreSQL backends serving database `name` (their process title names it), from
 * /proc: other databases' backends on the same server are not counted, nor are the shared
 * background processes (WAL writer, checkpointer).
 */
export function postgresPids(name: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, "utf8").trim() !== "postgres") continue;
      const title = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ");
      if (title.split(" ").includes(name)) pids.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return pids;
}

function cpuOf(pids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      out.set(pid, processCpuSeconds(pid));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

function cpuSpent(before: Map<number, number>, pids: number[]): number {
  let sum = 0;
  for (const [pid, after] of cpuOf(pids)) sum += after - (before.get(pid) ?? 0);
  return sum;
}

export interface CpuShares {
  seconds: number;
  /** The load generator's own CPU (this process), in cores (1 = one core fully busy). */
  loadGenCores: number;
  serverCores: number;
  /** The servers' main threads (event loops) alone, in cores: what bounds a server whose writes run on another thread. */
  serverMainThreadCores: number;
  /** PostgreSQL's backends serving the measured database, when asked for; 0 otherwise. */
  databaseCores: number;
  /** The whole machine's busy share (0–1), whoever used it. */
  machineBusy: number;
}

/**
 * Measures what the machine spent while `fn` ran: the load generator's own CPU, the server
 * processes' CPU, PostgreSQL's (`database`), and the whole machine's busy share.
 */
export async function withCpu<T>(
  serverPids: number[],
  fn: () => Promise<T & { seconds: number }>,
  options: { database?: string } = {},
): Promise<T & CpuShares> {
  const dbPids = options.database ? postgresPids(options.database) : [];
  const self0 = process.cpuUsage();
  const servers0 = cpuOf(serverPids);
  const mainThreads = (pids: number[]) => pids.reduce((sum, pid) => sum + mainThreadCpuSeconds(pid), 0);
  const main0 = mainThreads(serverPids);
  const db0 = cpuOf(dbPids);
  const machine0 = machineTicks();
  const out = await fn();
  const self = process.cpuUsage(self0);
  const servers = cpuSpent(servers0, serverPids);
  const main = mainThreads(serverPids) - main0;
  // Backends that started during the run count from zero.
  const database = options.database ? cpuSpent(db0, postgresPids(options.database)) : 0;
  const machine1 = machineTicks();
  return {
    ...out,
    loadGenCores: (self.user + self.system) / 1e6 / out.seconds,
    serverCores: servers / out.seconds,
    serverMainThreadCores: main / out.seconds,
    databaseCores: database / out.seconds,
    machineBusy: (machine1.busy - machine0.busy) / (machine1.total - machine0.total),
  };
}

/** "median (min–max)" of a set of runs. */
export function spread(values: number[], digits = 0): string {
  const f = (x: number) => (digits === 0 ? Math.round(x).toLocaleString("en-US") : x.toFixed(digits));
  return `${f(median(values))} (${f(Math.min(...values))}–${f(Math.max(...values))})`;
}

/** The 1-, 5- and 15-minute load averages, as `uptime` prints them. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(", ");
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

export function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

/** Prints a table and appends the run to bench/results/<name>.json. */
export function report(name: string, rows: Array<Record<string, string | number>>, meta: Record<string, unknown> = {}): void {
  console.table(rows);
  const dir = path.join(REPO_ROOT, "bench", "results");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  const entry = { at: new Date().toISOString(), node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, ...meta, rows };
  fs.writeFileSync(file, JSON.stringify(entry, null, 2) + "\n");
}

export const round2 = (x: number) => Math.round(x * 100) / 100;

/** The account benchmarks sign in with (created in the benchmark's own database). */
export const BENCH_USER = { username: "bench-admin", password: "bench-admin-password" };

/** Signs in and returns the session cookie for later requests. */
export async function signIn(url: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(BENCH_USER) });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status}`);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}
