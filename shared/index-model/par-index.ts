/**
 * The composite PAR INDEX model (Chỉ số CCHC): areas → criteria → sub-criteria (TCTP), each leaf
 * scored from one of three sources — A, appraised from the self-assessment's evidence by a rule
 * written as data; S, a leader-survey item; C, the SIPAS round's conversion to points — and summed
 * into a 100-point total (Quyết định 876/QĐ-BNV; seeds 004:11-21). The same model serves the
 * provinces' own indices of departments and districts, each with its own criteria list.
 */
import { z } from "zod";
import { TextSchema } from "../i18n.js";
import { CodeSchema, QuestionIdSchema, UnitLevelSchema } from "../instrument/schema.js";

const Expr = z.string().min(1);

/** Where a maximum comes from: printed in a seed, the remainder of a stated parent, or assumed. */
export const MaxBasisSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("stated"), cite: z.string().min(1) }).strict(),
  z.object({ type: z.literal("derived"), note: TextSchema }).strict(),
  z.object({ type: z.literal("assumed"), note: TextSchema }).strict(),
]);
export type MaxBasis = z.infer<typeof MaxBasisSchema>;

/** One band of a steps rule: `from` ≤ value < `below` (either bound may be absent). */
export const StepSchema = z.object({ from: z.number().optional(), below: z.number().optional(), points: z.number().min(0) }).strict();

export interface AppraisalRulePart {
  code: string;
  label: z.infer<typeof TextSchema>;
  max: number;
  rule: AppraisalRule;
}

/**
 * How evidence becomes points. Expressions are in the form language (shared/expr) over the
 * self-assessment's question ids; every result is kept within [0, max] of its node (the cap).
 */
export type AppraisalRule =
  /** points = max × rate (rate in [0, 1]); 3.4.1: on time / settled × 1.5. */
  | { type: "rate"; rate: string }
  /** An explicit formula for the points; 4.1.3: K / 20 × 1.00 with K the % reduction. */
  | { type: "formula"; points: string }
  /** The first band containing the value gives the points; none → 0. 6.2.3: 70.53% → 0.5. */
  | { type: "steps"; value: string; steps: Array<z.infer<typeof StepSchema>> }
  /** Full points when the condition holds and, if named, the supporting document is given. */
  | { type: "yesNo"; condition: string; document?: string }
  /** Points for the level the evidence states (the council's finding when there is no number). */
  | { type: "level"; question: string; points: Record<string, number> }
  /** Weighted parts, each with its own maximum and rule; the node scores their sum. */
  | { type: "parts"; parts: AppraisalRulePart[] };

export const AppraisalRuleSchema: z.ZodType<AppraisalRule> = z.lazy(() =>
  z.discriminatedUnion("type", [
    z.object({ type: z.literal("rate"), rate: Expr }).strict(),
    z.object({ type: z.literal("formula"), points: Expr }).strict(),
    z.object({ type: z.literal("steps"), value: Expr, steps: z.array(StepSchema).min(1) }).strict(),
    z.object({ type: z.literal("yesNo"), condition: Expr, document: QuestionIdSchema.optional() }).strict(),
    z.object({ type: z.literal("level"), question: QuestionIdSchema, points: z.record(CodeSchema, z.number().min(0)) }).strict(),
    z
      .object({
        type: z.literal("parts"),
        parts: z.array(z.object({ code: CodeSchema, label: TextSchema, max: z.number().positive(), rule: AppraisalRuleSchema }).strict()).min(2),
      })
      .strict(),
  ]),
);

/** How far the seeds support a rule: printed with its arithmetic, reconstructed from the numbers, or assumed. */
export const RuleBasisSchema = z.enum(["seed", "inferred", "assumed"]);
export type RuleBasis = z.infer<typeof RuleBasisSchema>;

export const ParSourceSchema = z.enum(["A", "S", "C"]);
export type ParSource = z.infer<typeof ParSourceSchema>;

const NodeBase = {
  /** The code the plans print (e.g. "3.4.1"); stable across editions where the criterion continues. */
  code: z.string().regex(/^[A-Za-z0-9_.-]+$/),
  level: z.enum(["index", "area", "criterion", "tctp"]),
  label: TextSchema,
  short: TextSchema.optional(),
  max: z.number().positive(),
  maxBasis: MaxBasisSchema,
  /** The code of this node in the previous edition, where it differs (year on year). */
  continues: z.string().optional(),
  /** Where other seeds number or name it differently ("003 numbers it 7.3.5"), for the record. */
  note: TextSchema.optional(),
};

export const AppraisalLeafSchema = z
  .object({
    ...NodeBase,
    source: z.literal("A"),
    /** Responsible agencies (codes into the definition's `agencies`), the lead one first. */
    agencies: z.array(CodeSchema).min(1),
    /** The self-assessment questions that are this TCTP's evidence (numbers, yes/no, document, note). */
    evidence: z.array(QuestionIdSchema).min(1),
    rule: AppraisalRuleSchema,
    basis: RuleBasisSchema,
    /** Seed lines the rule rests on. */
    cite: z.string().optional(),
    ruleNote: TextSchema.optional(),
  })
  .strict();

export const SurveyLeafSchema = z
  .object({ ...NodeBase, source: z.literal("S"), /** Node code in the leader-survey index. */ item: z.string().min(1) })
  .strict();

export const SipasLeafSchema = z
  .object({ ...NodeBase, source: z.literal("C"), /** Derived score code in the SIPAS index. */ derived: z.string().min(1) })
  .strict();

export type AppraisalLeaf = z.infer<typeof AppraisalLeafSchema>;
export type SurveyLeaf = z.infer<typeof SurveyLeafSchema>;
export type SipasLeaf = z.infer<typeof SipasLeafSchema>;
export type ParLeaf = AppraisalLeaf | SurveyLeaf | SipasLeaf;

export interface ParInnerNode {
  code: string;
  level: "index" | "area" | "criterion" | "tctp";
  label: z.infer<typeof TextSchema>;
  short?: z.infer<typeof TextSchema>;
  max: number;
  maxBasis: MaxBasis;
  continues?: string;
  note?: z.infer<typeof TextSchema>;
  children: ParNode[];
}
export type ParNode = ParInnerNode | ParLeaf;

export const ParNodeSchema: z.ZodType<ParNode> = z.lazy(() =>
  z.union([AppraisalLeafSchema, SurveyLeafSchema, SipasLeafSchema, z.object({ ...NodeBase, children: z.array(ParNodeSchema).min(1) }).strict()]),
);

export const isParLeaf = (node: ParNode): node is ParLeaf => "source" in node;

export const AgencySchema = z.object({ code: CodeSchema, label: TextSchema }).strict();

/** The three parts of the total and where each one's values come from. */
export const ParPartSchema = z
  .object({
    source: ParSourceSchema,
    label: TextSchema,
    max: z.number().positive(),
    cite: z.string().optional(),
  })
  .strict();

export const ParIndexDefinitionSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/),
    title: TextSchema,
    year: z.number().int().min(2000).max(2100),
    /** Who is assessed: provinces by the ministry, or a province's departments or districts. */
    unitLevel: UnitLevelSchema,
    /** The self-assessment instrument whose questions are the A evidence. */
    instrument: z.string(),
    /** The editions S and C values come from (a round of each supplies them). */
    surveyEdition: z.string().optional(),
    sipasEdition: z.string().optional(),
    /** Decimal places of published points: totals and areas, and sub-criteria. */
    decimals: z.number().int().min(0).max(6).default(2),
    leafDecimals: z.number().int().min(0).max(6).default(4),
    parts: z.array(ParPartSchema).min(1),
    agencies: z.array(AgencySchema).min(1),
    root: ParNodeSchema,
    notes: z.array(TextSchema).default([]),
  })
  .strict();
export type ParIndexDefinition = z.infer<typeof ParIndexDefinitionSchema>;
export type ParIndexDefinitionInput = z.input<typeof ParIndexDefinitionSchema>;
