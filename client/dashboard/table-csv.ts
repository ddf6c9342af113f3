/**
 * The units × criteria table as CSV, built in the browser from the rows as shown (filtered, sorted,
 * rounded to the index's decimals). Vietnamese: semicolons and decimal commas, as Excel reads them
 * under a Vietnamese locale; English: commas and points. The caller prefixes a byte-order mark so
 * that Excel opens the file as UTF-8.
 */
import { tr, type Lang } from "../common/i18n.js";
import type { ResultNode } from "../../shared/results/types.js";
import type { NodeGoal } from "./applied-targets.js";
import { D } from "./strings.js";
import { nodeLabel } from "./common.js";
import { missingReason, missingText } from "./missing.js";

interface CsvRow {
  name: string;
  code: string;
  responses: number;
  suppressed: boolean;
  nodes: Map<string, ResultNode>;
  goals: Map<string, NodeGoal>;
}

export function tableCsv(t: {
  rows: CsvRow[];
  columns: ResultNode[];
  hasGoals: boolean[];
  lang: Lang;
  decimals: number;
  display: "percent" | "points";
  unitWord: string;
  minCellSize: number;
}): string {
  const { lang } = t;
  const sep = lang === "vi" ? ";" : ",";
  // Plain digits (no thousands separator), so that a spreadsheet reads them as numbers.
  const num = (v: number | null | undefined, decimals: number) => {
    if (v === null || v === undefined || !Number.isFinite(v)) return "";
    const s = v.toFixed(decimals);
    return lang === "vi" ? s.replace(".", ",") : s;
  };
  const cell = (s: string) => (s.includes(sep) || /["\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const unitOf = (c: ResultNode) => (t.display === "points" && c.max !== null ? (lang === "vi" ? "điểm" : "points") : "%");
  const head = [t.unitWord, tr(D.code, lang), tr(D.responses, lang)];
  t.columns.forEach((c, i) => {
    head.push(`${c.code} ${nodeLabel(c, lang, true)} (${unitOf(c)})`, `${c.code} ${tr(D.rank, lang)}`);
    if (t.hasGoals[i]) head.push(`${c.code} ${tr(D.gap, lang)}`);
  });
  head.push(tr(D.note, lang));
  const lines = [head];
  for (const r of t.rows) {
    const line = [r.name, r.code, String(r.responses)];
    const notes: string[] = [];
    t.columns.forEach((c, i) => {
      const node = r.nodes.get(c.code);
      const why = missingReason(r, node);
      line.push(why ? "" : num(node!.value, t.decimals), why || node!.rank == null ? "" : String(node!.rank));
      if (t.hasGoals[i]) line.push(num(r.goals.get(c.code)?.gap, t.decimals));
      if (why) notes.push(`${c.code}: ${missingText(why, lang, { responses: r.responses, min: t.minCellSize }).long}`);
    });
    // One reason for the whole row when every cell shares it (no responses, suppressed).
    const unique = [...new Set(notes.map((n) => n.slice(n.indexOf(": ") + 2)))];
    line.push(unique.length === 1 && notes.length === t.columns.length ? unique[0]! : notes.join(" "));
    lines.push(line);
  }
  return lines.map((l) => l.map(cell).join(sep)).join("\r\n") + "\r\n";
}
