/**
 * The questionnaire (instrument) model: the one source of truth for what a survey edition contains.
 * Definition files in surveys/ are parsed with these schemas by the server, the client and the tests.
 */
import { z } from "zod";
import { TextSchema } from "../i18n.js";
import { UNIT_LEVELS } from "../units/levels.js";

/** Question ids and choice codes are stable identifiers used in exports and expressions. */
export const QuestionIdSchema = z.string().regex(/^[a-z][a-z0-9_]*$/, "question id: lower-case letters, digits and _ , starting with a letter");
export const CodeSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]+$/, "choice code: letters, digits, _ . - only")
  .max(40);

export const ChoiceSchema = z
  .object({
    code: CodeSchema,
    label: TextSchema,
    /** "Không biết / không áp dụng": a valid answer that is excluded from score denominators. */
    outside: z.boolean().optional(),
  })
  .strict();
export type Choice = z.infer<typeof ChoiceSchema>;

/**
 * A labelled k-point scale. `points` are ordered from lowest to highest and carry a numeric value;
 * `outside` codes ("Không biết", "Không áp dụng") are valid answers that are not on the scale and
 * are excluded from every denominator.
 */
export const ScaleSchema = z
  .object({
    label: TextSchema,
    points: z.array(ChoiceSchema.extend({ value: z.number() }).strict()).min(2),
    outside: z.array(ChoiceSchema).default([]),
  })
  .strict();
export type Scale = z.infer<typeof ScaleSchema>;

/** Expressions are strings in the XLSForm-like language of shared/expr; checked when the definition loads. */
const Expr = z.string().min(1);

const QuestionBase = {
  id: QuestionIdSchema,
  label: TextSchema,
  hint: TextSchema.optional(),
  /** When the question is shown (and may be answered). Absent = always. */
  relevant: Expr.optional(),
  /** true, or an expression that makes it required conditionally. */
  required: z.union([z.boolean(), Expr]).default(false),
  constraint: Expr.optional(),
  constraintMessage: TextSchema.optional(),
  /** Demographic questions are reported as breakdowns, never scored. */
  demographic: z.boolean().default(false),
  /** Questions written for this system to illustrate an indicator whose official wording is not public. */
  illustrative: z.boolean().default(false),
};

export const RatingQuestionSchema = z.object({ ...QuestionBase, type: z.literal("rating"), scale: z.string() }).strict();
export const SingleChoiceQuestionSchema = z
  .object({
    ...QuestionBase,
    type: z.literal("single"),
    /** Inline choices or the name of a shared list in `choiceLists`. */
    choices: z.union([z.array(ChoiceSchema).min(1), z.string()]),
  })
  .strict();
export const MultipleChoiceQuestionSchema = z
  .object({
    ...QuestionBase,
    type: z.literal("multiple"),
    choices: z.union([z.array(ChoiceSchema).min(1), z.string()]),
    maxSelected: z.number().int().positive().optional(),
  })
  .strict();
export const IntegerQuestionSchema = z
  .object({
    ...QuestionBase,
    type: z.literal("integer"),
    min: z.number().int().optional(),
    max: z.number().int().optional(),
  })
  .strict();
export const DecimalQuestionSchema = z
  .object({
    ...QuestionBase,
    type: z.literal("decimal"),
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .strict();
export const TextQuestionSchema = z
  .object({
    ...QuestionBase,
    type: z.literal("text"),
    maxLength: z.number().int().positive().max(10000),
    multiline: z.boolean().default(false),
    /** The answer names a supporting document (a link or a file name): evidence of a self-assessment. */
    document: z.boolean().optional(),
  })
  .strict();
export const DateQuestionSchema = z
  .object({
    ...QuestionBase,
    type: z.literal("date"),
    min: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .optional(),
    max: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .optional(),
  })
  .strict();
export const NoteSchema = z
  .object({
    id: QuestionIdSchema,
    type: z.literal("note"),
    label: TextSchema,
    hint: TextSchema.optional(),
    relevant: Expr.optional(),
  })
  .strict();

export const QuestionSchema = z.discriminatedUnion("type", [
  RatingQuestionSchema,
  SingleChoiceQuestionSchema,
  MultipleChoiceQuestionSchema,
  IntegerQuestionSchema,
  DecimalQuestionSchema,
  TextQuestionSchema,
  DateQuestionSchema,
  NoteSchema,
]);
export type Question = z.infer<typeof QuestionSchema>;
export type AnswerableQuestion = Exclude<Question, { type: "note" }>;

/** A grid row is a rating question whose scale is the grid's. */
export const GridRowSchema = z
  .object({
    id: QuestionIdSchema,
    label: TextSchema,
    hint: TextSchema.optional(),
    relevant: Expr.optional(),
    required: z.union([z.boolean(), Expr]).default(false),
    illustrative: z.boolean().default(false),
  })
  .strict();

/**
 * Ratings that share a scale, shown as a table on wide screens and as a vertical list of
 * statements (scale under each) on a phone. Each row is an ordinary rating question.
 */
export const GridSchema = z
  .object({
    type: z.literal("grid"),
    id: QuestionIdSchema,
    label: TextSchema,
    hint: TextSchema.optional(),
    relevant: Expr.optional(),
    scale: z.string(),
    rows: z.array(GridRowSchema).min(1),
  })
  .strict();
export type Grid = z.infer<typeof GridSchema>;

export const SectionItemSchema = z.union([QuestionSchema, GridSchema]);
export type SectionItem = z.infer<typeof SectionItemSchema>;

export const SectionSchema = z
  .object({
    id: QuestionIdSchema,
    title: TextSchema,
    intro: TextSchema.optional(),
    relevant: Expr.optional(),
    items: z.array(SectionItemSchema).min(1),
  })
  .strict();
export type Section = z.infer<typeof SectionSchema>;

/** The level of the administrative (or organisational) unit a response belongs to. */
export const UnitLevelSchema = z.enum(UNIT_LEVELS);

export const RespondentGroupSchema = z.object({ code: CodeSchema, label: TextSchema, description: TextSchema.optional() }).strict();
export type RespondentGroup = z.infer<typeof RespondentGroupSchema>;

export const InstrumentSchema = z
  .object({
    /** Stable edition id, e.g. "sipas-2022". */
    id: z.string().regex(/^[a-z][a-z0-9-]*$/),
    /** The index family this edition belongs to ("sipas", "papi", "par-leaders"). */
    family: z.string().regex(/^[a-z][a-z0-9-]*$/),
    /** Published versions are immutable; a changed definition needs a new version. */
    version: z.string().regex(/^\d+\.\d+\.\d+$/, "version: semantic version such as 1.0.0"),
    year: z.number().int().min(2000).max(2100),
    title: TextSchema,
    intro: TextSchema,
    /** Where the definition comes from (seed documents, decisions), for the record. */
    source: z.string().optional(),
    /**
     * "assessment": a self-assessment answered per assessed unit by its responsible agencies, whose
     * answers are evidence (counts, rates, yes/no, documents) scored by a par-index definition.
     * Absent: a survey of respondents.
     */
    kind: z.enum(["survey", "assessment"]).optional(),
    unitLevel: UnitLevelSchema,
    respondentGroups: z.array(RespondentGroupSchema).min(1),
    scales: z.record(z.string(), ScaleSchema).default({}),
    choiceLists: z.record(z.string(), z.array(ChoiceSchema).min(1)).default({}),
    sections: z.array(SectionSchema).min(1),
    /** How a filled form is named in lists (XLSForm instance_name, XForm meta/instanceName). */
    instanceName: Expr.optional(),
  })
  .strict();
export type Instrument = z.infer<typeof InstrumentSchema>;
export type InstrumentInput = z.input<typeof InstrumentSchema>;

/** One answer value as stored and sent: a code, codes, a number, text or an ISO date. */
export const AnswerValueSchema = z.union([z.string(), z.number(), z.array(z.string())]);
export type AnswerValue = z.infer<typeof AnswerValueSchema>;
export type Answers = Record<string, AnswerValue>;
