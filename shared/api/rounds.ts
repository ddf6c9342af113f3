/**
 * Payloads of /api/rounds: the round list and one round, creating a round and opening or closing
 * it, and the form payload a respondent or enumerator client shows a round's form from.
 */
import { z } from "zod";
import { TextSchema } from "../i18n.js";
import { InstrumentSchema } from "../instrument/schema.js";
import { ModeSchema, RoundStatusSchema } from "./schemas.js";

/** The highest minimum cell size a round may ask for; a larger cell would hide every result anyway. */
export const MAX_MIN_CELL_SIZE = 1000;

export const NewRoundSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{2,60}$/, "round id: lower-case letters, digits and -"),
    title: TextSchema,
    edition: z.string(),
    version: z.string(),
    status: RoundStatusSchema.default("draft"),
    // Calendar dates (no 2025-02-30), the end not before the start.
    periodStart: z.iso.date().nullable().default(null),
    periodEnd: z.iso.date().nullable().default(null),
    registry: z.string(),
    scope: z.array(z.string()).default([]),
    groups: z.array(z.string()).min(1),
    modes: z.array(ModeSchema).min(1),
    // The same bound as `chiso round create --min-cell`.
    minCellSize: z.number().int().min(1).max(MAX_MIN_CELL_SIZE).default(5),
  })
  .strict()
  .refine((r) => !r.periodStart || !r.periodEnd || r.periodEnd >= r.periodStart, { path: ["periodEnd"], message: "the period ends before it starts" });
/** What a client sends (defaults may be left out). */
export type NewRound = z.input<typeof NewRoundSchema>;

export const RoundStatusChangeSchema = z.object({ status: RoundStatusSchema }).strict();
export type RoundStatusChange = z.infer<typeof RoundStatusChangeSchema>;

export const RoundSummarySchema = z.object({
  id: z.string(),
  title: TextSchema,
  instrument: z.object({ id: z.string(), version: z.string(), title: TextSchema }),
  status: RoundStatusSchema,
  modes: z.array(ModeSchema),
  groups: z.array(z.string()),
  registry: z.string(),
  scope: z.array(z.string()),
  periodStart: z.string().nullable(),
  periodEnd: z.string().nullable(),
});
export type RoundSummary = z.infer<typeof RoundSummarySchema>;

/** GET /api/rounds. */
export const RoundListSchema = z.object({ rounds: z.array(RoundSummarySchema) });
export type RoundList = z.infer<typeof RoundListSchema>;

/** POST /api/rounds, PATCH /api/rounds/:id: the round as it now is. */
export const RoundReplySchema = z.object({ round: RoundSummarySchema });
export type RoundReply = z.infer<typeof RoundReplySchema>;

/** GET /api/rounds/:id: the round, and its whole count for callers who see the whole round (null for the others). */
export const RoundDetailSchema = z.object({ round: RoundSummarySchema, responses: z.number().int().min(0).nullable() });
export type RoundDetail = z.infer<typeof RoundDetailSchema>;

/** GET /api/rounds/:id/form: everything a respondent client needs to show the form of a round. */
export const FormPayloadSchema = z.object({
  round: RoundSummarySchema,
  instrument: InstrumentSchema,
  index: z.object({ id: z.string(), title: TextSchema }).nullable(),
  /** Respondent groups allowed in this round, with labels. */
  groups: z.array(z.object({ code: z.string(), label: TextSchema })),
  /** For public rounds whose scope is a single unit at the instrument's level: that unit. */
  fixedUnit: z.object({ key: z.string(), name: z.string() }).nullable(),
});
export type FormPayload = z.infer<typeof FormPayloadSchema>;
