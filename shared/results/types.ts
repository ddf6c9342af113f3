/**
 * Shapes of the results API (index trees, breakdowns, ranks, comparisons, targets, progress), shared
 * by the server that builds them and the dashboard that reads them. Types only: no runtime code.
 */
import type { Text } from "../i18n.js";
import type { NodeResult, DerivedResult } from "../scoring/engine.js";
import type { Change, RankRange, Uncertainty } from "../api/design.js";
import type { TargetStatus } from "../statistics/compare.js";

export type Display = "percent" | "points";
export type Measure = Display;

export interface UnitRef {
  key: string;
  code: string;
  name: string;
  fullName: string;
  level: string;
}

/**
 * A node of a scored tree as the API returns it: the engine's result plus what analysts read beside it,
 * with its uncertainty under the round's sampling design (shared/api/design.ts; absent when suppressed).
 */
export interface ResultNode extends Omit<NodeResult, "children">, Partial<Uncertainty> {
  /** The value in the index's display measure (percent for SIPAS, points for PAPI and the leader survey). */
  value: number | null;
  /** Rank of this unit (or group) among the rows of the breakdown, or among all units at its level. */
  rank?: number | null;
  /** How many rows had a value at this node (the "/63" of "33/63"). */
  of?: number;
  /** Year on year: the node of the earlier edition this node was matched to (null: none). */
  counterpart?: string | null;
  previous?: { value: number | null; percent: number | null; points: number | null; rank: number | null } | null;
  delta?: { value: number | null; rank: number | null } | null;
  /** Year on year: the change with its SE and 95% interval (null: either value has no SE). */
  change?: Change | null;
  /** The ranks consistent with the rows' 95% intervals ("19/40" reads "between 12 and 27"). */
  rankRange?: RankRange | null;
  /** The value target for this node, when one applies (absolute or rule-based); status at 95%. */
  target?: { value: number; measure: Measure; gap: number | null; flags: TargetFlag[]; status?: TargetStatus | null } | null;
  children?: ResultNode[];
}

export interface ScoredCell {
  responses: number;
  weightedResponses: number;
  /** Fewer responses than the round's minimum cell size: no value is shown. */
  suppressed: boolean;
  root: ResultNode;
  derived: Array<DerivedResult & Partial<Uncertainty>>;
}

export interface BreakdownRow extends ScoredCell {
  unit: UnitRef | null;
  group: string | null;
}

export interface MappingReport {
  /** The registry the results are shown in, and the round's own. */
  registry: string;
  from: string;
  /** Units of the round's registry that cannot be allocated to one unit at the requested level. */
  partial: Array<{ unit: UnitRef | { key: string }; responses: number; candidates: string[] }>;
  /** Units with responses that have no counterpart at the requested level. */
  unmapped: Array<{ unit: UnitRef | { key: string }; responses: number }>;
}

export interface ComparisonInfo {
  round: string;
  index: string;
  title: Text;
  /** Nodes of the earlier edition no current node continues. */
  removed: Array<{ code: string; label: Text; value: number | null }>;
  /** Nodes of the current edition with no counterpart. */
  added: string[];
  mapping: MappingReport | null;
}

export interface ResultsResponse extends ScoredCell {
  round: string;
  index: string;
  variant: string;
  display: Display;
  decimals: number;
  registry: string;
  unit: UnitRef | null;
  group: string | null;
  by: string | null;
  minCellSize: number;
  mapping: MappingReport;
  compare: ComparisonInfo | null;
  performanceGroups: Text[] | null;
  rows?: BreakdownRow[];
}

export interface RankingRow {
  unit: UnitRef;
  responses: number;
  suppressed: boolean;
  value: number | null;
  percent: number | null;
  points: number | null;
  rank: number | null;
  of: number;
  peerRank?: number | null;
  peerOf?: number;
  performanceGroup: { index: number; label: Text } | null;
  previous?: { value: number | null; rank: number | null } | null;
  delta?: { value: number | null; rank: number | null } | null;
  /** The node's uncertainty, its rank range and its change (as on the tree's nodes). */
  se?: number | null;
  ci?: Uncertainty["ci"];
  unreliable?: boolean;
  rankRange?: RankRange | null;
  change?: Change | null;
}

export interface RankingResponse {
  round: string;
  registry: string;
  level: string;
  group: string | null;
  display: Display;
  decimals: number;
  node: { code: string; label: Text; max: number | null };
  minCellSize: number;
  peers: { id: string; label: Text; members: number } | null;
  performanceGroups: { labels: Text[]; cuts: number[] } | null;
  compare: string | null;
  rows: RankingRow[];
  mapping: MappingReport;
}

export type TargetFlag = "below_current" | "above_max" | "no_value" | "no_base";

export interface TargetResult {
  /** Position of the target in the stored list. */
  target: number;
  kind: "value" | "rank" | "performanceGroup" | "rule";
  node: string;
  label: Text;
  unit: string | null;
  group: string | null;
  measure: Measure | "rank" | "group";
  goal: number | null;
  goalLabel?: Text;
  current: number | null;
  currentLabel?: Text;
  /** Value: goal − current (what is left to gain). Rank and group: current − goal (places to climb). */
  gap: number | null;
  met: boolean | null;
  flags: TargetFlag[];
}

export interface WeakRow {
  code: string;
  label: Text;
  short?: Text;
  level: string;
  max: number | null;
  value: number | null;
  percent: number | null;
  points: number | null;
  /** Distance to the maximum in the display measure (100 − percent, or max − points). */
  gapToMax: number | null;
  target: number | null;
  gapToTarget: number | null;
}

export interface ProgressResponse {
  round: string;
  level: string;
  total: { responses: number; target: number | null };
  byUnit: Array<{ unit: UnitRef; responses: number; target: number | null }>;
  byGroup: Array<{ group: string; label: Text; responses: number; target: number | null }>;
  byDay: Array<{ day: string; responses: number }>;
  byChannel: Array<{ channel: string; responses: number }>;
}
