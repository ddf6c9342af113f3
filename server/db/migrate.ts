/**
 * Applies migrations from a static, ordered list (never discovered from the file system), each in
 * its own transaction. On PostgreSQL an advisory lock keeps two starting servers from racing.
 */
import { sql, type Kysely } from "kysely";
import type { Db, Dialect } from "./database.js";
import * as m0001 from "./migrations/0001-initial.js";
import * as m0002 from "./migrations/0002-results.js";
import * as m0003 from "./migrations/0003-accounts.js";
import * as m0004 from "./migrations/0004-peer-group-owners.js";
import * as m0005 from "./migrations/0005-account-security.js";
import * as m0006 from "./migrations/0006-par-index.js";
import * as m0007 from "./migrations/0007-anonymous-invitations.js";
import * as m0008 from "./migrations/0008-response-times.js";
import * as m0009 from "./migrations/0009-catch-up-early-databases.js";
import * as m0010 from "./migrations/0010-invitation-openings.js";
import * as m0011 from "./migrations/0011-api-tokens.js";
import * as m0012 from "./migrations/0012-round-designs.js";

export interface Migration {
  name: string;
  up(db: Kysely<any>, dialect: Dialect): Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [
  { name: "0001-initial", up: m0001.up },
  { name: "0002-results", up: m0002.up },
  { name: "0003-accounts", up: m0003.up },
  { name: "0004-peer-group-owners", up: m0004.up },
  { name: "0005-account-security", up: m0005.up },
  { name: "0006-par-index", up: m0006.up },
  { name: "0007-anonymous-invitations", up: m0007.up },
  { name: "0008-response-times", up: m0008.up },
  { name: "0009-catch-up-early-databases", up: m0009.up },
  { name: "0010-invitation-openings", up: m0010.up },
  { name: "0011-api-tokens", up: m0011.up },
  { name: "0012-round-designs", up: m0012.up },
];

const LOCK_ID = 4_242_001;

export async function migrate(db: Db): Promise<string[]> {
  const k = db.kysely as unknown as Kysely<any>;
  await k.schema
    .createTable("chiso_migrations")
    .ifNotExists()
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("applied_at", "text", (c) => c.notNull())
    .execute();
  const applied: string[] = [];
  for (const migration of MIGRATIONS) {
    await k.transaction().execute(async (trx) => {
      if (db.dialect === "postgres") await sql`select pg_advisory_xact_lock(${LOCK_ID})`.execute(trx);
      const done = await trx.selectFrom("chiso_migrations").select("name").where("name", "=", migration.name).executeTakeFirst();
      if (done) return;
      await migration.up(trx, db.dialect);
      await trx.insertInto("chiso_migrations").values({ name: migration.name, applied_at: new Date().toISOString() }).execute();
      applied.push(migration.name);
    });
  }
  return applied;
}
