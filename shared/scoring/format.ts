/** Display rounding and number formatting: values are stored at full precision and rounded only here. */
import type { Lang } from "../i18n.js";

/** Rounds half away from zero, as published tables do (79.555 → 79.56); tolerant of binary noise. */
export function roundHalfAwayFromZero(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  const scaled = Math.abs(value) * factor;
  const rounded = Math.round(scaled + 1e-9 * Math.max(1, scaled));
  return (Math.sign(value) * rounded) / factor;
}

/** "79,56" in Vietnamese documents, "79.56" in English. */
export function formatNumber(value: number | null, decimals: number, lang: Lang): string {
  if (value === null || !Number.isFinite(value)) return "–";
  const s = roundHalfAwayFromZero(value, decimals).toFixed(decimals);
  return lang === "vi" ? s.replace(".", ",") : s;
}
