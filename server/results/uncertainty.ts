/**
 * Standard errors, 95% intervals, design effects and effective n on every node of the scored trees
 * of a results query (the filter cell and each breakdown row), under the round's sampling design.
 * Computed from rollups: per response unit × group × question × code tallies, summed per PSU, are
 * the per-PSU sums shared/statistics linearises (docs/statistics.md §6). Reliability flags follow
 * the design's thresholds (NCHS standard for proportions by default).
 */
import type { Kysely } from "kysely";
import type { AppContext } from "../app-context.js";
import type { Database } from "../db/types.js";
import type { IndexDefinition } from "../../shared/index-model/schema.js";
import type { NodeResult, ScoreResult } from "../../shared/scoring/engine.js";
import { leafScoreTables, leaves as leafNodes } from "../../shared/scoring/leaves.js";
import {
  LonelyPsuError,
  addRespondentMoments,
  emptyCrossMoments,
  emptyItemSums,
  treeStatistics,
  type CrossMoments,
  type NodeStatistics,
  type PsuSums,
  type VarianceDesign,
} from "../../shared/statistics/index.js";
import type { Reliability, Uncertainty, UnreliableReason } from "../../shared/api/design.js";
import type { BreakdownRow, ResultNode, ScoredCell } from "../../shared/results/types.js";
import { walk } from "../../shared/results/tree.js";
import { roundCells, type Cell } from "./counts.js";
import { cellKey, cellTallies, type CellTallies } from "./cell-cache.js";
import { loadDesign, placer, varianceDesign, type Placement } from "./design.js";
import type { ResultsQuery, RoundEdition } from "./service.js";

/** Per cell (unit × group): the response totals and each leaf's sums (5 per leaf, in the index's leaf order). */
interface CellSums {
  cell: Cell;
  place: Placement;
  items: Float64Array;
}

/** What a process keeps per round between requests for composite design effects: the respondents' leaf scores. */
interface RoundCache {
  tables: object;
  people: { stamp: string; list: Respondent[] } | null;
}

// Keyed on the database handle, as the cells' tallies are (cell-cache.ts).
const caches = new WeakMap<object, Map<string, RoundCache>>();

function roundCache(db: object, roundId: string, tables: object): RoundCache {
  let byRound = caches.get(db);
  if (!byRound) caches.set(db, (byRound = new Map()));
  let cache = byRound.get(roundId);
  if (!cache || cache.tables !== tables) byRound.set(roundId, (cache = { tables, people: null }));
  return cache;
}

const FIELDS = 5;

// Each cell's leaf sums, derived once from its tallies (a changed cell gets new tallies, so a new entry).
const leafSumsOfCell = new WeakMap<CellTallies, { tables: object; items: Float64Array }>();

/** Leaf sums of the given cells (n, Σw, Σw², Σw·s, Σw·s² per leaf), from their tallies. */
async function leafSums(
  db: Kysely<Database>,
  roundId: string,
  cells: readonly Cell[],
  whole: { group: string | null } | null,
  leafCodes: readonly string[],
  tables: ReturnType<typeof leafScoreTables>,
): Promise<Float64Array[]> {
  // Only the leaves' questions: a whole-tree request of a new process reads two thirds of the rows.
  const questions = leafCodes.map((code) => tables.get(code)!.question);
  const { dictionary, tallies } = await cellTallies(db, roundId, cells, whole, questions);
  // Per (question, code) of the round: the leaves it scores on, and its score there.
  const byQuestion = new Map<string, Array<[number, ReadonlyMap<string, number>]>>();
  leafCodes.forEach((code, k) => {
    const t = tables.get(code)!;
    let list = byQuestion.get(t.question);
    if (!list) byQuestion.set(t.question, (list = []));
    list.push([k, t.scores]);
  });
  const contributions: Array<Array<[number, number]> | null> = dictionary.questions.map((question, id) => {
    const out: Array<[number, number]> = [];
    for (const [k, scores] of byQuestion.get(question) ?? []) {
      const s = scores.get(dictionary.codes[id]!);
      if (s !== undefined) out.push([k * FIELDS, s]);
    }
    return out.length ? out : null;
  });
  return tallies.map((t) => {
    const hit = leafSumsOfCell.get(t);
    if (hit && hit.tables === tables) return hit.items;
    const items = new Float64Array(leafCodes.length * FIELDS);
    for (let j = 0; j < t.ids.length; j++) {
      const list = contributions[t.ids[j]!];
      if (!list) continue;
      const n = t.tn[j]!;
      const w = t.tw[j]!;
      const w2 = t.tw2[j]!;
      for (const [at, s] of list) {
        items[at] = items[at]! + n;
        items[at + 1] = items[at + 1]! + w;
        items[at + 2] = items[at + 2]! + w2;
        items[at + 3] = items[at + 3]! + w * s;
        items[at + 4] = items[at + 4]! + w * s * s;
      }
    }
    leafSumsOfCell.set(t, { tables, items });
    return items;
  });
}

/**
 * Above this many respondents in the round, composites get no design effect: its SRS variance
 * needs respondent-level cross products of the items, which no rollup holds (docs/statistics.md §6),
 * so they are read from the stored answers only while that stays cheap.
 */
export const MOMENTS_LIMIT = 2_000;

interface Respondent {
  cell: string;
  weight: number;
  /** Score per leaf in the index's leaf order (null: no valid answer). */
  scores: Array<number | null>;
}

/**
 * Every respondent of a small round with its leaf scores, from the stored answers (single codes, as
 * the rollups count them); kept while the round's cell totals are unchanged.
 */
async function respondentScores(
  db: Kysely<Database>,
  roundId: string,
  stamp: string,
  leafCodes: readonly string[],
  tables: ReturnType<typeof leafScoreTables>,
): Promise<Respondent[]> {
  const cache = roundCache(db, roundId, tables);
  if (cache.people?.stamp === stamp) return cache.people.list;
  const byQuestion = new Map<string, number[]>();
  leafCodes.forEach((code, k) => {
    const q = tables.get(code)!.question;
    byQuestion.set(q, [...(byQuestion.get(q) ?? []), k]);
  });
  const rows = await db
    .selectFrom("responses")
    .innerJoin("answers", "answers.response_id", "responses.id")
    .select([
      "responses.id as id",
      "responses.unit_key as unit",
      "responses.group_code as grp",
      "responses.weight as weight",
      "answers.question_id as question",
      "answers.code as code",
    ])
    .where("responses.round_id", "=", roundId)
    .where("answers.question_id", "in", [...byQuestion.keys()])
    .where("answers.seq", "=", 0)
    .execute();
  const out = new Map<string, Respondent>();
  for (const r of rows) {
    if (r.code === null) continue;
    let resp = out.get(r.id);
    if (!resp) out.set(r.id, (resp = { cell: cellKey(r.unit, r.grp), weight: r.weight === null ? 1 : Number(r.weight), scores: leafCodes.map(() => null) }));
    for (const k of byQuestion.get(r.question) ?? []) {
      const score = tables.get(leafCodes[k]!)!.scores.get(r.code);
      if (score !== undefined) resp.scores[k] = score;
    }
  }
  const list = [...out.values()];
  cache.people = { stamp, list };
  return list;
}

/** The domain's cross moments in its own leaf order. */
function domainMoments(respondents: readonly Respondent[], cells: ReadonlySet<string>, order: readonly string[], leafCodes: readonly string[]): CrossMoments {
  const position = new Map(leafCodes.map((c, k) => [c, k]));
  const take = order.map((c) => position.get(c)!);
  const m = emptyCrossMoments(order.length);
  for (const r of respondents)
    if (cells.has(r.cell))
      addRespondentMoments(
        m,
        take.map((k) => r.scores[k] ?? null),
        r.weight,
      );
  return m;
}

/** The domain's records: its cells summed per (stratum, PSU), items in the order given. */
export function domainRecords(cells: readonly CellSums[], order: readonly string[], leafCodes: readonly string[]): PsuSums[] {
  const position = new Map(leafCodes.map((c, k) => [c, k]));
  const take = order.map((c) => position.get(c)! * FIELDS);
  const byPsu = new Map<string, PsuSums>();
  for (const c of cells) {
    const key = `${c.place.stratum}\u0000${c.place.psu}`;
    let rec = byPsu.get(key);
    if (!rec) {
      rec = { stratum: c.place.stratum, psu: c.place.psu, n: 0, w: 0, w2: 0, items: order.map(emptyItemSums) };
      byPsu.set(key, rec);
    }
    rec.n += c.cell.n;
    rec.w += c.cell.w;
    rec.w2 += c.cell.w2;
    for (let k = 0; k < take.length; k++) {
      const at = take[k]!;
      const t = rec.items[k]!;
      t.n += c.items[at]!;
      t.w += c.items[at + 1]!;
      t.w2 += c.items[at + 2]!;
      t.y += c.items[at + 3]!;
      t.yy += c.items[at + 4]!;
    }
  }
  return [...byPsu.values()];
}

/** Leaf codes in the order treeStatistics reads them (the scored tree's leaves, left to right). */
function leafOrder(root: ResultNode): string[] {
  const out: string[] = [];
  walk(root, (n) => {
    if (!n.children) out.push(n.code);
  });
  return out;
}

/**
 * The reliability flags of one value. Widths are judged on the 0–100 scale: `ci` must be given on it,
 * or as null-width (`widths: false`) for a value without a maximum, where only n and df are judged.
 */
export function reliabilityOf(
  estimate: number,
  se: number | null,
  ci: { lo: number; hi: number } | null,
  nEff: number | null,
  df: number | null,
  t: Reliability,
  widths = true,
): UnreliableReason[] {
  const reasons: UnreliableReason[] = [];
  if (se === null || ci === null) return ["no_variance"];
  if (nEff !== null && nEff < t.minEffectiveN) reasons.push("effective_n");
  const width = ci.hi - ci.lo;
  if (widths && width >= t.maxWidth) reasons.push("width");
  else if (widths && width > t.minWidthForRelative && estimate > 0 && width / estimate > t.maxRelativeWidth) reasons.push("relative_width");
  if (df !== null && df < t.minDf) reasons.push("df");
  return reasons;
}

const NONE: Omit<Uncertainty, "n"> = { se: null, ci: null, df: null, deff: null, nEff: null, nEffKish: null, unreliable: true, reasons: ["no_variance"] };

/** A node's uncertainty in its own measure (factor: percent → that measure) with flags judged on the percent scale. */
function toUncertainty(s: NodeStatistics, factor: number, toPercent: number | null, t: Reliability): Uncertainty {
  const f = toPercent ?? 1;
  // As the NCHS standard does, a design effect below 1 earns no more than the actual n: a sample
  // whose clusters happen to agree (variance near 0) must not read as thousands of respondents.
  const nEff = s.nEff === null ? null : Math.min(s.nEff, s.n);
  const reasons = reliabilityOf(s.estimate * f, s.se, s.ci && { lo: s.ci.lo * f, hi: s.ci.hi * f }, nEff, s.ci?.df ?? null, t, toPercent !== null);
  return {
    n: s.n,
    se: s.se * factor,
    ci: s.ci ? { lo: s.ci.lo * factor, hi: s.ci.hi * factor, method: s.ci.method } : null,
    df: s.ci?.df ?? null,
    deff: s.deff,
    nEff,
    nEffKish: s.nEffKish,
    unreliable: reasons.length > 0,
    reasons,
  };
}

/** Attaches each node's statistics (percent ones, rescaled to points where the index shows points). */
function attach(
  index: IndexDefinition,
  cell: ScoredCell,
  stats: NodeStatistics[] | null,
  respondents: number,
  valid: Map<string, number>,
  t: Reliability,
): void {
  const percent = new Map<string, NodeStatistics>();
  const derived = new Map<string, NodeStatistics>();
  for (const s of stats ?? []) (s.of === "derived" ? derived : percent).set(s.code, s);
  walk(cell.root, (node) => {
    const s = percent.get(node.code);
    const usePoints = index.display === "points" && node.max !== null;
    const n = node.children ? respondents : (valid.get(node.code) ?? 0);
    if (!s || node.value === null) {
      Object.assign(node, { n, ...NONE });
      return;
    }
    Object.assign(node, toUncertainty(s, usePoints ? node.max! / 100 : 1, 1, t));
  });
  cell.derived = cell.derived.map((d) => {
    const s = derived.get(d.code);
    if (!s || d.value === null) return { ...d, n: respondents, ...NONE };
    return { ...d, ...toUncertainty(s, 1, d.max ? 100 / d.max : null, t) };
  });
}

export interface UncertaintyInput {
  /** The filter cell's cells (as computeResults selected them). */
  cells: readonly Cell[];
  q: ResultsQuery;
}

/**
 * Puts se, ci, deff, nEff, n and the reliability flags on every node of the total and of each row
 * (suppressed cells keep none). The design-wide part (PSUs per stratum) comes from all the round's
 * cells; each domain's records are its cells summed per PSU.
 */
export async function attachUncertainty(ctx: AppContext, re: RoundEdition, input: UncertaintyInput, total: ScoredCell, rows: BreakdownRow[]): Promise<void> {
  const { q } = input;
  const db = ctx.db.kysely;
  const rd = await loadDesign(db, re.round, re.instrument.unitLevel);
  const place = placer(ctx, rd);
  const everyCell = await roundCells(db, re.round.id);
  for (const c of everyCell) if (!ctx.units.getCached(c.unit)) await ctx.units.get(c.unit);
  const design: VarianceDesign = varianceDesign(rd, everyCell, place);
  const tables = leafScoreTables(re.index, re.instrument);
  const leafCodes = leafNodes(re.index.root).map((l) => l.code);
  const placed = input.cells.filter((c) => c.n > 0 && place(c.unit));
  // Every cell of the round (of the group): read in one pass when the process has none of them yet.
  const whole = placed.length === everyCell.filter((c) => c.n > 0 && (!q.group || c.group === q.group)).length ? { group: q.group } : null;
  const byCell = await leafSums(db, re.round.id, placed, whole, leafCodes, tables);
  const sums: CellSums[] = placed.map((cell, i) => ({ cell, place: place(cell.unit)!, items: byCell[i]! }));

  // Composite design effects: from the stored answers while the round is small (invitation rounds: never).
  const roundSize = everyCell.reduce((s, c) => s + c.n, 0);
  const small = roundSize <= MOMENTS_LIMIT && !re.round.modes.includes("invitation");
  const stamp = () =>
    everyCell
      .map((c) => `${cellKey(c.unit, c.group)}:${c.n}:${c.w}:${c.w2}`)
      .sort()
      .join("|");
  const people = small ? await respondentScores(db, re.round.id, stamp(), leafCodes, tables) : null;

  const variant = q.variant ?? re.index.defaultVariant ?? "default";
  const score = (cell: ScoredCell, domain: CellSums[], group: string | null) => {
    if (cell.suppressed) return;
    const order = leafOrder(cell.root);
    const records = domainRecords(domain, order, leafCodes);
    const moments = people ? domainMoments(people, new Set(domain.map((c) => cellKey(c.cell.unit, c.cell.group))), order, leafCodes) : undefined;
    const valid = new Map<string, number>();
    order.forEach((code, k) =>
      valid.set(
        code,
        records.reduce((s, r) => s + r.items[k]!.n, 0),
      ),
    );
    const respondents = records.reduce((s, r) => s + r.n, 0);
    const result = {
      index: re.index.id,
      variant,
      group,
      responses: cell.responses,
      weightedResponses: cell.weightedResponses,
      root: cell.root as unknown as NodeResult,
      nodes: new Map(),
      derived: cell.derived,
    } satisfies ScoreResult;
    let stats: NodeStatistics[] | null = null;
    try {
      stats = records.length ? treeStatistics(re.index, result, records, design, { deff: "replace" }, moments) : null;
    } catch (e) {
      // A stratum with one PSU under the "fail" rule: no variance, said on every node.
      if (!(e instanceof LonelyPsuError)) throw e;
    }
    attach(re.index, cell, stats, respondents, valid, rd.design.reliability);
  };

  score(total, sums, q.group);
  if (!q.by || rows.length === 0) return;
  const byRow = new Map<string, CellSums[]>();
  for (const s of sums) {
    let key: string | null;
    if (q.by === "group") key = s.cell.group;
    else {
      const m = q.space.map(s.cell.unit, q.by);
      key = m.status === "mapped" ? m.key : null;
    }
    if (key === null) continue;
    let list = byRow.get(key);
    if (!list) byRow.set(key, (list = []));
    list.push(s);
  }
  for (const row of rows) score(row, byRow.get(q.by === "group" ? (row.group ?? "") : (row.unit?.key ?? "")) ?? [], q.by === "group" ? row.group : q.group);
}
