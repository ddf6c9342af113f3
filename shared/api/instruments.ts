/**
 * Payloads of the questionnaire catalogue (/api/instruments) and of importing an XLSForm workbook
 * (POST /api/xlsform).
 */
import { z } from "zod";
import { TextSchema } from "../i18n.js";
import { InstrumentSchema } from "../instrument/schema.js";
import { IndexDefinitionSchema } from "../index-model/schema.js";

/** One edition of the catalogue: its latest version, every version, and the survey family and year it belongs to. */
export const EditionSummarySchema = z.object({
  id: z.string(),
  version: z.string(),
  versions: z.array(z.string()),
  family: z.string(),
  year: z.number().int(),
  title: TextSchema,
});
export type EditionSummary = z.infer<typeof EditionSummarySchema>;

/** GET /api/instruments: the latest version of every edition. */
export const EditionListSchema = z.object({ instruments: z.array(EditionSummarySchema) });
export type EditionList = z.infer<typeof EditionListSchema>;

/** GET /api/instruments/:id: one version, with its index definition and the hash of both. */
export const EditionDetailSchema = z.object({ instrument: InstrumentSchema, index: IndexDefinitionSchema.nullable(), contentHash: z.string() });
export type EditionDetail = z.infer<typeof EditionDetailSchema>;

/** POST /api/xlsform: the edition checked (check=1) or stored. */
export const XlsformImportedSchema = z.object({
  id: z.string(),
  version: z.string(),
  title: TextSchema,
  /** "unchanged": the same edition with the same content was already stored. */
  outcome: z.enum(["imported", "unchanged"]),
  checked: z.boolean(),
  withIndex: z.boolean(),
  sections: z.number().int(),
});
export type XlsformImported = z.infer<typeof XlsformImportedSchema>;
