/**
 * "Opened" moves off the invitee's row (docs/anonymity.md, "What each side keeps").
 *
 * Marking an invitation's own row at opening gave that row a new physical position on PostgreSQL
 * at the moment of opening, and rewriting every opened row in random order did not reliably hide
 * the order: where PostgreSQL puts a new row version depends on the page's history. Now the set of
 * opened invitations of a round is one row (`invitation_openings`), rewritten whole at each opening,
 * its entries sorted by token: no per-invitee row moves, so no physical order exists to read.
 * The invitee rows are written once, at import, and never again.
 */
import { sql, type Kysely } from "kysely";
import type { Dialect } from "../database.js";

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  let openings = db.schema
    .createTable("invitation_openings")
    .addColumn("round_id", "text", (c) => c.primaryKey().references("rounds.id"))
    // JSON object token → sha256 of the blinded message signed for it (null: opened before 0007 kept it), keys sorted.
    .addColumn("opened", "text", (c) => c.notNull());
  if (dialect === "sqlite") openings = openings.modifyEnd(sql`without rowid`);
  await openings.execute();

  const rows = await db.selectFrom("invitations").select(["round_id", "token", "credential_request"]).where("opened", "=", 1).execute();
  const perRound = new Map<string, Record<string, string | null>>();
  for (const r of rows) {
    const set = perRound.get(r.round_id) ?? {};
    set[r.token] = r.credential_request ?? null;
    perRound.set(r.round_id, set);
  }
  for (const [roundId, set] of perRound) {
    const sorted = Object.fromEntries(
      Object.keys(set)
        .sort()
        .map((t) => [t, set[t]]),
    );
    await db
      .insertInto("invitation_openings")
      .values({ round_id: roundId, opened: JSON.stringify(sorted) })
      .execute();
  }

  await db.schema.alterTable("invitations").dropColumn("opened").execute();
  await db.schema.alterTable("invitations").dropColumn("credential_request").execute();
  // PostgreSQL keeps a dropped column's bytes in each row until the row is written again: write
  // every invitee row once, in table order, so the old flags go with the old versions (vacuumed).
  if (dialect === "postgres") await sql`update invitations set name = name`.execute(db);
}
