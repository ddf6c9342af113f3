/**
 * Rate limits for public endpoints: token buckets per client address and per round, in memory
 * (each server process limits its own share; behind several processes the effective limit scales).
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
  const entries = (c.req.header("x-forwarded-for") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const client = entries[entries.length - hops];
  return client && isIP(client) ? client : peer;
}

interface Bucket {
  tokens: number;
  updated: number;
}

export class RateLimiter {
  private buckets = new Map<string, Bucket>();

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
  ) {}

  /** Takes one token; false when the bucket is empty. */
  take(key: string, now = Date.now()): boolean {
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updated: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updated) / 60_000) * this.perMinute);
    bucket.updated = now;
    this.buckets.set(key, bucket);
    if (this.buckets.size > 50_000) this.prune(now);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  private prune(now: number): void {
    for (const [key, b] of this.buckets) if (now - b.updated > 10 * 60_000) this.buckets.delete(key);
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

/** Limits public submissions; a valid credential (session or device token) is not limited here, an invalid one is. */
export function publicRateLimit(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const limits = c.var.ctx.rateLimits;
    const round = c.req.param("id") ?? c.req.param("token") ?? "";
    if (await principal(c)) return next();
    if (!limits.perAddress.take(`${clientAddress(c)}`) || !limits.perRound.take(round)) {
      c.header("retry-after", "60");
      throw new Problem("rate_limited");
    }
    return next();
  };
}
