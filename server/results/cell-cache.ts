/**
 * Each response cell's rollups (unit × group: question × code → n, Σw, Σw²), kept in memory by the
 * process between requests, per database handle and round. Responses are stored once and never
 * change or go away, so a cell's rollups change only when its cell_totals row does: a cell whose
 * (n, Σw, Σw²) is what it was when its rollups were read keeps them, and only changed cells are read
 * again (docs/statistics.md §8). Breakdowns add cells up in memory instead of grouping rollups in SQL,
 * and the standard errors derive each cell's leaf sums from the same tallies, once per cell.
 */
import type { Kysely } from "kysely";
import type { Database } from "../db/types.js";
import type { Cell } from "./counts.js";

/** One cell's tallies: ids into the round's dictionary of (question, code), with n, Σw and Σw² of each. */
export interface CellTallies {
  /** The cell's totals when its rollups were read. */
  n: number;
  /** The questions read (sorted, joined), or null for all of them. */
  questions: string | null;
  w: number;
  w2: number;
  ids: Int32Array;
  tn: Float64Array;
  tw: Float64Array;
  tw2: Float64Array;
}

/** The (question, code) pairs seen in a round's rollups, numbered in the order first read. */
export interface CodeDictionary {
  questions: string[];
  codes: string[];
  ids: Map<string, number>;
}

interface RoundEntry {
  dictionary: CodeDictionary;
  cells: Map<string, CellTallies>;
}

// Keyed on the database handle: two applications on different databases never share an entry, and
// an entry goes with its handle.
const rounds = new WeakMap<object, Map<string, RoundEntry>>();

function roundEntry(db: Kysely<Database>, roundId: string): RoundEntry {
  let byRound = rounds.get(db);
  if (!byRound) rounds.set(db, (byRound = new Map()));
  let entry = byRound.get(roundId);
  if (!entry) byRound.set(roundId, (entry = { dictionary: { questions: [], codes: [], ids: new Map() }, cells: new Map() }));
  return entry;
}

export const cellKey = (unit: string, group: string) => `${unit}\u0000${group}`;

const BATCH = 400;

/**
 * The tallies of the given cells, reading the rollups of those that changed since they were last
 * read. `whole` says the cells are every cell of the round (of `whole.group` when given): the stale
 * ones are then read in one pass over the round, else in batches of their units.
 */
export async function cellTallies(
  db: Kysely<Database>,
  roundId: string,
  cells: readonly Cell[],
  whole: { group: string | null } | null,
  questions: readonly string[] | null = null,
): Promise<{ dictionary: CodeDictionary; tallies: CellTallies[] }> {
  const entry = roundEntry(db, roundId);
  // A cell read for all questions serves any request; one read for some serves only those.
  const only = questions ? [...new Set(questions)].sort() : null;
  const key = only ? only.join("\u0000") : null;
  const stale = cells.filter((c) => {
    const hit = entry.cells.get(cellKey(c.unit, c.group));
    return !hit || hit.n !== c.n || hit.w !== c.w || hit.w2 !== c.w2 || (hit.questions !== null && hit.questions !== key);
  });
  if (stale.length) await readCells(db, roundId, entry, stale, stale.length === cells.length ? whole : null, only);
  return { dictionary: entry.dictionary, tallies: cells.map((c) => entry.cells.get(cellKey(c.unit, c.group))!) };
}

async function readCells(
  db: Kysely<Database>,
  roundId: string,
  entry: RoundEntry,
  stale: readonly Cell[],
  whole: { group: string | null } | null,
  only: string[] | null,
): Promise<void> {
  const questions = only ? only.join("\u0000") : null;
  const wanted = new Map(stale.map((c) => [cellKey(c.unit, c.group), c]));
  const batches: Array<string[] | null> = [];
  if (whole) batches.push(null);
  else {
    const units = [...new Set(stale.map((c) => c.unit))];
    for (let i = 0; i < units.length; i += BATCH) batches.push(units.slice(i, i + BATCH));
  }
  const { dictionary } = entry;
  const idOf = (question: string, code: string) => {
    const key = `${question}\u0000${code}`;
    let id = dictionary.ids.get(key);
    if (id === undefined) {
      id = dictionary.questions.length;
      dictionary.ids.set(key, id);
      dictionary.questions.push(question);
      dictionary.codes.push(code);
    }
    return id;
  };
  // Rows come in primary-key order, a cell's rows together: each cell is built in one stretch.
  let current: Cell | undefined;
  let unit = "";
  let group = "";
  let ids: number[] = [];
  let tn: number[] = [];
  let tw: number[] = [];
  let tw2: number[] = [];
  const finish = () => {
    if (current) {
      entry.cells.set(cellKey(current.unit, current.group), {
        questions,
        n: current.n,
        w: current.w,
        w2: current.w2,
        ids: Int32Array.from(ids),
        tn: Float64Array.from(tn),
        tw: Float64Array.from(tw),
        tw2: Float64Array.from(tw2),
      });
      wanted.delete(cellKey(current.unit, current.group));
    }
    ids = [];
    tn = [];
    tw = [];
    tw2 = [];
  };
  for (const batch of batches) {
    let query = db
      .selectFrom("rollups")
      .select(["unit_key", "group_code", "question_id", "code", "n", "w", "w2"])
      .where("round_id", "=", roundId)
      .orderBy("unit_key")
      .orderBy("group_code");
    if (whole?.group) query = query.where("group_code", "=", whole.group);
    if (only) query = query.where("question_id", "in", only);
    if (batch) query = query.where("unit_key", "in", batch);
    for (const r of await query.execute()) {
      if (r.unit_key !== unit || r.group_code !== group) {
        finish();
        unit = r.unit_key;
        group = r.group_code;
        current = wanted.get(cellKey(unit, group));
      }
      if (!current) continue;
      ids.push(idOf(r.question_id, r.code));
      tn.push(Number(r.n));
      tw.push(Number(r.w));
      tw2.push(Number(r.w2));
    }
    finish();
    current = undefined;
    unit = "";
    group = "";
  }
  // Cells whose rollups hold no coded answer at all.
  for (const c of wanted.values()) {
    const none = new Float64Array(0);
    entry.cells.set(cellKey(c.unit, c.group), { questions, n: c.n, w: c.w, w2: c.w2, ids: new Int32Array(0), tn: none, tw: none, tw2: none });
  }
}
