/**
 * Reading rollups back as scoring counts for any set of cells (unit subtree × respondent group), and
 * for a whole breakdown at once: every cell is assigned to its row in memory and its rollups are
 * added there (a breakdown by unit from the tallies the process keeps per cell, cell-cache.ts).
 */
import type { Kysely } from "kysely";
import type { Database } from "../db/types.js";
import { emptyCounts, type AnswerCounts } from "../../shared/scoring/counts.js";
import { cellTallies } from "./cell-cache.js";

export interface Cell {
  unit: string;
  group: string;
  n: number;
  w: number;
  w2: number;
}

/** The distinct cells (unit, group) with responses in a round, with their totals. */
export async function roundCells(db: Kysely<Database>, roundId: string, group?: string | null): Promise<Cell[]> {
  let query = db.selectFrom("cell_totals").selectAll().where("round_id", "=", roundId);
  if (group) query = query.where("group_code", "=", group);
  const rows = await query.execute();
  return rows.map((r) => ({ unit: r.unit_key, group: r.group_code, n: Number(r.n), w: Number(r.w), w2: Number(r.w2) }));
}

export interface AggregateOptions {
  group: string | null;
  /** True when `cells` are all the round's cells (of the group): no unit list is sent to the database. */
  all: boolean;
  /** The row a cell belongs to, or null (in the total only). Must depend on the unit only, or on the group only. */
  rowOf: (cell: Cell) => string | null;
  /** Rows are respondent groups (rowOf reads the group) rather than units. */
  byGroup?: boolean;
}

const BATCH = 400;

/** Counts of the cells in total and per row, from rollups read in batches of units. */
export async function aggregateCells(
  db: Kysely<Database>,
  roundId: string,
  cells: readonly Cell[],
  options: AggregateOptions,
): Promise<{ total: AnswerCounts; rows: Map<string, AnswerCounts> }> {
  const total = emptyCounts();
  const rows = new Map<string, AnswerCounts>();
  const rowCounts = (key: string) => {
    let c = rows.get(key);
    if (!c) rows.set(key, (c = emptyCounts()));
    return c;
  };
  const unitRow = new Map<string, string | null>();
  for (const cell of cells) {
    add(total.responses, cell.n, cell.w, cell.w2);
    const row = options.rowOf(cell);
    if (row !== null) add(rowCounts(row).responses, cell.n, cell.w, cell.w2);
    if (!options.byGroup) unitRow.set(cell.unit, row);
  }
  if (cells.length === 0) return { total, rows };

  const perUnit = !options.byGroup && [...unitRow.values()].some((row) => row !== null);
  const units = [...new Set(cells.map((c) => c.unit))];
  const batches = options.all ? [null] : chunk(units, BATCH);
  // The whole round (or one group, or a row per group): the round-level rollups hold the sums.
  if (options.all && !perUnit) {
    let query = db
      .selectFrom("round_rollups")
      .select(["question_id", "code", "group_code"])
      .select((eb) => [eb.fn.sum<number>("n").as("n"), eb.fn.sum<number>("w").as("w"), eb.fn.sum<number>("w2").as("w2")])
      .where("round_id", "=", roundId)
      .groupBy(["question_id", "code", "group_code"]);
    if (options.group) query = query.where("group_code", "=", options.group);
    for (const r of await query.execute()) {
      const [n, w, w2] = [Number(r.n), Number(r.w), Number(r.w2)];
      addCode(total, r.question_id, r.code, n, w, w2);
      const row = options.byGroup ? options.rowOf({ unit: "", group: r.group_code, n: 0, w: 0, w2: 0 }) : null;
      if (row !== null) addCode(rowCounts(row), r.question_id, r.code, n, w, w2);
    }
    return { total, rows };
  }
  // A breakdown by unit adds up each cell's tallies, kept in memory while the cell is unchanged
  // (cell-cache.ts), instead of grouping every rollup row by unit in SQL on each request.
  if (perUnit) {
    const { dictionary, tallies } = await cellTallies(db, roundId, cells, options.all ? { group: options.group } : null);
    const size = dictionary.questions.length;
    const totalSums = new Float64Array(size * 3);
    const rowSums = new Map<string, Float64Array>();
    cells.forEach((cell, i) => {
      const t = tallies[i]!;
      const row = unitRow.get(cell.unit) ?? null;
      let sums: Float64Array | undefined;
      if (row !== null) {
        sums = rowSums.get(row);
        if (!sums) rowSums.set(row, (sums = new Float64Array(size * 3)));
      }
      for (let j = 0; j < t.ids.length; j++) {
        const at = t.ids[j]! * 3;
        totalSums[at] = totalSums[at]! + t.tn[j]!;
        totalSums[at + 1] = totalSums[at + 1]! + t.tw[j]!;
        totalSums[at + 2] = totalSums[at + 2]! + t.tw2[j]!;
        if (sums) {
          sums[at] = sums[at]! + t.tn[j]!;
          sums[at + 1] = sums[at + 1]! + t.tw[j]!;
          sums[at + 2] = sums[at + 2]! + t.tw2[j]!;
        }
      }
    });
    const addAll = (counts: AnswerCounts, sums: Float64Array) => {
      for (let id = 0; id < size; id++)
        if (sums[id * 3]! > 0) addCode(counts, dictionary.questions[id]!, dictionary.codes[id]!, sums[id * 3]!, sums[id * 3 + 1]!, sums[id * 3 + 2]!);
    };
    addAll(total, totalSums);
    for (const [row, sums] of rowSums) addAll(rowCounts(row), sums);
    return { total, rows };
  }
  for (const batch of batches) {
    let query = db
      .selectFrom("rollups")
      .select(["question_id", "code"])
      .select((eb) => [eb.fn.sum<number>("n").as("n"), eb.fn.sum<number>("w").as("w"), eb.fn.sum<number>("w2").as("w2")])
      .where("round_id", "=", roundId)
      .groupBy(["question_id", "code"]);
    if (options.group) query = query.where("group_code", "=", options.group);
    if (batch) query = query.where("unit_key", "in", batch);
    if (options.byGroup) query = query.select("group_code").groupBy("group_code");
    const result = (await query.execute()) as Array<{
      question_id: string;
      code: string;
      n: number;
      w: number;
      w2: number;
      group_code?: string;
    }>;
    for (const r of result) {
      const n = Number(r.n);
      const w = Number(r.w);
      const w2 = Number(r.w2);
      addCode(total, r.question_id, r.code, n, w, w2);
      let row: string | null = null;
      if (options.byGroup) row = options.rowOf({ unit: "", group: r.group_code!, n: 0, w: 0, w2: 0 });
      if (row !== null) addCode(rowCounts(row), r.question_id, r.code, n, w, w2);
    }
  }
  return { total, rows };
}

function add(t: { n: number; w: number; w2: number }, n: number, w: number, w2: number): void {
  t.n += n;
  t.w += w;
  t.w2 += w2;
}

function addCode(counts: AnswerCounts, question: string, code: string, n: number, w: number, w2: number): void {
  const byCode = (counts.questions[question] ??= {});
  add((byCode[code] ??= { n: 0, w: 0, w2: 0 }), n, w, w2);
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
