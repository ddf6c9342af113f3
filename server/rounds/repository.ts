/** Survey rounds (campaigns): creation, lookup and status, targets per unit. */
import type { Kysely } from "kysely";
import type { z } from "zod";
import type { Database, RoundTable } from "../db/types.js";
import type { ModeSchema, RoundStatus } from "../../shared/api/schemas.js";
import type { NewRoundSchema, RoundSummary } from "../../shared/api/rounds.js";

// The payload is the API's (shared/api/rounds.ts); the command line creates rounds with the same schema.
export { MAX_MIN_CELL_SIZE, NewRoundSchema, type NewRound } from "../../shared/api/rounds.js";

export interface Round {
  id: string;
  title: { vi: string; en: string };
  editionId: string;
  editionVersion: string;
  status: RoundStatus;
  periodStart: string | null;
  periodEnd: string | null;
  registry: string;
  scope: string[];
  groups: string[];
  modes: Array<z.infer<typeof ModeSchema>>;
  minCellSize: number;
  createdAt: string;
}

export function toRound(row: RoundTable): Round {
  return {
    id: row.id,
    title: { vi: row.title_vi, en: row.title_en },
    editionId: row.edition_id,
    editionVersion: row.edition_version,
    status: row.status as RoundStatus,
    periodStart: row.period_start,
    periodEnd: row.period_end,
    registry: row.registry,
    scope: JSON.parse(row.scope_json) as string[],
    groups: JSON.parse(row.groups_json) as string[],
    modes: JSON.parse(row.modes_json) as Round["modes"],
    minCellSize: row.min_cell_size,
    createdAt: row.created_at,
  };
}

export function summarise(round: Round, editionTitle: { vi: string; en: string }): RoundSummary {
  return {
    id: round.id,
    title: round.title,
    instrument: { id: round.editionId, version: round.editionVersion, title: editionTitle },
    status: round.status,
    modes: round.modes,
    groups: round.groups,
    registry: round.registry,
    scope: round.scope,
    periodStart: round.periodStart,
    periodEnd: round.periodEnd,
  };
}

export async function insertRound(db: Kysely<Database>, input: z.infer<typeof NewRoundSchema>): Promise<void> {
  await db
    .insertInto("rounds")
    .values({
      id: input.id,
      title_vi: input.title.vi,
      title_en: input.title.en,
      edition_id: input.edition,
      edition_version: input.version,
      status: input.status,
      period_start: input.periodStart,
      period_end: input.periodEnd,
      registry: input.registry,
      scope_json: JSON.stringify(input.scope),
      groups_json: JSON.stringify(input.groups),
      modes_json: JSON.stringify(input.modes),
      min_cell_size: input.minCellSize,
      created_at: new Date().toISOString(),
    })
    .execute();
}

export async function findRound(db: Kysely<Database>, id: string): Promise<Round | null> {
  const row = await db.selectFrom("rounds").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toRound(row) : null;
}

export async function listRounds(db: Kysely<Database>): Promise<Round[]> {
  const rows = await db.selectFrom("rounds").selectAll().orderBy("created_at", "desc").orderBy("id").execute();
  return rows.map(toRound);
}

export async function setRoundStatus(db: Kysely<Database>, id: string, status: RoundStatus): Promise<void> {
  await db.updateTable("rounds").set({ status }).where("id", "=", id).execute();
}

export async function setTargets(db: Kysely<Database>, roundId: string, targets: Array<{ unitKey: string; group: string; target: number }>): Promise<void> {
  for (const t of targets) {
    await db
      .insertInto("round_targets")
      .values({ round_id: roundId, unit_key: t.unitKey, group_code: t.group, target: t.target })
      .onConflict((oc) => oc.columns(["round_id", "unit_key", "group_code"]).doUpdateSet({ target: t.target }))
      .execute();
  }
}
