/** The body of every refusal (shared/errors.ts) as a schema, for replies that carry one per item (POST /api/sync). */
import { z } from "zod";
import { PROBLEMS, type ProblemCode } from "../errors.js";

const ProblemCodeSchema = z.enum(Object.keys(PROBLEMS) as [ProblemCode, ...ProblemCode[]]);

export const FieldErrorSchema = z.object({ question: z.string(), code: ProblemCodeSchema, message_vi: z.string(), message_en: z.string() });

export const ProblemErrorSchema = z.object({
  code: ProblemCodeSchema,
  message_vi: z.string(),
  message_en: z.string(),
  errors: z.array(FieldErrorSchema).optional(),
  errorCount: z.number().int().optional(),
  detail: z.unknown().optional(),
});
