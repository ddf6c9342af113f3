/** SQL for the results feature: index targets per round, peer groups, crosswalk links, progress counts. */
import type { Kysely } from "kysely";
import type { Database } from "../db/types.js";
import type { Text } from "../../shared/i18n.js";
import { TargetSchema, type Target } from "../../shared/results/schemas.js";
import type { CrosswalkLink } from "../../shared/results/crosswalk.js";

/** Tables added by migration 0002-results (kept here rather than in the shared table types). */
type ResultsTables = {
  index_targets: { round_id: string; targets_json: string; updated_at: string };
  peer_groups: { id: string; label_vi: string; label_en: string; registry: string; members_json: string; updated_at: string };
};

type ResultsDb = Kysely<Database & ResultsTables>;
const tables = (db: Kysely<Database>): ResultsDb => db.withTables<ResultsTables>();

export async function getTargets(db: Kysely<Database>, roundId: string): Promise<{ targets: Target[]; updatedAt: string | null }> {
  const row = await tables(db).selectFrom("index_targets").selectAll().where("round_id", "=", roundId).executeTakeFirst();
  if (!row) return { targets: [], updatedAt: null };
  return { targets: TargetSchema.array().parse(JSON.parse(row.targets_json)), updatedAt: row.updated_at };
}

export async function putTargets(db: Kysely<Database>, roundId: string, targets: Target[]): Promise<string> {
  const updatedAt = new Date().toISOString();
  const targetsJson = JSON.stringify(targets);
  await tables(db)
    .insertInto("index_targets")
    .values({ round_id: roundId, targets_json: targetsJson, updated_at: updatedAt })
    .onConflict((oc) => oc.column("round_id").doUpdateSet({ targets_json: targetsJson, updated_at: updatedAt }))
    .execute();
  return updatedAt;
}

export interface PeerGroup {
  id: string;
  label: Text;
  registry: string;
  members: string[];
  updatedAt: string;
}

const toPeerGroup = (r: ResultsTables["peer_groups"]): PeerGroup => ({
  id: r.id,
  label: { vi: r.label_vi, en: r.label_en },
  registry: r.registry,
  members: JSON.parse(r.members_json) as string[],
  updatedAt: r.updated_at,
});

export async function listPeerGroups(db: Kysely<Database>): Promise<PeerGroup[]> {
  return (await tables(db).selectFrom("peer_groups").selectAll().orderBy("id").execute()).map(toPeerGroup);
}

export async function getPeerGroup(db: Kysely<Database>, id: string): Promise<PeerGroup | null> {
  const row = await tables(db).selectFrom("peer_groups").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toPeerGroup(row) : null;
}

export async function putPeerGroup(db: Kysely<Database>, group: Omit<PeerGroup, "updatedAt">): Promise<void> {
  const values = {
    id: group.id,
    label_vi: group.label.vi,
    label_en: group.label.en,
    registry: group.registry,
    members_json: JSON.stringify(group.members),
    updated_at: new Date().toISOString(),
  };
  await tables(db)
    .insertInto("peer_groups")
    .values(values)
    .onConflict((oc) => oc.column("id").doUpdateSet({ label_vi: values.label_vi, label_en: values.label_en, registry: values.registry, members_json: values.members_json, updated_at: values.updated_at }))
    .execute();
}

export async function crosswalkLinks(db: Kysely<Database>): Promise<CrosswalkLink[]> {
  const rows = await db.selectFrom("unit_crosswalk").select(["from_key", "to_key", "level", "kind"]).execute();
  return rows.map((r) => ({ from: r.from_key, to: r.to_key, level: r.level, kind: r.kind }));
}

export async function registryIds(db: Kysely<Database>): Promise<string[]> {
  return (await db.selectFrom("unit_registries").select("id").orderBy("valid_from").execute()).map((r) => r.id);
}

/** Responses of a round by a column (day received, channel): the sort of counts a progress page shows. */
export async function responseCountsBy(db: Kysely<Database>, roundId: string, column: "received_on" | "channel"): Promise<Array<{ key: string; n: number }>> {
  const rows = await db
    .selectFrom("responses")
    .select([`${column} as key`])
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("round_id", "=", roundId)
    .groupBy(column)
    .orderBy(column)
    .execute();
  return rows.map((r) => ({ key: String(r.key), n: Number(r.n) }));
}

export async function sampleTargets(db: Kysely<Database>, roundId: string) {
  return db.selectFrom("round_targets").selectAll().where("round_id", "=", roundId).execute();
}
