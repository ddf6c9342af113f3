/**
 * A round's sampling design as the API takes and gives it (PUT/GET /api/rounds/:id/design), and the
 * uncertainty every results node carries (se, ci, deff, nEff, n, reliability). The single source of
 * truth for both payloads; docs/statistics.md has the formulas and the thresholds.
 */
import { z } from "zod";
import { UNIT_LEVELS } from "../units/levels.js";

export const LONELY_PSU = ["fail", "remove", "certainty", "adjust", "average"] as const;
/** The unit levels a design may name, from the top down. */

/**
 * When an estimate is flagged unreliable. Defaults follow the US NCHS data presentation standards
 * for proportions (2017): effective n below 30, a 95% interval 30 points wide or more, a relative
 * width above 130% (when the interval is wider than 5 points), fewer than 8 design df.
 */
export const ReliabilitySchema = z
  .object({
    minEffectiveN: z.number().finite().min(0).max(1_000_000).default(30),
    /** Width of the 95% interval, in percentage points (0–100 scale), at or above which a value is unreliable. */
    maxWidth: z.number().finite().positive().max(100).default(30),
    /** Width / estimate above which a value is unreliable, when the width exceeds `minWidthForRelative`. */
    maxRelativeWidth: z.number().finite().positive().max(100).default(1.3),
    minWidthForRelative: z.number().finite().min(0).max(100).default(5),
    minDf: z.number().int().min(0).max(100_000).default(8),
  })
  .strict();
export type Reliability = z.infer<typeof ReliabilitySchema>;

export const SamplingDesignSchema = z
  .object({
    /**
     * The unit level whose units are the primary sampling units (clusters): the response's own unit
     * (for SIPAS and PAPI, the village) or a level above it (the commune).
     */
    psuLevel: z.enum(UNIT_LEVELS),
    /** The level whose units are the strata (above the PSUs); null: one stratum. */
    strataLevel: z.enum(UNIT_LEVELS).nullable().default(null),
    /** Weights as given per response (1 when missing): relative weights. */
    weights: z
      .object({ kind: z.literal("given") })
      .strict()
      .default({ kind: "given" }),
    /** Finite population correction: PSUs in the population of each stratum (unit key; "" with no strata). */
    fpc: z.record(z.string().max(80), z.number().int().positive().max(10_000_000)).optional(),
    /** R's options(survey.lonely.psu): what a stratum with one sampled PSU contributes. */
    lonelyPsu: z.enum(LONELY_PSU).default("fail"),
    reliability: ReliabilitySchema.default(ReliabilitySchema.parse({})),
  })
  .strict();
export type SamplingDesignBody = z.infer<typeof SamplingDesignSchema>;
export type SamplingDesignInput = z.input<typeof SamplingDesignSchema>;

export const UNRELIABLE_REASONS = ["effective_n", "width", "relative_width", "df", "no_variance"] as const;
export const UnreliableReasonSchema = z.enum(UNRELIABLE_REASONS);
export type UnreliableReason = z.infer<typeof UnreliableReasonSchema>;

/**
 * The uncertainty of one value, in the value's own measure (percent or points): standard error,
 * 95% interval, design effect, effective n (n / deff), Kish's effective n, design df and n
 * (valid answers for an item, respondents for every other node).
 */
export const UncertaintySchema = z.object({
  n: z.number().int().min(0),
  se: z.number().min(0).nullable(),
  ci: z.object({ lo: z.number(), hi: z.number(), method: z.enum(["korn-graubard", "t"]) }).nullable(),
  df: z.number().min(0).nullable(),
  deff: z.number().min(0).nullable(),
  nEff: z.number().min(0).nullable(),
  nEffKish: z.number().min(0).nullable(),
  unreliable: z.boolean(),
  reasons: z.array(UnreliableReasonSchema),
});
export type Uncertainty = z.infer<typeof UncertaintySchema>;

/** GET and PUT /api/rounds/:id/design: the design in force, whether it was declared, and what the sample shows. */
export const DesignResponseSchema = z.object({
  round: z.string(),
  declared: z.boolean(),
  design: SamplingDesignSchema,
  sample: z.object({ strata: z.number().int(), psus: z.number().int(), lonelyStrata: z.array(z.string()) }),
  warnings: z.array(z.object({ code: z.string(), path: z.string(), message_vi: z.string(), message_en: z.string() })),
});
export type DesignResponse = z.infer<typeof DesignResponseSchema>;

/**
 * Year on year at one node: later − earlier with its SE (independent samples: the variances add),
 * the 95% t interval with Welch–Satterthwaite df, and whether that interval excludes 0.
 */
export const ChangeSchema = z.object({
  difference: z.number(),
  se: z.number().min(0),
  df: z.number().min(0),
  ci: z.object({ lo: z.number(), hi: z.number(), method: z.literal("t-satterthwaite") }),
  significant: z.boolean(),
});
export type Change = z.infer<typeof ChangeSchema>;

/** The ranks consistent with the 95% intervals of the rows ranked (1 = highest). */
export const RankRangeSchema = z.object({ best: z.number().int().min(1), worst: z.number().int().min(1) });
