/**
 * Invitations of the leader survey: import, lookup by token, "opened" (credential issued),
 * completion counts. All SQL of the invitation side is here; nothing here touches responses.
 */
import type { Kysely } from "kysely";
import type { Db } from "../db/database.js";
import type { Database, InvitationTable } from "../db/types.js";
import { randomToken } from "../lib/secrets.js";

export interface NewInvitation {
  name: string;
  email: string;
  group: string;
  agencyKey: string;
}

/** 24 random bytes = 192 bits: unguessable, and short enough for a link in an e-mail. */
export function newInvitationToken(): string {
  return randomToken(24);
}

export async function insertInvitations(db: Kysely<Database>, roundId: string, invitees: NewInvitation[]): Promise<InvitationTable[]> {
  const today = new Date().toISOString().slice(0, 10);
  const rows: InvitationTable[] = invitees.map((i) => ({
    token: newInvitationToken(),
    round_id: roundId,
    name: i.name,
    email: i.email,
    group_code: i.group,
    agency_key: i.agencyKey,
    imported_on: today,
    used_on: null,
  }));
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto("invitations")
      .values(rows.slice(i, i + 500))
      .execute();
  return rows;
}

/** The opened invitations of a round: token → hash of the blinded message signed for it. */
export async function openedOf(db: Kysely<Database>, roundId: string): Promise<Map<string, string | null>> {
  const row = await db.selectFrom("invitation_openings").select("opened").where("round_id", "=", roundId).executeTakeFirst();
  return new Map(Object.entries(row ? (JSON.parse(row.opened) as Record<string, string | null>) : {}));
}

export async function findInvitation(db: Kysely<Database>, token: string) {
  const row = await db.selectFrom("invitations").selectAll().where("token", "=", token).executeTakeFirst();
  return row && { ...row, opened: (await openedOf(db, row.round_id)).has(token) };
}

export async function listInvitations(db: Kysely<Database>, roundId: string, onlyNotOpened = false) {
  const rows = await db
    .selectFrom("invitations")
    .selectAll()
    .where("round_id", "=", roundId)
    .orderBy("group_code")
    .orderBy("agency_key")
    .orderBy("name")
    .execute();
  const opened = await openedOf(db, roundId);
  return rows.map((r) => ({ ...r, opened: opened.has(r.token) })).filter((r) => !onlyNotOpened || !r.opened);
}

/** Invitees per (group, agency) already imported for the round: the minimum cell size counts them too. */
export async function invitedPerAgency(db: Kysely<Database>, roundId: string) {
  const rows = await db
    .selectFrom("invitations")
    .select(["group_code", "agency_key"])
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("round_id", "=", roundId)
    .groupBy(["group_code", "agency_key"])
    .execute();
  return rows.map((r) => ({ group: r.group_code, agency: r.agency_key, n: Number(r.n) }));
}

export type OpenOutcome = "issued" | "again" | "refused";

/**
 * Marks the invitation opened for this blinded message, in a transaction of its own (never the
 * one that stores a response). The same message again is "again" (the browser lost the answer);
 * another message is "refused": one invitee, one credential.
 *
 * The invitee's own row is never written here. The round's opened set is one row, rewritten whole
 * with its entries sorted by token, one opening of the round at a time (the row is locked on
 * PostgreSQL; SQLite has one writer): no row of an invitee moves, carries this transaction's id or
 * takes a physical position at the moment of opening (migration 0010). On SQLite the write-ahead
 * log is folded into the database and emptied after the commit, so no log frame keeps the moment of
 * opening next to later responses.
 */
export async function openInvitation(db: Db, token: string, roundId: string, request: string): Promise<OpenOutcome> {
  const outcome = await db.kysely.transaction().execute(async (trx) => {
    await trx
      .insertInto("invitation_openings")
      .values({ round_id: roundId, opened: "{}" })
      .onConflict((oc) => oc.column("round_id").doNothing())
      .execute();
    let q = trx.selectFrom("invitation_openings").select("opened").where("round_id", "=", roundId);
    if (db.dialect === "postgres") q = q.forUpdate();
    const opened = JSON.parse((await q.executeTakeFirstOrThrow()).opened) as Record<string, string | null>;
    if (Object.hasOwn(opened, token)) return opened[token] === request ? "again" : "refused";
    opened[token] = request;
    await trx
      .updateTable("invitation_openings")
      .set({ opened: sortedJson(opened) })
      .where("round_id", "=", roundId)
      .execute();
    return "issued" as const;
  });
  if (outcome === "issued" && db.sqlite) db.sqlite.pragma("wal_checkpoint(TRUNCATE)");
  return outcome;
}

/** For demo data: these invitations count as opened, with no credential signed for them. */
export async function markOpenedWithoutCredential(db: Kysely<Database>, roundId: string, tokens: string[]): Promise<void> {
  const opened = Object.fromEntries([...(await openedOf(db, roundId))]);
  for (const t of tokens) opened[t] ??= null;
  await db
    .insertInto("invitation_openings")
    .values({ round_id: roundId, opened: sortedJson(opened) })
    .onConflict((oc) => oc.column("round_id").doUpdateSet({ opened: sortedJson(opened) }))
    .execute();
}

function sortedJson(set: Record<string, string | null>): string {
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(set)
        .sort()
        .map((t) => [t, set[t] ?? null]),
    ),
  );
}

/** Invited and opened per group (what the invitation side knows). */
export async function openedCounts(db: Kysely<Database>, roundId: string) {
  const counts = new Map<string, { group: string; invited: number; opened: number }>();
  for (const r of await listInvitations(db, roundId)) {
    const c = counts.get(r.group_code) ?? { group: r.group_code, invited: 0, opened: 0 };
    c.invited++;
    if (r.opened) c.opened++;
    counts.set(r.group_code, c);
  }
  return [...counts.values()].sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}

/** Responses received per group (the response side knows only round, group and published unit). */
export async function responsesPerGroup(db: Kysely<Database>, roundId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom("cell_totals")
    .select(["group_code"])
    .select((eb) => eb.fn.sum<number>("n").as("n"))
    .where("round_id", "=", roundId)
    .groupBy("group_code")
    .execute();
  return new Map(rows.map((r) => [r.group_code, Number(r.n ?? 0)]));
}
