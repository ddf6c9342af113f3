/**
 * Request bodies of the results API, validated by the server and used by the dashboard's forms:
 * index targets per round and peer groups of units.
 */
import { z } from "zod";
import { TextSchema } from "../i18n.js";

const NodeCode = z
  .string()
  .regex(/^[A-Za-z0-9_.-]+$/)
  .max(60);
const UnitKey = z.string().min(1).max(80);
const GroupCode = z.string().min(1).max(40);
const Measure = z.enum(["percent", "points"]);

/** Which results a target is about: a unit (default: the whole round) and a respondent group (default: all). */
const Scope = {
  unit: UnitKey.optional(),
  group: GroupCode.optional(),
  note: z.string().max(500).optional(),
};

export const TargetSchema = z.discriminatedUnion("kind", [
  /** "SIPAS ≥ 85%", "PAPI dimension 7 ≥ 4.00 points". Measure: the index's display measure by default. */
  z.object({ kind: z.literal("value"), node: NodeCode, value: z.number().finite().min(0), measure: Measure.optional(), ...Scope }).strict(),
  /** "Top 20 nationally", "5th of 14 in the region" (peers: a peer group id). */
  z.object({ kind: z.literal("rank"), node: NodeCode, rank: z.number().int().min(1), peers: z.string().max(60).optional(), ...Scope }).strict(),
  /** "Nhóm trung bình cao trở lên": group 2 or better, 1 = highest. */
  z.object({ kind: z.literal("performanceGroup"), node: NodeCode, atLeast: z.number().int().min(1), ...Scope }).strict(),
  /**
   * "Every sub-criterion +10 percentage points", "every PAPI sub-dimension +0.5 points": every node
   * at `level` gets base value + delta, the base being another round's value (`base`: round id,
   * nodes matched year on year) or this round's own.
   */
  z
    .object({
      kind: z.literal("rule"),
      level: z.string().min(1).max(40),
      delta: z.number().finite(),
      measure: Measure.optional(),
      base: z.string().max(80).optional(),
      ...Scope,
    })
    .strict(),
]);
export type Target = z.infer<typeof TargetSchema>;
export type TargetInput = z.input<typeof TargetSchema>;

export const TargetsBodySchema = z.object({ targets: z.array(TargetSchema).max(1000) }).strict();
export type TargetsBody = z.infer<typeof TargetsBodySchema>;

/** A named set of units to rank among (a region: "Bắc Trung bộ và Duyên hải Trung bộ"). */
export const PeerGroupBodySchema = z
  .object({
    label: TextSchema,
    registry: z.string().min(1).max(40),
    members: z.array(UnitKey).min(1).max(20000),
  })
  .strict();

export const PeerGroupIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{1,60}$/, "peer group id: lower-case letters, digits and -");
