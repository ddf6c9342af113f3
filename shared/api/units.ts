/**
 * Payloads of /api/units: searching units by name or code, the registries, one unit with its
 * lineage, the units under one unit, and importing villages or agencies from CSV.
 */
import { z } from "zod";

/** A unit of a registry as the server holds it (server/units/directory.ts). */
export const UnitSchema = z.object({
  key: z.string(),
  registry: z.string(),
  code: z.string(),
  level: z.string(),
  name: z.string(),
  fullName: z.string(),
  /** "Tỉnh", "Xã", "Phường"… ("" if unknown). */
  type: z.string(),
  nameEn: z.string().nullable(),
  parentKey: z.string().nullable(),
  /** Earlier names: the unit's own (renamed) and, for 2025 units, those of the units merged into it. */
  formerNames: z.array(z.string()),
  validFrom: z.string(),
  validTo: z.string().nullable(),
});

/** One hit of a search: the unit, the former name it matched by (if so) and its ancestors' names, nearest first. */
export const UnitHitSchema = UnitSchema.pick({
  key: true,
  code: true,
  name: true,
  fullName: true,
  level: true,
  type: true,
  parentKey: true,
  formerNames: true,
}).extend({
  matchedFormerName: z.string().nullable(),
  path: z.array(z.string()),
});
export type UnitHit = z.infer<typeof UnitHitSchema>;

/** GET /api/units: the registry searched and its hits, best first. */
export const UnitSearchSchema = z.object({ registry: z.string(), units: z.array(UnitHitSchema) });
export type UnitSearch = z.infer<typeof UnitSearchSchema>;

export const RegistrySchema = z.object({
  id: z.string(),
  /** Vietnamese only, as stored; the screens show their own names for the known registries. */
  label: z.string(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
});
export type Registry = z.infer<typeof RegistrySchema>;
export const RegistryListSchema = z.object({ registries: z.array(RegistrySchema) });
export type RegistryList = z.infer<typeof RegistryListSchema>;

/** GET /api/units/:key: the unit, its ancestors (nearest first) and how many units it has directly under it. */
export const UnitDetailSchema = z.object({ unit: UnitSchema, path: z.array(UnitSchema), children: z.number().int().min(0) });
export type UnitDetail = z.infer<typeof UnitDetailSchema>;

/** One unit directly under another, saying how many it has under it in turn (browsing, the fallback to typing). */
export const ChildUnitSchema = z.object({
  key: z.string(),
  code: z.string(),
  name: z.string(),
  fullName: z.string(),
  level: z.string(),
  children: z.number().int().min(0),
});
export type ChildUnit = z.infer<typeof ChildUnitSchema>;

/** GET /api/units/:key/children. */
export const UnitChildrenSchema = z.object({
  unit: z.object({ key: z.string(), fullName: z.string(), level: z.string() }),
  children: z.array(ChildUnitSchema),
});
export type UnitChildren = z.infer<typeof UnitChildrenSchema>;

/** POST /api/units/import: rows read, units added, and rows that were already there (a re-import adds nothing). */
export const UnitImportSchema = z.object({
  kind: z.enum(["village", "agency"]),
  registry: z.string(),
  rows: z.number().int(),
  added: z.number().int(),
  alreadyPresent: z.number().int(),
});
export type UnitImport = z.infer<typeof UnitImportSchema>;
