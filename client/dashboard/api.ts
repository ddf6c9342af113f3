/** The dashboard's view of the API: typed fetches of results, ranks, targets and progress, and export links. */
import { requestJson } from "../common/net.js";
import type { EditionList, EditionSummary } from "../../shared/api/instruments.js";
import type { RoundList, RoundSummary } from "../../shared/api/rounds.js";
import type { RegistryList, UnitDetail } from "../../shared/api/units.js";
import type { ProgressResponse, RankingResponse, ResultsReply } from "../../shared/results/types.js";
import type { PeerGroupList, TargetsView, Weakest } from "../../shared/api/results.js";
import type { TargetInput, TargetsBody } from "../../shared/results/schemas.js";

// The dashboard's names for the shared payloads (shared/api/): the server's types, never restated here.
export type RoundInfo = RoundSummary;
export type InstrumentInfo = EditionSummary;

/** The view state; it lives in the URL hash so that a view can be bookmarked and shared. */
export interface Filters {
  round: string;
  view: "progress" | "results" | "ranking" | "compare" | "weakest" | "targets";
  unit: string | null;
  group: string | null;
  compare: string | null;
  asOf: string | null;
  variant: string | null;
  by: string | null;
  level: string | null;
  node: string | null;
  peers: string | null;
  against: "max" | "target";
  /** Units × criteria table: the index level of its columns, and its sort ("II.3:desc"). */
  cols: string | null;
  sort: string | null;
}

/** Every filter unset: what a round opens with (the round itself is chosen apart). */
export const NO_FILTERS: Omit<Filters, "round"> = {
  view: "results",
  unit: null,
  group: null,
  compare: null,
  asOf: null,
  variant: null,
  by: null,
  level: null,
  node: null,
  peers: null,
  against: "max",
  cols: null,
  sort: null,
};

export const VIEWS: Array<Filters["view"]> = ["results", "progress", "ranking", "compare", "weakest", "targets"];

function query(params: Record<string, string | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

const base = (f: Filters) => `/api/rounds/${encodeURIComponent(f.round)}`;
const common = (f: Filters) => ({ unit: f.unit, group: f.group, asOf: f.asOf, variant: f.variant });

export const api = {
  rounds: () => requestJson<RoundList>("/api/rounds"),
  instruments: () => requestJson<EditionList>("/api/instruments"),
  registries: () => requestJson<RegistryList>("/api/units/registries"),
  peerGroups: () => requestJson<PeerGroupList>("/api/peer-groups"),
  unitPath: (key: string) => requestJson<UnitDetail>(`/api/units/${encodeURIComponent(key)}`),
  results: (f: Filters, extra: { by?: string | null; compare?: string | null } = {}) =>
    requestJson<ResultsReply>(
      `${base(f)}/results${query({ ...common(f), by: extra.by ?? null, compare: extra.compare ?? null, rank: f.unit && !extra.by ? "1" : null })}`,
    ),
  ranking: (f: Filters, level: string, node: string | null) =>
    requestJson<RankingResponse>(`${base(f)}/results/ranking${query({ ...common(f), level, node, peers: f.peers, compare: f.compare })}`),
  weakest: (f: Filters, level: string | null) =>
    requestJson<Weakest>(`${base(f)}/results/weakest${query({ ...common(f), level, against: f.against, limit: "15" })}`),
  progress: (f: Filters, level: string | null) => requestJson<ProgressResponse>(`${base(f)}/progress${query({ level })}`),
  targets: (f: Filters) => requestJson<TargetsView>(`${base(f)}/targets${query(common(f))}`),
  saveTargets: (f: Filters, targets: TargetInput[]) =>
    requestJson<TargetsView>(`${base(f)}/targets${query(common(f))}`, {
      method: "PUT",
      json: { targets } satisfies TargetsBody,
    }),
};

/** The breakdown level of the ranking appendix: the one chosen in the ranking view or the units × criteria table. */
export function appendixLevel(f: Filters): string | null {
  return f.view === "ranking" ? f.level : f.by;
}

/**
 * Download links; spreadsheets for Vietnamese Excel get semicolons, decimal commas and a label row.
 * `results` is the unit's tree with its rank as on screen; `ranking` the units of the chosen level side by side.
 */
export function exportUrl(
  f: Filters,
  layout: "wide" | "long" | "codebook" | "results" | "ranking",
  format: "csv" | "xlsx" | "json",
  lang: "vi" | "en",
): string {
  const csvVi = format === "csv" && lang === "vi" ? { sep: "semicolon", decimal: "comma" } : {};
  // The table's sort column orders the appendix when it is a node (not the name or response count).
  const sortNode = f.sort?.split(":")[0] ?? null;
  const tableNode = sortNode && sortNode !== "name" && sortNode !== "responses" ? sortNode : null;
  const ranking =
    layout === "ranking" ? { by: appendixLevel(f), ...(f.view === "ranking" ? { node: f.node, peers: f.peers } : { cols: f.cols, node: tableNode }) } : {};
  const results =
    layout === "results" || layout === "ranking"
      ? { ...common(f), compare: f.compare, lang, rank: layout === "results" && f.unit ? "1" : null, ...ranking }
      : {};
  const path = layout === "ranking" ? "results" : layout;
  return `${base(f)}/export/${path}${query({ format, labels: format === "json" || path === "results" ? null : lang, ...csvVi, ...results })}`;
}

export function readHash(): Partial<Filters> {
  const q = new URLSearchParams(location.hash.replace(/^#\/?/, ""));
  const get = (k: string) => q.get(k) || null;
  const view = get("view");
  return {
    ...(get("round") ? { round: get("round")! } : {}),
    ...(view && (VIEWS as string[]).includes(view) ? { view: view as Filters["view"] } : {}),
    unit: get("unit"),
    group: get("group"),
    compare: get("compare"),
    asOf: get("asOf"),
    variant: get("variant"),
    by: get("by"),
    level: get("level"),
    node: get("node"),
    peers: get("peers"),
    against: get("against") === "target" ? "target" : "max",
    cols: get("cols"),
    sort: get("sort"),
  };
}

export function writeHash(f: Filters): void {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v && !(k === "against" && v === "max")) q.set(k, String(v));
  const next = `#${q.toString()}`;
  if (location.hash !== next) history.replaceState(null, "", next);
}
