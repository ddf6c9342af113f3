/**
 * Invitations of the leader survey: import, lookup by token, "opened" (credential issued),
 * completion counts. All SQL of the invitation side is here; nothing here touches responses.
 */
import { sql, type Kysely } from "kysely";
import { randomInt } from "node:crypto";
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
    opened: 0,
    credential_request: null,
  }));
  for (let i = 0; i < rows.length; i += 500) await db.insertInto("invitations").values(rows.slice(i, i + 500)).execute();
  return rows;
}

export async function findInvitation(db: Kysely<Database>, token: string) {
  return db.selectFrom("invitations").selectAll().where("token", "=", token).executeTakeFirst();
}

export async function listInvitations(db: Kysely<Database>, roundId: string, onlyNotOpened = false) {
  let q = db.selectFrom("invitations").selectAll().where("round_id", "=", roundId).orderBy("group_code").orderBy("agency_key").orderBy("name");
  if (onlyNotOpened) q = q.where("opened", "=", 0);
  return q.execute();
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
 * On PostgreSQL every opened invitation of the round is rewritten in the same transaction, in a
 * random order, one opening of the round at a time: all of them then carry this transaction's id (xmin) and a physical position that
 * says nothing about who opened first. On SQLite the write-ahead log is folded into the database
 * and emptied after the commit, so no log frame keeps the moment of opening next to later responses.
 */
export async function openInvitation(db: Db, token: string, roundId: string, request: string): Promise<OpenOutcome> {
  const outcome = await db.kysely.transaction().execute(async (trx) => {
    // Openings of one round take turns: two at once would each rewrite only the rows opened before
    // them, leaving each newly opened row with its own transaction id (SQLite has one writer anyway).
    if (db.dialect === "postgres") await trx.selectFrom("rounds").select("id").where("id", "=", roundId).forUpdate().execute();
    const marked = await trx.updateTable("invitations").set({ opened: 1, credential_request: request }).where("token", "=", token).where("opened", "=", 0).executeTakeFirst();
    if (Number(marked.numUpdatedRows) === 0) {
      const row = await trx.selectFrom("invitations").select("credential_request").where("token", "=", token).executeTakeFirst();
      return row?.credential_request === request ? "again" : "refused";
    }
    if (db.dialect === "postgres") {
      const opened = await trx.selectFrom("invitations").select("token").where("round_id", "=", roundId).where("opened", "=", 1).execute();
      for (const { token: t } of shuffled(opened)) {
        await trx.updateTable("invitations").set({ opened: sql<number>`opened` }).where("token", "=", t).execute();
      }
    }
    return "issued" as const;
  });
  if (outcome === "issued" && db.sqlite) db.sqlite.pragma("wal_checkpoint(TRUNCATE)");
  return outcome;
}

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Invited and opened per group and agency (what the invitation side knows). */
export async function openedCounts(db: Kysely<Database>, roundId: string) {
  const rows = await db
    .selectFrom("invitations")
    .select(["group_code"])
    .select((eb) => [eb.fn.countAll<number>().as("invited"), eb.fn.sum<number>("opened").as("opened")])
    .where("round_id", "=", roundId)
    .groupBy(["group_code"])
    .orderBy("group_code")
    .execute();
  return rows.map((r) => ({ group: r.group_code, invited: Number(r.invited), opened: Number(r.opened ?? 0) }));
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
