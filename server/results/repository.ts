/** SQL for the results feature: index targets per round, peer groups, crosswalk links, progress counts. */
import type { Kysely } from "kysely";
import type { Database } from "../db/types.js";
import type { Dialect } from "../db/database.js";
import type { Text } from "../../shared/i18n.js";
import { TargetSchema, type Target } from "../../shared/results/schemas.js";
import type { CrosswalkLink } from "../../shared/results/crosswalk.js";

/** Tables added by migration 0002-results (kept here rather than in the shared table types). */
type ResultsTables = {
  index_targets: { round_id: string; targets_json: string; updated_at: string };
  // created_by: migration 0004-peer-group-owners.
  peer_groups: { id: string; label_vi: string; label_en: string; registry: string; members_json: string; updated_at: string; created_by: string | null };
};

type ResultsDb = Kysely<Database & ResultsTables>;
const tables = (db: Kysely<Database>): ResultsDb => db.withTables<ResultsTables>();

export async function getTargets(db: Kysely<Database>, roundId: string): Promise<{ targets: Target[]; updatedAt: string | null }> {
  const row = await tables(db).selectFrom("index_targets").selectAll().where("round_id", "=", roundId).executeTakeFirst();
  if (!row) return { targets: [], updatedAt: null };
  return { targets: TargetSchema.array().parse(JSON.parse(row.targets_json)), updatedAt: row.updated_at };
}

/**
 * Replaces the stored targets a caller may see (`visible`) with `incoming` and keeps every other one,
 * in one transaction. The row is locked on PostgreSQL (SQLite runs one write transaction at a time),
 * so two analysts saving targets for different areas at once do not drop each other's.
 */
export async function replaceTargets(
  db: Kysely<Database>,
  dialect: Dialect,
  roundId: string,
  visible: (t: Target) => boolean,
  incoming: Target[],
): Promise<string> {
  return db.transaction().execute(async (trx) => {
    const t = tables(trx);
    const updatedAt = new Date().toISOString();
    await t
      .insertInto("index_targets")
      .values({ round_id: roundId, targets_json: "[]", updated_at: updatedAt })
      .onConflict((oc) => oc.column("round_id").doNothing())
      .execute();
    const select = t.selectFrom("index_targets").select("targets_json").where("round_id", "=", roundId);
    const row = await (dialect === "postgres" ? select.forUpdate() : select).executeTakeFirstOrThrow();
    const kept = TargetSchema.array()
      .parse(JSON.parse(row.targets_json))
      .filter((target) => !visible(target));
    await t
      .updateTable("index_targets")
      .set({ targets_json: JSON.stringify([...kept, ...incoming]), updated_at: updatedAt })
      .where("round_id", "=", roundId)
      .execute();
    return updatedAt;
  });
}

export interface PeerGroup {
  id: string;
  label: Text;
  registry: string;
  members: string[];
  updatedAt: string;
  /** The account that created the group (users.id); null for groups older than owners. */
  createdBy: string | null;
}

const toPeerGroup = (r: ResultsTables["peer_groups"]): PeerGroup => ({
  id: r.id,
  label: { vi: r.label_vi, en: r.label_en },
  registry: r.registry,
  members: JSON.parse(r.members_json) as string[],
  updatedAt: r.updated_at,
  createdBy: r.created_by,
});

export async function listPeerGroups(db: Kysely<Database>): Promise<PeerGroup[]> {
  return (await tables(db).selectFrom("peer_groups").selectAll().orderBy("id").execute()).map(toPeerGroup);
}

export async function getPeerGroup(db: Kysely<Database>, id: string): Promise<PeerGroup | null> {
  const row = await tables(db).selectFrom("peer_groups").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toPeerGroup(row) : null;
}

/**
 * Creates a group (owned by `by`), or changes it when `by` is an administrator or the group's creator.
 * One statement decides both, so two accounts creating the same id at once cannot take over each
 * other's group. False when the group exists and `by` may not change it.
 */
export async function putPeerGroup(
  db: Kysely<Database>,
  group: Omit<PeerGroup, "updatedAt" | "createdBy">,
  by: { userId: string; admin: boolean },
): Promise<boolean> {
  const values = {
    id: group.id,
    label_vi: group.label.vi,
    label_en: group.label.en,
    registry: group.registry,
    members_json: JSON.stringify(group.members),
    updated_at: new Date().toISOString(),
    created_by: by.userId,
  };
  const result = await tables(db)
    .insertInto("peer_groups")
    .values(values)
    .onConflict((oc) => {
      const update = oc.column("id").doUpdateSet({
        label_vi: values.label_vi,
        label_en: values.label_en,
        registry: values.registry,
        members_json: values.members_json,
        updated_at: values.updated_at,
      });
      return by.admin ? update : update.where("peer_groups.created_by", "=", by.userId);
    })
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function crosswalkLinks(db: Kysely<Database>): Promise<CrosswalkLink[]> {
  const rows = await db.selectFrom("unit_crosswalk").select(["from_key", "to_key", "level", "kind"]).execute();
  return rows.map((r) => ({ from: r.from_key, to: r.to_key, level: r.level, kind: r.kind }));
}

export async function registryIds(db: Kysely<Database>): Promise<string[]> {
  return (await db.selectFrom("unit_registries").select("id").orderBy("valid_from").execute()).map((r) => r.id);
}

/**
 * Responses of a round by a column (day received, channel): the sort of counts a progress page shows.
 * With `inside`, only responses whose unit passes it are counted (a viewer's area).
 */
export async function responseCountsBy(
  db: Kysely<Database>,
  roundId: string,
  column: "received_on" | "channel",
  inside: ((unitKey: string) => boolean) | null = null,
): Promise<Array<{ key: string; n: number }>> {
  const counts = db
    .selectFrom("responses")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("round_id", "=", roundId);
  if (!inside) {
    const rows = await counts
      .select([`${column} as key`])
      .groupBy(column)
      .orderBy(column)
      .execute();
    return rows.map((r) => ({ key: String(r.key), n: Number(r.n) }));
  }
  // The area is a unit subtree: counted per unit here, summed for the units inside it.
  const rows = await counts
    .select([`${column} as key`, "unit_key"])
    .groupBy([column, "unit_key"])
    .execute();
  const sums = new Map<string, number>();
  for (const r of rows) if (inside(r.unit_key)) sums.set(String(r.key), (sums.get(String(r.key)) ?? 0) + Number(r.n));
  return [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, n]) => ({ key, n }));
}

export async function sampleTargets(db: Kysely<Database>, roundId: string) {
  return db.selectFrom("round_targets").selectAll().where("round_id", "=", roundId).execute();
}
