/**
 * Why a value is missing from a results cell: suppressed below the round's minimum number of
 * responses, no responses at all, a question not asked of these respondents, or answers none of
 * which count (all "don't know"). Read from what the results API gives: a row's `responses` and
 * `suppressed`, a node's `answered`, or the node's absence (left out for the chosen group).
 */
import { fill, tr, type Lang } from "../common/i18n.js";
import type { ResultNode } from "../../shared/results/types.js";
import { D } from "./strings.js";

export type MissingReason = "suppressed" | "noResponses" | "notAsked" | "noValid";

export function missingReason(row: { responses: number; suppressed: boolean } | null, node: ResultNode | null | undefined): MissingReason | null {
  if (node && node.value !== null) return null;
  if (!row || row.responses === 0) return "noResponses";
  if (row.suppressed) return "suppressed";
  // A node absent from the tree was left out for the chosen respondent group; a node nobody answered was skipped for them.
  if (!node || node.answered === 0) return "notAsked";
  return "noValid";
}

/** The short text shown in the cell and the full sentence (title, legend, export note). */
export function missingText(reason: MissingReason, lang: Lang, n: { responses: number; min: number }): { short: string; long: string } {
  const t = D.missing[reason];
  return { short: fill(tr(t.short, lang), { min: n.min }), long: fill(tr(t.long, lang), { n: n.responses, min: n.min }) };
}
