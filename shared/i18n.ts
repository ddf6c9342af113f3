/** Bilingual text: every user-visible string in chiso exists in Vietnamese and English. */
import { z } from "zod";

export const LANGS = ["vi", "en"] as const;
export type Lang = (typeof LANGS)[number];

/** Vietnamese is the default language; strings are stored NFC-normalised. */
const nfcString = z
  .string()
  .min(1)
  .refine((s) => s === s.normalize("NFC"), { message: "text must be Unicode NFC-normalised" });

export const TextSchema = z.object({ vi: nfcString, en: nfcString }).strict();
export type Text = z.infer<typeof TextSchema>;

export { foldVietnamese } from "./text.js";
