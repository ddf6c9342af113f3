/**
 * Anonymous invitations (docs/anonymity.md, docs/decisions/0008-anonymous-credentials.md).
 *
 * - `invitations.opened` (0/1) replaces the day of use: the server knows only that the invitee's
 *   browser obtained its one credential, never when, and never which response it became.
 *   `credential_request` is a hash of the blinded message signed for it, so that the same browser
 *   asking again gets the same signature and a different one is refused. `used_on` is retired:
 *   emptied here and never written again.
 * - `credential_keys`: one RSA key pair per published cell (round × respondent group × unit). A
 *   credential signed with a cell's key proves "one invitee of this cell may answer once" and
 *   nothing more.
 */
import { sql, type Kysely } from "kysely";
import type { Dialect } from "../database.js";

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable("invitations")
    .addColumn("opened", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable("invitations").addColumn("credential_request", "text").execute();
  // An invitation used before this version counts as opened; its day of use is forgotten.
  await db.updateTable("invitations").set({ opened: 1 }).where("used_on", "is not", null).execute();
  await db.updateTable("invitations").set({ used_on: null }).execute();

  let keys = db.schema
    .createTable("credential_keys")
    .addColumn("round_id", "text", (c) => c.notNull().references("rounds.id"))
    .addColumn("group_code", "text", (c) => c.notNull())
    .addColumn("unit_key", "text", (c) => c.notNull().references("units.key"))
    // SubjectPublicKeyInfo and PKCS #8, base64url.
    .addColumn("public_key", "text", (c) => c.notNull())
    .addColumn("private_key", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("credential_keys_pk", ["round_id", "group_code", "unit_key"]);
  if (dialect === "sqlite") keys = keys.modifyEnd(sql`without rowid`);
  await keys.execute();
}
