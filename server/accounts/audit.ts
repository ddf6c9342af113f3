/** The audit log of administrative actions: who did what, when. Never records invitation use. */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../db/types.js";

export async function audit(db: Kysely<Database>, actor: string, action: string, target: string | null, detail?: unknown): Promise<void> {
  await db
    .insertInto("audit_log")
    .values({ id: randomUUID(), at: new Date().toISOString(), actor, action, target, detail_json: detail === undefined ? null : JSON.stringify(detail) })
    .execute();
}

export async function listAudit(db: Kysely<Database>, limit: number, before?: string) {
  let q = db.selectFrom("audit_log").selectAll().orderBy("at", "desc").orderBy("id").limit(limit);
  if (before) q = q.where("at", "<", before);
  return (await q.execute()).map((r) => ({ ...r, detail: r.detail_json ? (JSON.parse(r.detail_json) as unknown) : null }));
}
