/**
 * GET /api/rounds/:id/offline-units: what an enumerator device downloads to work offline, the units
 * it may collect in and the round's sample targets for them.
 */
import { z } from "zod";

/**
 * One unit as the device stores it: enough to search by its own, its parent's or any ancestor's
 * name (current or former) and to tell namesakes apart, offline.
 */
export const OfflineUnitSchema = z.object({
  key: z.string(),
  code: z.string(),
  name: z.string(),
  fullName: z.string(),
  level: z.string(),
  parentName: z.string().nullable(),
  /** Names of the units above it, current and former, nearest first ("Kim Long", "Huế", "Thừa Thiên Huế"). */
  ancestorNames: z.array(z.string()).optional(),
});
export type OfflineUnit = z.infer<typeof OfflineUnitSchema>;

/** A sample target of the round for one unit, with the responses the server holds for it now; group "" = any group. */
export const OfflineTargetSchema = z.object({ unit: z.string(), group: z.string(), target: z.number().int(), received: z.number().int() });
export type OfflineTarget = z.infer<typeof OfflineTargetSchema>;

export const OfflinePackageSchema = z.object({ units: z.array(OfflineUnitSchema), targets: z.array(OfflineTargetSchema) });
export type OfflinePackage = z.infer<typeof OfflinePackageSchema>;
