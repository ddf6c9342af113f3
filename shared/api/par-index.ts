/** Payloads of the PAR INDEX API (/api/par): evidence saves, review transitions, S/C/given inputs, what-if, agency members, rounds. */
import { z } from "zod";
import { TextSchema, type Text } from "../i18n.js";
import { RoundStatusSchema } from "./schemas.js";
import { AnswerValueSchema } from "../instrument/schema.js";

export const ASSESSMENT_GROUPS = ["tu-danh-gia", "tham-dinh"] as const;
export const AssessmentGroupSchema = z.enum(ASSESSMENT_GROUPS);
export type AssessmentGroup = z.infer<typeof AssessmentGroupSchema>;

export const AssessmentStatusSchema = z.enum(["draft", "submitted", "reviewed"]);
export type AssessmentStatus = z.infer<typeof AssessmentStatusSchema>;

const Version = z.number().int().min(0);
const Points = z.record(z.string().min(1).max(40), z.number().finite());

/** Saves some questions: `null` clears an answer. `version` is the one read (0: not created yet). */
export const EvidenceSaveSchema = z.object({ version: Version, answers: z.record(z.string().min(1).max(80), AnswerValueSchema.nullable()) }).strict();
export type EvidenceSave = z.infer<typeof EvidenceSaveSchema>;

export const TransitionSchema = z
  .object({
    action: z.enum(["submit", "review", "return"]),
    version: Version,
    /** Why it goes back to the departments (required to return). */
    reason: z.string().trim().min(1).max(2000).optional(),
  })
  .strict();
export type Transition = z.infer<typeof TransitionSchema>;

/** Where S (leader survey) or C (SIPAS) values come from: a round of that edition, or published points by code. */
export const ParSourceInputSchema = z.union([z.object({ round: z.string().min(1).max(80) }).strict(), z.object({ published: Points }).strict()]);
export type ParSourceInput = z.infer<typeof ParSourceInputSchema>;

export const ParInputsSchema = z
  .object({
    version: Version,
    survey: ParSourceInputSchema.nullable(),
    sipas: ParSourceInputSchema.nullable(),
    /** A scores entered directly, per group: the council's scores, or another province's published results. */
    given: z.partialRecord(AssessmentGroupSchema, Points).default({}),
  })
  .strict();
export type ParInputsBody = z.infer<typeof ParInputsSchema>;

export const WhatIfSchema = z
  .object({
    unit: z.string().min(1).max(80),
    group: AssessmentGroupSchema.default("tham-dinh"),
    proposal: z
      .object({
        evidence: z.record(z.string().min(1).max(80), AnswerValueSchema).optional(),
        given: Points.optional(),
        survey: Points.optional(),
        sipas: Points.optional(),
      })
      .strict(),
  })
  .strict();
export type WhatIfBody = z.infer<typeof WhatIfSchema>;

/** The agencies a department's account enters evidence for (codes of the definitions' `agencies`); empty unbinds it. */
export const AgencyMembersSchema = z.object({ agencies: z.array(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/)).max(50) }).strict();
export type AgencyMembers = z.infer<typeof AgencyMembersSchema>;

/** PUT and GET /api/par/agency-members/:username: the agencies the account enters evidence for. */
export const AgencyMemberSchema = z.object({ username: z.string(), agencies: z.array(z.string()) });
export type AgencyMember = z.infer<typeof AgencyMemberSchema>;

/** GET /api/par/agency-members: every bound account, and every agency of the definitions it may be bound to. */
export const AgencyMemberListSchema = z.object({
  members: z.array(AgencyMemberSchema.extend({ displayName: z.string(), role: z.string(), disabled: z.boolean() })),
  agencies: z.array(z.object({ code: z.string(), label: TextSchema, indices: z.array(z.string()) })),
});
export type AgencyMemberList = z.infer<typeof AgencyMemberListSchema>;

/** GET /api/par/rounds: the PAR INDEX rounds the caller may see. */
export const ParRoundListSchema = z.object({
  rounds: z.array(
    z.object({ id: z.string(), title: TextSchema, status: RoundStatusSchema, index: z.string(), year: z.number().int(), groups: z.array(z.string()) }),
  ),
});
export type ParRoundList = z.infer<typeof ParRoundListSchema>;

/**
 * A self-assessment or appraisal (GET, PUT, and the transition of /api/par/:round/assessments/:unit/:group);
 * one never saved is a draft at version 0, without id or times.
 */
export const AssessmentSchema = z.object({
  id: z.string().optional(),
  round: z.string(),
  unit: z.string(),
  group: AssessmentGroupSchema,
  status: AssessmentStatusSchema,
  version: Version,
  returnReason: z.string().nullable(),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
  updatedBy: z.string().optional(),
  answers: z.record(z.string(), AnswerValueSchema),
  /** The assessment version each answer was last written at, and by whom. */
  answered: z.record(z.string(), z.object({ version: Version, by: z.string(), at: z.string() })),
});
export const AssessmentReplySchema = z.object({ assessment: AssessmentSchema });
export type AssessmentReply = z.infer<typeof AssessmentReplySchema>;

/** GET and PUT /api/par/:round/inputs/:unit: where S and C come from, and the A scores given, as stored. */
export const ParInputsReplySchema = z.object({
  inputs: z.object({
    round: z.string(),
    unit: z.string(),
    survey: ParSourceInputSchema.nullable(),
    sipas: ParSourceInputSchema.nullable(),
    given: z.partialRecord(AssessmentGroupSchema, Points),
    version: Version,
    updatedAt: z.string().nullable(),
    updatedBy: z.string().nullable(),
  }),
});
export type ParInputsReply = z.infer<typeof ParInputsReplySchema>;

/** One evaluated target of a PAR INDEX result (GET /api/par/:round/results, `targets`). */
export interface ParTargetResult {
  kind: "value" | "rank";
  node: string;
  label: Text;
  /** null: a round-wide target. */
  unit: string | null;
  group: string | null;
  measure: "percent" | "points" | "rank";
  /** The target as set (percent, points or rank). */
  goal: number;
  /** The points the goal means: max × percent / 100, the points, or the total of the unit now at the target rank. */
  goalPoints: number | null;
  current: number | null;
  met: boolean | null;
  /** Points still needed (0 when met); null without a value. */
  pointsNeeded: number | null;
  /** Places still to climb (rank targets; 0 when met). */
  ranksNeeded: number | null;
  note?: string;
}
