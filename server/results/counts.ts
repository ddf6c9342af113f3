/** Reading rollups back as scoring counts, for any set of cells (unit subtree × respondent group). */
import type { Kysely } from "kysely";
import type { Database } from "../db/types.js";
import { emptyCounts, type AnswerCounts } from "../../shared/scoring/counts.js";
import type { UnitDirectory } from "../units/directory.js";

export interface CellFilter {
  /** Only cells whose unit is this unit or under it. */
  unit?: string | null;
  group?: string | null;
}

/** The distinct cells (unit, group) with responses in a round, with their totals. */
export async function roundCells(db: Kysely<Database>, roundId: string) {
  return db.selectFrom("cell_totals").selectAll().where("round_id", "=", roundId).execute();
}

/**
 * Sums rollups of the cells that pass the filter. The unit filter is resolved in memory against
 * the unit directory (cells are few: one per village × group), then rollups are read for those cells.
 */
export async function countsFor(db: Kysely<Database>, units: UnitDirectory, roundId: string, filter: CellFilter): Promise<AnswerCounts> {
  const cells = (await roundCells(db, roundId)).filter(
    (cell) => (!filter.group || cell.group_code === filter.group) && (!filter.unit || units.isWithin(cell.unit_key, filter.unit)),
  );
  const counts = emptyCounts();
  if (cells.length === 0) return counts;
  for (const cell of cells) {
    counts.responses.n += Number(cell.n);
    counts.responses.w += cell.w;
    counts.responses.w2 += cell.w2;
  }
  const allCells = !filter.unit && !filter.group;
  let query = db
    .selectFrom("rollups")
    .select(["question_id", "code"])
    .select((eb) => [eb.fn.sum<number>("n").as("n"), eb.fn.sum<number>("w").as("w"), eb.fn.sum<number>("w2").as("w2")])
    .where("round_id", "=", roundId)
    .groupBy(["question_id", "code"]);
  if (!allCells) {
    if (filter.group) query = query.where("group_code", "=", filter.group);
    if (filter.unit) {
      const keys = [...new Set(cells.map((c) => c.unit_key))];
      query = query.where("unit_key", "in", keys);
    }
  }
  for (const row of await query.execute()) {
    (counts.questions[row.question_id] ??= {})[row.code] = { n: Number(row.n), w: Number(row.w), w2: Number(row.w2) };
  }
  return counts;
}
