/** Invitations of the leader survey: import, lookup by token, completion counts. All SQL here. */
import type { Kysely } from "kysely";
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
  for (let i = 0; i < rows.length; i += 500) await db.insertInto("invitations").values(rows.slice(i, i + 500)).execute();
  return rows;
}

export async function findInvitation(db: Kysely<Database>, token: string) {
  return db.selectFrom("invitations").selectAll().where("token", "=", token).executeTakeFirst();
}

export async function listInvitations(db: Kysely<Database>, roundId: string, onlyPending = false) {
  let q = db.selectFrom("invitations").selectAll().where("round_id", "=", roundId).orderBy("group_code").orderBy("agency_key").orderBy("name");
  if (onlyPending) q = q.where("used_on", "is", null);
  return q.execute();
}

/** Invited and answered per group and agency. */
export async function completion(db: Kysely<Database>, roundId: string) {
  const rows = await db
    .selectFrom("invitations")
    .select(["group_code", "agency_key"])
    .select((eb) => [eb.fn.countAll<number>().as("invited"), eb.fn.count<number>("used_on").as("answered")])
    .where("round_id", "=", roundId)
    .groupBy(["group_code", "agency_key"])
    .orderBy("group_code")
    .orderBy("agency_key")
    .execute();
  return rows.map((r) => ({ group: r.group_code, agency: r.agency_key, invited: Number(r.invited), answered: Number(r.answered) }));
}
