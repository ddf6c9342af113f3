/**
 * Peer groups record who created them: only administrators and that account may change a group.
 * Groups created before this migration have no owner and are left to administrators. Frozen.
 */
import type { Kysely } from "kysely";
import type { Dialect } from "../database.js";

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  // The creator's user id (users.id); null for groups that predate owners.
  await db.schema.alterTable("peer_groups").addColumn("created_by", "text").execute();
}
