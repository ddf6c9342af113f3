/** Pieces every dashboard view uses: async loading, number formatting, selects, the index tree's nodes. */
import type { ComponentChildren } from "preact";
import { HttpError } from "../common/net.js";
import { useAsync as useSharedAsync, type Async } from "../common/async.js";
import { problemText, tr, type Lang, type Text } from "../common/i18n.js";
import { formatNumber } from "../../shared/scoring/format.js";
import type { ResultNode } from "../../shared/results/types.js";
import type { Filters } from "./api.js";
import { D } from "./strings.js";

export interface ViewProps {
  filters: Filters;
  update(patch: Partial<Filters>): void;
  lang: Lang;
  groups: Array<{ code: string; label: Text }>;
}

export type { Async } from "../common/async.js";

/** Runs a fetch whenever `key` changes; "loading" shows at once for a new key. */
export function useAsync<T>(fetcher: () => Promise<T>, key: string): Async<T> {
  return useSharedAsync(fetcher, key)[0];
}

export function Loading({ lang }: { lang: Lang }) {
  return (
    <p class="loading" role="status">
      {tr(D.loading, lang)}
    </p>
  );
}

export function ErrorBox({ error, lang }: { error: unknown; lang: Lang }) {
  const text = error instanceof HttpError ? problemText(error.body?.error, lang) : problemText(undefined, lang);
  return (
    <div class="notice error" role="alert">
      {text}
    </div>
  );
}

/** Renders the data, or the loading line, or the error in the reader's language. */
export function Show<T>({ value, lang, children }: { value: Async<T>; lang: Lang; children: (data: T) => ComponentChildren }) {
  if (value.state === "loading") return <Loading lang={lang} />;
  if (value.state === "error") return <ErrorBox error={value.error} lang={lang} />;
  return <>{children(value.data)}</>;
}

export const fmt = (v: number | null | undefined, decimals: number, lang: Lang) => formatNumber(v ?? null, decimals, lang);

/** "+1,25" / "−0,50": signed changes as the seeds write them. */
export function signed(v: number | null | undefined, decimals: number, lang: Lang): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  const s = formatNumber(Math.abs(v), decimals, lang);
  if (Number(s.replace(",", ".")) === 0) return s;
  return v > 0 ? `+${s}` : `−${s}`;
}

export function Select<T extends string>(props: {
  label: string;
  value: T | null;
  options: Array<{ value: T | ""; label: string }>;
  onChange(value: T | null): void;
  name: string;
}) {
  return (
    <label class="field">
      <span>{props.label}</span>
      <select name={props.name} value={props.value ?? ""} onChange={(e) => props.onChange(((e.currentTarget as HTMLSelectElement).value || null) as T | null)}>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Nodes of a tree in display order with their depth. */
export function flatten(root: ResultNode): Array<{ node: ResultNode; depth: number }> {
  const out: Array<{ node: ResultNode; depth: number }> = [];
  const visit = (node: ResultNode, depth: number) => {
    out.push({ node, depth });
    node.children?.forEach((c) => visit(c, depth + 1));
  };
  visit(root, 0);
  return out;
}

export function levelsOfTree(root: ResultNode): string[] {
  const levels: string[] = [];
  for (const { node } of flatten(root)) if (!levels.includes(node.level)) levels.push(node.level);
  return levels;
}

/** The scale a node's value is drawn on: its maximum for points, 100 for percent. */
export function scaleOf(node: { max: number | null }, display: "percent" | "points"): number {
  return display === "points" && node.max !== null ? node.max : 100;
}

/** An index level's name ("Nội dung thành phần"), or the level code when it has none. */
export function levelName(level: string, lang: Lang): string {
  const known = D.indexLevels[level];
  return known ? tr(known, lang) : level;
}

export function nodeLabel(node: { code: string; label: Text; short?: Text | undefined }, lang: Lang, short = false): string {
  return short && node.short ? tr(node.short, lang) : tr(node.label, lang);
}

/**
 * A table that scrolls sideways on narrow screens: a named region that takes focus, so that the
 * keyboard can scroll it and a screen reader says what it holds.
 */
export function TableWrap({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
