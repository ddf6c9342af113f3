/**
 * Sign-in throttling (docs/security.md, "Accounts and sessions"). Two counters, both in the database
 * so that every server process sees them:
 * - per username and client address: the first 4 wrong passwords cost nothing, then each attempt
 *   waits 30 s × 2^(n−5), at most 15 minutes; a success from that pair clears it. An attacker
 *   elsewhere therefore slows down only their own guesses, never the account's owner.
 * - per address, across usernames: at most 20 failed sign-ins in 15 minutes. A success does not
 *   clear it (signing in to one's own account between guesses does not buy more guesses).
 * Attempts are counted before the password is checked, one at a time per pair, so that parallel
 * requests cannot all slip through before the first failure is recorded.
 */
import { sql, type Kysely } from "kysely";
import type { Database } from "../db/types.js";

export const THROTTLE = {
  freeFailures: 4,
  baseDelayMs: 30_000,
  maxDelayMs: 15 * 60_000,
  /** A pair's count is forgotten a day after its last failure. */
  pairMemoryMs: 24 * 3600_000,
  addressFailures: 20,
  addressWindowMs: 15 * 60_000,
};

/** How long the pair waits after its n-th counted attempt (0 while attempts are still free). */
export function pairDelayMs(attempt: number): number {
  if (attempt <= THROTTLE.freeFailures) return 0;
  return Math.min(THROTTLE.maxDelayMs, THROTTLE.baseDelayMs * 2 ** (attempt - THROTTLE.freeFailures - 1));
}

export type Reservation = { ok: true; release(success: boolean): Promise<void> } | { ok: false; retryAfterS: number };

const pairKey = (username: string, address: string) => `pair:${username.normalize("NFC").toLowerCase()}|${address}`;
const addressKey = (address: string) => `addr:${address}`;
const iso = (ms: number) => new Date(ms).toISOString();
const retryAfter = (untilMs: number, now: number) => Math.max(1, Math.ceil((untilMs - now) / 1000));

/**
 * Counts one sign-in attempt for (username, address) before the password is checked. Refused while
 * the pair waits, while the address is over its limit, or while another attempt of the same pair is
 * being counted. `release(true)` after a correct password clears the pair and gives the address its
 * attempt back; `release(false)` keeps both counts.
 */
export async function reserveAttempt(db: Kysely<Database>, username: string, address: string, now = Date.now()): Promise<Reservation> {
  await forgetOldEntries(db, now);
  const pk = pairKey(username, address);
  const ak = addressKey(address);

  const addr = await db.selectFrom("login_throttle").selectAll().where("key", "=", ak).executeTakeFirst();
  const addrWindowEnd = addr ? Date.parse(addr.window_start) + THROTTLE.addressWindowMs : 0;
  if (addr && addrWindowEnd > now && addr.failures >= THROTTLE.addressFailures) return { ok: false, retryAfterS: retryAfter(addrWindowEnd, now) };

  const pair = await db.selectFrom("login_throttle").selectAll().where("key", "=", pk).executeTakeFirst();
  if (pair?.locked_until && Date.parse(pair.locked_until) > now) return { ok: false, retryAfterS: retryAfter(Date.parse(pair.locked_until), now) };
  const remembered = pair && now - Date.parse(pair.window_start) < THROTTLE.pairMemoryMs ? pair.failures : 0;
  const attempt = remembered + 1;
  const delay = pairDelayMs(attempt);
  const values = { failures: attempt, window_start: iso(now), locked_until: delay ? iso(now + delay) : null };
  // Compare-and-set on the count read above: of concurrent attempts of one pair, one is counted, the others wait.
  const counted = pair
    ? Number(
        (
          await db
            .updateTable("login_throttle")
            .set(values)
            .where("key", "=", pk)
            .where("failures", "=", pair.failures)
            .where("window_start", "=", pair.window_start)
            .executeTakeFirst()
        ).numUpdatedRows,
      ) === 1
    : Number(
        (
          await db
            .insertInto("login_throttle")
            .values({ key: pk, ...values })
            .onConflict((oc) => oc.column("key").doNothing())
            .executeTakeFirst()
        ).numInsertedOrUpdatedRows ?? 0n,
      ) === 1;
  if (!counted) return { ok: false, retryAfterS: 1 };

  // The address count is one atomic upsert: a new window starts when the last one is over.
  const windowOver = sql<boolean>`login_throttle.window_start < ${iso(now - THROTTLE.addressWindowMs)}`;
  await db
    .insertInto("login_throttle")
    .values({ key: ak, failures: 1, window_start: iso(now), locked_until: null })
    .onConflict((oc) =>
      oc.column("key").doUpdateSet({
        failures: sql`case when ${windowOver} then 1 else login_throttle.failures + 1 end`,
        window_start: sql`case when ${windowOver} then ${iso(now)} else login_throttle.window_start end`,
      }),
    )
    .execute();

  return {
    ok: true,
    async release(success) {
      if (!success) return;
      await db.deleteFrom("login_throttle").where("key", "=", pk).execute();
      await db
        .updateTable("login_throttle")
        .set({ failures: sql`login_throttle.failures - 1` })
        .where("key", "=", ak)
        .where("failures", ">", 0)
        .execute();
    },
  };
}

let lastSweep = 0;
/** Entries nobody has touched for a day are dropped, at most once an hour per process. */
async function forgetOldEntries(db: Kysely<Database>, now: number): Promise<void> {
  if (now - lastSweep < 3600_000) return;
  lastSweep = now;
  await db
    .deleteFrom("login_throttle")
    .where("window_start", "<", iso(now - THROTTLE.pairMemoryMs))
    .execute();
}
