/**
 * Rate limits for public endpoints: token buckets per client address and per round, in memory
 * (each server process limits its own share; behind several processes the effective limit scales).
 */
import type { Context, MiddlewareHandler } from "hono";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { AppEnv } from "../app-context.js";
import { Problem } from "./problem.js";

export function clientAddress(c: Context<AppEnv>): string {
  // Only trust X-Forwarded-For when told the server sits behind a proxy.
  if (process.env.CHISO_TRUST_PROXY === "1") {
    const forwarded = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
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

/** Limits public submissions; signed-in users and devices are not limited here. */
export function publicRateLimit(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const limits = c.var.ctx.rateLimits;
    const round = c.req.param("id") ?? c.req.param("token") ?? "";
    if (c.req.header("authorization")) return next();
    if (!limits.perAddress.take(`${clientAddress(c)}`) || !limits.perRound.take(round)) {
      c.header("retry-after", "60");
      throw new Problem("rate_limited");
    }
    return next();
  };
}
