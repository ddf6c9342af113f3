/**
 * How the dashboard shows uncertainty: the interval and design effect of a value as text (bar
 * tooltips, table cells, print), the unreliable mark, and the note that explains it.
 */
import { fill, tr, type Lang } from "../common/i18n.js";
import type { ResultNode } from "../../shared/results/types.js";
import { fmt, signed } from "./common.js";
import { U } from "./uncertainty-strings.js";
import "./uncertainty.css";

type WithUncertainty = Pick<ResultNode, "value" | "ci" | "deff" | "nEff" | "n" | "unreliable" | "reasons">;

/** "72,4 (68,1–76,3)": an interval for a table cell, or "–". */
export function intervalText(node: Pick<ResultNode, "ci">, decimals: number, lang: Lang): string {
  return node.ci ? `${fmt(node.ci.lo, decimals, lang)}–${fmt(node.ci.hi, decimals, lang)}` : "–";
}

/** The sentence a bar's tooltip reads: value, interval, design effect, effective n and n. */
export function uncertaintyTooltip(label: string, node: WithUncertainty, decimals: number, lang: Lang): string {
  const value = `${label}: ${fmt(node.value, decimals, lang)}`;
  let text = node.ci
    ? fill(tr(U.tooltip, lang), {
        value,
        lo: fmt(node.ci.lo, decimals, lang),
        hi: fmt(node.ci.hi, decimals, lang),
        deff: fmt(node.deff ?? null, 2, lang),
        neff: fmt(node.nEff ?? null, 0, lang),
        n: fmt(node.n ?? null, 0, lang),
      })
    : fill(tr(U.noInterval, lang), { value });
  if (node.unreliable && node.value !== null)
    text += ` — ${tr(U.unreliable, lang)}: ${(node.reasons ?? []).map((r) => tr(U.reasons[r] ?? { vi: r, en: r }, lang)).join(", ")}`;
  return text;
}

/** The red asterisk beside an unreliable value, with its reasons for the pointer and for screen readers. */
export function UnreliableMark({ node, lang }: { node: WithUncertainty; lang: Lang }) {
  if (!node.unreliable || node.value === null) return null;
  const why = `${tr(U.unreliable, lang)}: ${(node.reasons ?? []).map((r) => tr(U.reasons[r] ?? { vi: r, en: r }, lang)).join(", ")}`;
  return (
    <span class="unreliable-mark" title={why}>
      <span aria-hidden="true">{tr(U.unreliableMark, lang)}</span>
      <span class="sr-only">{why}</span>
    </span>
  );
}

/** The note under a table that has unreliable values (the thresholds are the round's design's). */
export function UnreliableNote({ lang }: { lang: Lang }) {
  return <p class="muted uncertainty-note">{tr(U.unreliableNote, lang)}</p>;
}

/** One plain sentence on a change: real at 95%, or within the margin of error. */
export function changeLine(name: string, node: Pick<ResultNode, "change">, decimals: number, lang: Lang): string | null {
  const c = node.change;
  if (!c) return null;
  return fill(tr(c.significant ? U.changeSignificant : U.changeNoise, lang), {
    name,
    d: signed(c.difference, decimals, lang),
    lo: signed(c.ci.lo, decimals, lang),
    hi: signed(c.ci.hi, decimals, lang),
  });
}

/** "Rank 19/40: … between 12 and 27." */
export function rankLine(node: Pick<ResultNode, "rank" | "of" | "rankRange">, lang: Lang): string | null {
  if (node.rank == null || !node.rankRange) return null;
  return fill(tr(U.rankRange, lang), { rank: node.rank, of: node.of ?? "", best: node.rankRange.best, worst: node.rankRange.worst });
}

/** Met / not met / cannot tell, said in words. */
export function targetLine(node: Pick<ResultNode, "target">, decimals: number, lang: Lang): string | null {
  const t = node.target;
  if (!t?.status) return null;
  return fill(tr(U.target[t.status]!, lang), { goal: fmt(t.value, decimals, lang) });
}
