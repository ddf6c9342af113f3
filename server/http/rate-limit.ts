/**
 * Rate limits for public endpoints: token buckets per client address and per round, in memory
 * (each server process limits its own share; behind several processes the effective limit scales).
 *
 * No bucket outlives its window: a bucket that has refilled is the same as no bucket, so it is
 * dropped (checked at most once a second). Buckets are never keyed by an invitation token, and
 * their clock is kept to the second, so the limiter holds no trace of an invitation's use.
 */
import { isIP } from "node:net";
import type { Context, MiddlewareHandler } from "hono";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { AppEnv } from "../app-context.js";
import { Problem } from "./problem.js";
import { principal } from "./access.js";

/**
 * How many reverse proxies stand in front of the server (CHISO_TRUST_PROXY=N; unset or 0: none).
 * Anything but a whole number is refused, naming the variable.
 */
export function trustedProxyHops(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.CHISO_TRUST_PROXY?.trim() ?? "";
  if (raw === "") return 0;
  if (!/^\d{1,2}$/.test(raw)) throw new Error(`CHISO_TRUST_PROXY must be the number of reverse proxies in front of chiso (0, 1, 2…), got "${raw}"`);
  return Number(raw);
}

/**
 * The client's address. Each proxy appends the address it received the request from to
 * X-Forwarded-For, so with N trusted proxies the client is the N-th entry from the right; entries
 * further left were written by the client and are ignored. A request with fewer entries than
 * proxies did not come through them all: its own connection address is used.
 */
export function clientAddress(c: Context<AppEnv>): string {
  let peer = "unknown";
  try {
    peer = getConnInfo(c).remote.address ?? "unknown";
  } catch {
    /* not a Node socket (app.request in tests): no address */
  }
  const hops = trustedProxyHops();
  if (hops === 0) return peer;
  const entries = (c.req.header("x-forwarded-for") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const client = entries[entries.length - hops];
  return client && isIP(client) ? client : peer;
}

interface Bucket {
  tokens: number;
  updated: number;
}

export class RateLimiter {
  private buckets = new Map<string, Bucket>();
  private prunedAt = 0;

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
  ) {
    // Buckets also expire while no request comes; the timer never keeps the process alive.
    const every = Number.isFinite(this.windowMs) ? Math.min(Math.max(1000, this.windowMs), 3_600_000) : 60_000;
    setInterval(() => this.prune(Math.floor(Date.now() / 1000) * 1000), every).unref();
  }

  /** How long an untouched bucket takes to refill completely: its window. */
  get windowMs(): number {
    return Math.ceil((this.burst / this.perMinute) * 60_000);
  }

  /** Takes one token; false when the bucket is empty. */
  take(key: string, nowMs = Date.now()): boolean {
    // Whole seconds: the limiter needs no finer clock, and keeps none.
    const now = Math.floor(nowMs / 1000) * 1000;
    if (now - this.prunedAt >= 1000) this.prune(now);
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updated: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updated) / 60_000) * this.perMinute);
    bucket.updated = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Number of buckets held (tests: none outlives its window). */
  size(nowMs = Date.now()): number {
    this.prune(Math.floor(nowMs / 1000) * 1000);
    return this.buckets.size;
  }

  /** Drops every bucket that has refilled since it was last used. */
  private prune(now: number): void {
    this.prunedAt = now;
    const window = this.windowMs;
    // A bucket from the future (the clock was set back) is dropped too: it could otherwise stay for ever.
    for (const [key, b] of this.buckets) if (now - b.updated >= window || b.updated > now) this.buckets.delete(key);
  }
}

export interface RateLimits {
  perAddress: RateLimiter;
  perRound: RateLimiter;
}

/** Defaults: 60 submissions a minute per address (burst 30), 6,000 a minute per round (burst 600). */
export function defaultRateLimits(env: NodeJS.ProcessEnv = process.env): RateLimits {
  const perAddress = Number(env.CHISO_RATE_PER_ADDRESS ?? 60);
  const perRound = Number(env.CHISO_RATE_PER_ROUND ?? 6000);
  return {
    perAddress: new RateLimiter(perAddress, Math.max(1, Math.ceil(perAddress / 2))),
    perRound: new RateLimiter(perRound, Math.max(1, Math.ceil(perRound / 10))),
  };
}

/**
 * Limits public submissions; a valid credential (session or device token) is not limited here, an
 * invalid one is. The second bucket is the round named in the path, or `bucket` (invitation calls
 * name no round and carry their token only in the body: they share one bucket, and are limited
 * for everyone, signed in or not).
 */
export function publicRateLimit(bucket?: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const limits = c.var.ctx.rateLimits;
    const round = bucket ?? c.req.param("id") ?? "";
    // A named bucket (invitations) never looks at the caller's session: an invitee's call must not
    // touch, and so date, a session of whoever is signed in on that browser.
    // An API token is read-only: it never lifts the limit on a write.
    if (bucket === undefined && ((await principal(c))?.via ?? "api-token") !== "api-token") return next();
    if (!limits.perAddress.take(`${clientAddress(c)}`) || !limits.perRound.take(round)) {
      c.header("retry-after", "60");
      throw new Problem("rate_limited");
    }
    return next();
  };
}
