/** GET /api/health: the server answers and its database too, with the time a trivial query took. */
import { z } from "zod";

export const HealthSchema = z.object({ status: z.literal("ok"), database: z.enum(["sqlite", "postgres"]), dbMs: z.number() });
export type Health = z.infer<typeof HealthSchema>;
