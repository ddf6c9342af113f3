/**
 * What the server answers to a submitted response: the receipt of POST /api/rounds/:id/responses
 * (docs/decisions/0004-receipts-and-idempotency.md) and one result per item of POST /api/sync.
 */
import { z } from "zod";
import { ProblemErrorSchema } from "./problem.js";

/** A stored response's acknowledgement: the receipt code the respondent keeps. */
export const ReceiptSchema = z.object({
  id: z.string(),
  receipt: z.string(),
  /** "duplicate": the same response was already stored (a resend); its receipt is the same. */
  status: z.enum(["stored", "duplicate"]),
});
export type Receipt = z.infer<typeof ReceiptSchema>;

/** One item of a sync batch: stored or duplicate with its receipt, or refused with its problem. */
export const SyncItemResultSchema = z.union([
  z.object({ id: z.string(), status: z.enum(["stored", "duplicate"]), receipt: z.string() }),
  z.object({ id: z.string().nullable(), status: z.enum(["conflict", "invalid"]), error: ProblemErrorSchema }),
]);
export type SyncItemResult = z.infer<typeof SyncItemResultSchema>;

/** POST /api/sync: a result per response, in the batch's order, their counts, and the server's clock. */
export const SyncReplySchema = z.object({
  results: z.array(SyncItemResultSchema),
  summary: z.object({ stored: z.number().int(), duplicate: z.number().int(), conflict: z.number().int(), invalid: z.number().int() }),
  serverTime: z.string(),
});
export type SyncReply = z.infer<typeof SyncReplySchema>;
