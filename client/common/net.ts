/** Talking to the chiso API from the browser: JSON requests, which failures are worth retrying, backoff, response ids. */
import type { ProblemBody } from "../../shared/errors.js";

/** Thrown for a reply the server did give but that is not a success; network failures stay TypeErrors. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Partial<ProblemBody> | null,
  ) {
    super(`HTTP ${status}${body?.error?.code ? ` ${body.error.code}` : ""}`);
  }
}

/** The signed-in session's anti-forgery token, sent with every write (set after sign-in). */
let csrfToken: string | null = null;
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export async function requestJson<T>(url: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set("content-type", "application/json");
  const method = (rest.method ?? (json !== undefined ? "POST" : "GET")).toUpperCase();
  if (csrfToken && method !== "GET" && method !== "HEAD") headers.set("x-csrf-token", csrfToken);
  const res = await fetch(url, { ...rest, headers, ...(json !== undefined ? { method: rest.method ?? "POST", body: JSON.stringify(json) } : {}) });
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // Not JSON (an HTML error page from a proxy): the status says enough.
  }
  if (!res.ok) throw new HttpError(res.status, body as Partial<ProblemBody> | null);
  return body as T;
}

/**
 * Whether trying again later may succeed: no answer at all (offline, server down, connection cut),
 * a server error, or being asked to slow down. Any other 4xx needs a person to change something.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof HttpError) return error.status >= 500 || error.status === 429 || error.status === 408;
  return true;
}

/** Exponential backoff with jitter, so that many devices coming back online do not retry in step. */
export function backoffMs(attempt: number, baseMs = 1000, maxMs = 30_000): number {
  const plain = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(plain * (0.75 + Math.random() * 0.5));
}

/** A random (version 4) UUID; crypto.randomUUID exists only on secure origins, getRandomValues everywhere. */
export function newUuid(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Waits `ms`, or less when the connection comes back or `signal` aborts (a "retry now" tap). */
export function sleepUntilOnline(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      window.removeEventListener("online", done);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    window.addEventListener("online", done);
    signal?.addEventListener("abort", done);
  });
}
