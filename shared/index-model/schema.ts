/**
 * The index model: how answers become the scores provinces are ranked on.
 * A tree index → groups → components → criteria → items; each item is bound to one question.
 * Every rule is data so that an edition can change it without code (DOMAIN.md: where the public
 * record is silent, rules are configurable, never hard-coded guesses).
 */
import { z } from "zod";
import { TextSchema } from "../i18n.js";
import { CodeSchema, QuestionIdSchema } from "../instrument/schema.js";

/** How a leaf item turns the answers to its question into a percent (0–100). */
export const ItemRuleSchema = z.discriminatedUnion("type", [
  /** Share of valid answers whose code is in `codes` (top-two-box: ["4","5"] of 5). */
  z.object({ type: z.literal("share"), codes: z.array(CodeSchema).min(1) }).strict(),
  /** 100·(x̄−1)/(k−1) over the scale values of valid answers (values must run 1..k). */
  z.object({ type: z.literal("normalisedMean") }).strict(),
  /**
   * An explicit point per answer code; codes not listed are outside the scale (not valid).
   * percent = 100 · mean points / max(points). The node's own `max` scales points.
   */
  z.object({ type: z.literal("points"), points: z.record(CodeSchema, z.number().min(0)) }).strict(),
]);
export type ItemRule = z.infer<typeof ItemRuleSchema>;

/** How a node combines its children. */
export const AggregateSchema = z.discriminatedUnion("type", [
  /** Simple mean of the children's percents (or of the descendants at `level`, when given). */
  z.object({ type: z.literal("mean"), level: z.string().optional() }).strict(),
  /** Weighted mean of the children's percents; weights by child code. */
  z.object({ type: z.literal("weightedMean"), weights: z.record(z.string(), z.number().positive()) }).strict(),
  /** Sum of the children's points; percent = points / max. */
  z.object({ type: z.literal("sum") }).strict(),
]);
export type Aggregate = z.infer<typeof AggregateSchema>;

/** A range on the 0–100 percent scale of a node. */
export const RescaleRangeSchema = z
  .object({ min: z.number().min(0).max(100), max: z.number().min(0).max(100) })
  .strict()
  .superRefine((r, ctx) => {
    if (r.min >= r.max) ctx.addIssue({ code: "custom", message: `min (${r.min}) must be below max (${r.max})` });
  });
export type RescaleRange = z.infer<typeof RescaleRangeSchema>;

/**
 * A linear map of a node's percent, applied after its rule or aggregate: the `from` range goes onto
 * the `to` range, p' = to.min + (to.max − to.min)·(p − from.min)/(from.max − from.min), without
 * clamping. `from` is fixed goalposts, or "observed": the lowest and highest value of this node
 * across the units being compared, which the caller supplies (scoring option `ranges`). PAPI's
 * published floors: to = { min: 10, max: 100 } (0.25–2.5 points on a 2.5-point sub-dimension).
 */
export const RescaleSchema = z
  .object({
    from: z.union([z.literal("observed"), RescaleRangeSchema], {
      error: 'expected "observed" or a range { "min": …, "max": … } on the 0–100 scale',
    }),
    to: RescaleRangeSchema,
  })
  .strict();
export type Rescale = z.infer<typeof RescaleSchema>;

export interface IndexNodeInput {
  code: string;
  level: string;
  label: z.input<typeof TextSchema>;
  short?: z.input<typeof TextSchema>;
  max?: number;
  question?: string;
  rule?: z.input<typeof ItemRuleSchema>;
  aggregate?: z.input<typeof AggregateSchema>;
  children?: IndexNodeInput[];
  continues?: string;
  groups?: string[];
  illustrative?: boolean;
  rescale?: z.input<typeof RescaleSchema>;
}

export interface IndexNode {
  /** Stable code (e.g. "II.3.1"); follows a node across editions. */
  code: string;
  /** Level name, e.g. "index", "group", "component", "criterion", "item". */
  level: string;
  label: z.infer<typeof TextSchema>;
  /** Short label for tables and charts. */
  short?: z.infer<typeof TextSchema>;
  /** Maximum points, where the index publishes points; percent → points = percent × max / 100. */
  max?: number;
  /** Leaf only: the question this item is bound to, and its rule. */
  question?: string;
  rule?: ItemRule;
  /** Inner nodes: how children combine. */
  aggregate?: Aggregate;
  children?: IndexNode[];
  /** Code of the node in the previous edition that this node continues (for year on year). */
  continues?: string;
  /** Respondent groups this node applies to (absent = all); a group may be scored on a subset. */
  groups?: string[];
  illustrative?: boolean;
  /** Rescales the node's percent (PAPI: each indicator onto its sub-dimension's 10–100% scale). */
  rescale?: Rescale;
}

export const IndexNodeSchema: z.ZodType<IndexNode, IndexNodeInput> = z.lazy(() =>
  z
    .object({
      code: z.string().regex(/^[A-Za-z0-9_.-]+$/),
      level: z.string().min(1),
      label: TextSchema,
      short: TextSchema.optional(),
      max: z.number().positive().optional(),
      question: QuestionIdSchema.optional(),
      rule: ItemRuleSchema.optional(),
      aggregate: AggregateSchema.optional(),
      children: z.array(IndexNodeSchema).min(1).optional(),
      continues: z.string().optional(),
      groups: z.array(CodeSchema).min(1).optional(),
      illustrative: z.boolean().optional(),
      rescale: RescaleSchema.optional(),
    })
    .strict()
    .superRefine((node, ctx) => {
      const leaf = !node.children;
      if (leaf && (!node.question || !node.rule)) {
        ctx.addIssue({ code: "custom", message: `leaf node ${node.code} needs question and rule` });
      }
      if (!leaf && !node.aggregate) {
        ctx.addIssue({ code: "custom", message: `node ${node.code} has children but no aggregate` });
      }
      if (!leaf && (node.question || node.rule)) {
        ctx.addIssue({ code: "custom", message: `node ${node.code} has children and a question/rule` });
      }
    }),
);

/** A derived score computed from node values, e.g. SIPAS → 10 PAR INDEX points. */
export const DerivedScoreSchema = z
  .object({
    code: z.string().regex(/^[A-Za-z0-9_.-]+$/),
    label: TextSchema,
    /** Expression over node percents, `${I}` = percent of node I; `${points:I}` = its points. */
    formula: z.string().min(1),
    max: z.number().positive().optional(),
    note: TextSchema.optional(),
  })
  .strict();

/** Alternative aggregate rules for named nodes, selectable when scoring (e.g. overall = mean of groups). */
export const VariantSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/),
    label: TextSchema,
    aggregates: z.record(z.string(), AggregateSchema),
  })
  .strict();

export const IndexDefinitionSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/),
    /** The instrument edition whose questions the items are bound to. */
    instrument: z.string(),
    title: TextSchema,
    /** The unit values are published in: "percent" (SIPAS) or "points" (PAPI, PAR leader survey). */
    display: z.enum(["percent", "points"]),
    /** Decimal places shown; values are always kept at full precision. */
    decimals: z.number().int().min(0).max(6).default(2),
    /** The edition this one continues (year on year); node `continues` refer into it. */
    previous: z.string().optional(),
    root: IndexNodeSchema,
    variants: z.array(VariantSchema).default([]),
    defaultVariant: z.string().optional(),
    derived: z.array(DerivedScoreSchema).default([]),
    /**
     * Performance groups by quartile of the total across units (PAPI): labels from highest to lowest.
     */
    performanceGroups: z.array(TextSchema).optional(),
    notes: z.array(TextSchema).default([]),
  })
  .strict();
export type IndexDefinition = z.infer<typeof IndexDefinitionSchema>;
