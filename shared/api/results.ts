/**
 * Replies of the results API as schemas: index trees, breakdowns, rankings, weakest criteria,
 * targets, collection progress, peer groups and the sampling design. The types the server builds
 * and the dashboard reads (shared/results/types.ts) are these schemas' types: a renamed field fails
 * both (test/shared/contract.test.ts).
 */
import { z } from "zod";
import { TextSchema } from "../i18n.js";
import { ChangeSchema, RankRangeSchema, UncertaintySchema } from "./design.js";
import { TargetSchema } from "../results/schemas.js";

const Display = z.enum(["percent", "points"]);
const nullableNumber = z.number().nullable();

export const UnitRefSchema = z.object({ key: z.string(), code: z.string(), name: z.string(), fullName: z.string(), level: z.string() });

export const TargetFlagSchema = z.enum(["below_current", "above_max", "no_value", "no_base"]);
const RescaleRange = z.object({ min: z.number(), max: z.number() });

/** The scoring engine's part of a node (shared/scoring/engine.ts, NodeResult), without its children. */
const NodeFields = {
  code: z.string(),
  level: z.string(),
  label: TextSchema,
  short: TextSchema.optional(),
  max: nullableNumber,
  percent: nullableNumber,
  points: nullableNumber,
  /** Valid answers (on the scale) under this node, summed over its items. */
  valid: z.number(),
  /** Answers of any kind (including "không biết") under this node. */
  answered: z.number(),
  /** How the value was obtained, for the record ("share of 4,5", "mean of 9 component", "sum"). */
  rule: z.string(),
  missing: z.array(z.string()).optional(),
  rescale: z.object({ from: RescaleRange, to: RescaleRange }).optional(),
};

/**
 * A node of a scored tree as the API returns it: the engine's result plus what analysts read beside it,
 * with its uncertainty under the round's sampling design (absent when suppressed).
 */
const ResultNodeFields = z.object({
  ...NodeFields,
  ...UncertaintySchema.partial().shape,
  /** The value in the index's display measure (percent for SIPAS, points for PAPI and the leader survey). */
  value: nullableNumber,
  /** Rank of this unit (or group) among the rows of the breakdown, or among all units at its level. */
  rank: nullableNumber.optional(),
  /** How many rows had a value at this node (the "/63" of "33/63"). */
  of: z.number().optional(),
  /** Year on year: the node of the earlier edition this node was matched to (null: none). */
  counterpart: z.string().nullable().optional(),
  previous: z.object({ value: nullableNumber, percent: nullableNumber, points: nullableNumber, rank: nullableNumber }).nullable().optional(),
  delta: z.object({ value: nullableNumber, rank: nullableNumber }).nullable().optional(),
  /** Year on year: the change with its SE and 95% interval (null: either value has no SE). */
  change: ChangeSchema.nullable().optional(),
  /** The ranks consistent with the rows' 95% intervals ("19/40" reads "between 12 and 27"). */
  rankRange: RankRangeSchema.nullable().optional(),
  /** The value target for this node, when one applies (absolute or rule-based); status at 95%. */
  target: z
    .object({
      value: z.number(),
      measure: Display,
      gap: nullableNumber,
      flags: z.array(TargetFlagSchema),
      status: z.enum(["met", "not-met", "cannot-tell"]).nullable().optional(),
    })
    .nullable()
    .optional(),
});
/** The node's fields and its children; the recursion is the one part a schema's type cannot infer, so it is said once here. */
export type ResultNode = z.infer<typeof ResultNodeFields> & { children?: ResultNode[] };
export const ResultNodeSchema: z.ZodType<ResultNode> = ResultNodeFields.extend({ children: z.array(z.lazy(() => ResultNodeSchema)).optional() });

const DerivedSchema = z.object({ code: z.string(), label: TextSchema, value: nullableNumber, max: nullableNumber, ...UncertaintySchema.partial().shape });

const ScoredCellFields = {
  responses: z.number(),
  weightedResponses: z.number(),
  /** Fewer responses than the round's minimum cell size: no value is shown. */
  suppressed: z.boolean(),
  root: ResultNodeSchema,
  derived: z.array(DerivedSchema),
};

export const BreakdownRowSchema = z.object({ ...ScoredCellFields, unit: UnitRefSchema.nullable(), group: z.string().nullable() });

const SomeUnit = z.union([UnitRefSchema, z.object({ key: z.string() })]);
export const MappingReportSchema = z.object({
  /** The registry the results are shown in, and the round's own. */
  registry: z.string(),
  from: z.string(),
  /** Units of the round's registry that cannot be allocated to one unit at the requested level. */
  partial: z.array(z.object({ unit: SomeUnit, responses: z.number(), candidates: z.array(z.string()) })),
  /** Units with responses that have no counterpart at the requested level. */
  unmapped: z.array(z.object({ unit: SomeUnit, responses: z.number() })),
});

export const ComparisonInfoSchema = z.object({
  round: z.string(),
  index: z.string(),
  title: TextSchema,
  /** Nodes of the earlier edition no current node continues. */
  removed: z.array(z.object({ code: z.string(), label: TextSchema, value: nullableNumber })),
  /** Nodes of the current edition with no counterpart. */
  added: z.array(z.string()),
  mapping: MappingReportSchema.nullable(),
});

export const ResultsResponseSchema = z.object({
  ...ScoredCellFields,
  round: z.string(),
  index: z.string(),
  variant: z.string(),
  display: Display,
  decimals: z.number().int(),
  registry: z.string(),
  unit: UnitRefSchema.nullable(),
  group: z.string().nullable(),
  by: z.string().nullable(),
  minCellSize: z.number().int(),
  mapping: MappingReportSchema,
  compare: ComparisonInfoSchema.nullable(),
  performanceGroups: z.array(TextSchema).nullable(),
  rows: z.array(BreakdownRowSchema).optional(),
});

export const TargetResultSchema = z.object({
  /** Position of the target in the stored list. */
  target: z.number().int(),
  kind: z.enum(["value", "rank", "performanceGroup", "rule"]),
  node: z.string(),
  label: TextSchema,
  unit: z.string().nullable(),
  group: z.string().nullable(),
  measure: z.enum(["percent", "points", "rank", "group"]),
  goal: nullableNumber,
  goalLabel: TextSchema.optional(),
  current: nullableNumber,
  currentLabel: TextSchema.optional(),
  /** Value: goal − current (what is left to gain). Rank and group: current − goal (places to climb). */
  gap: nullableNumber,
  met: z.boolean().nullable(),
  flags: z.array(TargetFlagSchema),
});

/** GET /api/rounds/:id/results: the tree (and its breakdown) with the targets that apply to it. */
export const ResultsReplySchema = ResultsResponseSchema.extend({ targets: z.array(TargetResultSchema) });

export const RankingRowSchema = z.object({
  unit: UnitRefSchema,
  responses: z.number(),
  suppressed: z.boolean(),
  value: nullableNumber,
  percent: nullableNumber,
  points: nullableNumber,
  rank: nullableNumber,
  of: z.number(),
  peerRank: nullableNumber.optional(),
  peerOf: z.number().optional(),
  performanceGroup: z.object({ index: z.number().int(), label: TextSchema }).nullable(),
  previous: z.object({ value: nullableNumber, rank: nullableNumber }).nullable().optional(),
  delta: z.object({ value: nullableNumber, rank: nullableNumber }).nullable().optional(),
  /** The node's uncertainty, its rank range and its change (as on the tree's nodes). */
  se: nullableNumber.optional(),
  ci: UncertaintySchema.shape.ci.optional(),
  unreliable: z.boolean().optional(),
  rankRange: RankRangeSchema.nullable().optional(),
  change: ChangeSchema.nullable().optional(),
});

/** GET /api/rounds/:id/results/ranking. */
export const RankingResponseSchema = z.object({
  round: z.string(),
  registry: z.string(),
  level: z.string(),
  group: z.string().nullable(),
  display: Display,
  decimals: z.number().int(),
  node: z.object({ code: z.string(), label: TextSchema, max: nullableNumber }),
  minCellSize: z.number().int(),
  peers: z.object({ id: z.string(), label: TextSchema, members: z.number().int() }).nullable(),
  performanceGroups: z.object({ labels: z.array(TextSchema), cuts: z.array(z.number()) }).nullable(),
  compare: z.string().nullable(),
  rows: z.array(RankingRowSchema),
  mapping: MappingReportSchema,
});

export const WeakRowSchema = z.object({
  code: z.string(),
  label: TextSchema,
  short: TextSchema.optional(),
  level: z.string(),
  max: nullableNumber,
  value: nullableNumber,
  percent: nullableNumber,
  points: nullableNumber,
  /** Distance to the maximum in the display measure (100 − percent, or max − points). */
  gapToMax: nullableNumber,
  target: nullableNumber,
  gapToTarget: nullableNumber,
});

/** GET /api/rounds/:id/results/weakest. */
export const WeakestSchema = z.object({
  round: z.string(),
  unit: UnitRefSchema.nullable(),
  group: z.string().nullable(),
  level: z.string(),
  against: z.enum(["max", "target"]),
  display: Display,
  decimals: z.number().int(),
  responses: z.number(),
  suppressed: z.boolean(),
  rows: z.array(WeakRowSchema),
});
export type Weakest = z.infer<typeof WeakestSchema>;

/** GET and PUT /api/rounds/:id/targets: the targets within the caller's scope and how far results are from them. */
export const TargetsViewSchema = z.object({
  round: z.string(),
  unit: UnitRefSchema.nullable(),
  group: z.string().nullable(),
  display: Display,
  decimals: z.number().int(),
  responses: z.number(),
  suppressed: z.boolean(),
  targets: z.array(TargetSchema),
  evaluation: z.array(TargetResultSchema),
  updatedAt: z.string().nullable(),
});
export type TargetsView = z.infer<typeof TargetsViewSchema>;

/** GET /api/rounds/:id/progress. */
export const ProgressResponseSchema = z.object({
  round: z.string(),
  level: z.string(),
  total: z.object({ responses: z.number(), target: nullableNumber }),
  byUnit: z.array(z.object({ unit: UnitRefSchema, responses: z.number(), target: nullableNumber })),
  byGroup: z.array(z.object({ group: z.string(), label: TextSchema, responses: z.number(), target: nullableNumber })),
  byDay: z.array(z.object({ day: z.string(), responses: z.number() })),
  byChannel: z.array(z.object({ channel: z.string(), responses: z.number() })),
});

export const PeerGroupSchema = z.object({ id: z.string(), label: TextSchema, registry: z.string(), members: z.array(z.string()) });
export const PeerGroupListSchema = z.object({ peerGroups: z.array(PeerGroupSchema) });
export type PeerGroupList = z.infer<typeof PeerGroupListSchema>;
export const PeerGroupReplySchema = z.object({ peerGroup: PeerGroupSchema });
export type PeerGroupReply = z.infer<typeof PeerGroupReplySchema>;
