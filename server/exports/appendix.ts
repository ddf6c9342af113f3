/**
 * The results downloads as report appendices: one unit's index tree (layout=results) or the units
 * (or respondent groups) of a level side by side by node with ranks (layout=results&by=…). Each
 * table says what it is in title rows (index, round, unit, group, registry, rule, responses, date),
 * has headers in the reader's language, values rounded to the index's decimals (full precision on
 * request), the reason beside every missing value, and the depth of every tree row for outlines.
 * Columns come from lists (TREE_COLUMNS, the node columns of a breakdown) so that new measures of a
 * node are one entry more.
 */
import type { Lang, Text } from "../../shared/i18n.js";
import type { BreakdownRow, Display, ResultNode, ResultsResponse, UnitRef } from "../../shared/results/types.js";
import { competitionRanks, performanceGroups } from "../../shared/results/rank.js";
import { nodeMap, walk } from "../../shared/results/tree.js";
import type { Cell, Column, Table, TableSheet } from "./writers.js";
import { UNIT_LEVEL_NAMES as LEVEL_NAMES } from "../../shared/units/levels.js";

/** Level names of the index definitions (other names are shown as they are). */
export const INDEX_LEVEL_NAMES: Record<string, Text> = {
  index: { vi: "Chỉ số", en: "Index" },
  group: { vi: "Nhóm tiêu chí", en: "Criteria group" },
  component: { vi: "Tiêu chí", en: "Component" },
  item: { vi: "Tiêu chí thành phần", en: "Sub-criterion" },
  dimension: { vi: "Chỉ số nội dung", en: "Dimension" },
  subdimension: { vi: "Nội dung thành phần", en: "Sub-dimension" },
  indicator: { vi: "Chỉ tiêu", en: "Indicator" },
  area: { vi: "Lĩnh vực", en: "Area" },
};

/** Names of the unit levels, and of the respondent-group breakdown. */
export const UNIT_LEVEL_NAMES: Record<string, Text> = {
  ...LEVEL_NAMES,
  group: { vi: "Nhóm người trả lời", en: "Respondent group" },
};

/** Plural phrases for titles: "các xã, phường", "the communes". */
const UNIT_LEVEL_PLURALS: Record<string, Text> = {
  province: { vi: "các tỉnh, thành phố", en: "the provinces" },
  district: { vi: "các huyện", en: "the districts" },
  commune: { vi: "các xã, phường", en: "the communes" },
  village: { vi: "các thôn, tổ dân phố", en: "the villages" },
  agency: { vi: "các cơ quan", en: "the agencies" },
  group: { vi: "các nhóm người trả lời", en: "the respondent groups" },
};

/** A unit's own name with its type ("Xã Khe Tre"), without the names above it that a full name may add. */
export const ownName = (u: UnitRef) => u.fullName.split(", ")[0] || u.name;

/** The vendored registries in both languages (the database keeps one label); others show their label and start date. */
const REGISTRY_NAMES: Record<string, Text> = {
  "2025": { vi: "Từ 01/7/2025 (34 tỉnh, không cấp huyện)", en: "From 1 July 2025 (34 provinces, no districts)" },
  pre2025: { vi: "Trước 01/7/2025 (63 tỉnh)", en: "Before 1 July 2025 (63 provinces)" },
};

export const indexLevelName = (level: string, lang: Lang) => INDEX_LEVEL_NAMES[level]?.[lang] ?? level;
export const unitLevelName = (level: string, lang: Lang) => UNIT_LEVEL_NAMES[level]?.[lang] ?? level;

/** What the title rows say about a table, and how its numbers are written. */
export interface AppendixMeta {
  lang: Lang;
  /** `display`: values rounded to the index's decimals (what the report prints); `full`: as computed. */
  precision: "display" | "full";
  titles: boolean;
  index: { id: string; title: Text; decimals: number; display: Display; performanceGroups: Text[] | null };
  round: { id: string; title: Text };
  /** The unit shown (null: the whole round, whose scope is `scope`). */
  unit: UnitRef | null;
  scope: string[];
  group: { code: string; label: Text } | null;
  registry: { id: string; label: string; validFrom: string };
  variant: { id: string; label: Text | null };
  compare: { id: string; title: Text } | null;
  peers: { id: string; label: Text; members: ReadonlySet<string> } | null;
  /** When the table was made (written in Vietnam's time, UTC+7). */
  made: Date;
  groupLabels: ReadonlyMap<string, Text>;
}

const tx = (vi: string, en: string): Text => ({ vi, en });
const pick = (t: Text, lang: Lang) => t[lang];

/** The unit of the index's values, for headers: "%" or "điểm". */
function measureUnit(display: Display, lang: Lang, change = false): string {
  if (display === "percent") return change ? pick(tx("điểm %", "percentage points"), lang) : "%";
  return pick(tx("điểm", "points"), lang);
}

/** Vietnam wall clock (UTC+7, no daylight saving): "01/12/2026 15:20 (UTC+7)". */
export function vietnamTime(date: Date): string {
  const d = new Date(date.getTime() + 7 * 3600_000);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())} (UTC+7)`;
}

/** "2025-07-01" → "01/07/2025". */
const vnDate = (iso: string) => (/^\d{4}-\d{2}-\d{2}/.test(iso) ? `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}` : iso);

/** How the total was obtained, in words: the engine's rule ("mean of 9 component", "sum") translated. */
export function ruleText(rule: string, childLevel: string | null, lang: Lang): string {
  const mean = /^mean of (\d+)(?: (\S+))?$/.exec(rule);
  if (mean) {
    const level = mean[2] ?? childLevel;
    const what = level ? indexLevelName(level, lang).toLowerCase() : pick(tx("nội dung", "parts"), lang);
    return lang === "vi" ? `trung bình cộng của ${mean[1]} ${what}` : `mean of ${mean[1]} ${what}${Number(mean[1]) === 1 ? "" : "s"}`;
  }
  if (rule === "sum") {
    const what = childLevel ? indexLevelName(childLevel, lang).toLowerCase() : pick(tx("nội dung", "parts"), lang);
    return lang === "vi" ? `tổng điểm các ${what}` : `sum of the ${what} points`;
  }
  if (rule === "weighted mean") return pick(tx("trung bình có trọng số", "weighted mean"), lang);
  return rule;
}

export type MissingReason = "suppressed" | "noResponses" | "notAsked" | "noValid";

/** Why a node has no value, read as the dashboard reads it (client/dashboard/missing.ts). */
export function missingReason(row: { responses: number; suppressed: boolean }, node: ResultNode | null | undefined): MissingReason | null {
  if (node && node.value !== null) return null;
  if (row.responses === 0) return "noResponses";
  if (row.suppressed) return "suppressed";
  if (!node || node.answered === 0) return "notAsked";
  return "noValid";
}

export function missingText(reason: MissingReason, lang: Lang, n: { responses: number; min: number }): string {
  const texts: Record<MissingReason, Text> = {
    suppressed: tx(`Ẩn: ${n.responses} phiếu, dưới mức tối thiểu ${n.min} phiếu`, `Hidden: ${n.responses} responses, below the minimum of ${n.min}`),
    noResponses: tx("Không có phiếu", "No responses"),
    notAsked: tx("Không hỏi nhóm người trả lời này", "Not asked of this group"),
    noValid: tx("Không có trả lời hợp lệ", "No valid answers"),
  };
  return pick(texts[reason], lang);
}

/** A value as the table holds it: rounded to the index's decimals unless full precision was asked for. */
function rounder(meta: AppendixMeta): (v: number | null | undefined) => number | null {
  const f = 10 ** meta.index.decimals;
  return (v) => (v === null || v === undefined || !Number.isFinite(v) ? null : meta.precision === "full" ? v : Math.round(v * f) / f);
}

const valueFormat = (decimals: number) => (decimals > 0 ? `0.${"0".repeat(decimals)}` : "0");

/** The title block shared by both tables. */
function titleRows(meta: AppendixMeta, results: ResultsResponse, extra: Array<[Text, string]>): Array<[string, string]> {
  const { lang } = meta;
  const unit = meta.unit
    ? meta.unit.fullName
    : `${pick(tx("Toàn bộ đợt khảo sát", "Whole round"), lang)}${meta.scope.length ? ` (${meta.scope.join(", ")})` : ""}`;
  const childLevel = results.root.children?.[0]?.level ?? null;
  const variant = meta.variant.label ? pick(meta.variant.label, lang) : pick(tx("Mặc định của chỉ số", "The index's default"), lang);
  const rule = `${variant}; ${results.root.code}: ${ruleText(results.root.rule, childLevel, lang)}`;
  const responses =
    results.weightedResponses && Math.abs(results.weightedResponses - results.responses) > 1e-9
      ? `${results.responses} (${pick(tx("có trọng số", "weighted"), lang)}: ${Math.round(results.weightedResponses * 100) / 100})`
      : String(results.responses);
  const rows: Array<[Text, string]> = [
    [tx("Chỉ số", "Index"), pick(meta.index.title, lang)],
    [tx("Đợt khảo sát", "Survey round"), `${pick(meta.round.title, lang)} (${meta.round.id})`],
    [tx("Đơn vị", "Unit"), unit],
    [tx("Nhóm người trả lời", "Respondent group"), meta.group ? pick(meta.group.label, lang) : pick(tx("Tất cả nhóm", "All groups"), lang)],
    [
      tx("Danh mục đơn vị", "Unit registry"),
      REGISTRY_NAMES[meta.registry.id]
        ? `${pick(REGISTRY_NAMES[meta.registry.id]!, lang)} — ${meta.registry.id}`
        : `${meta.registry.label} (${pick(tx("áp dụng từ", "as of"), lang)} ${vnDate(meta.registry.validFrom)}) — ${meta.registry.id}`,
    ],
    [tx("Cách tính", "Aggregation rule"), rule],
    [tx("Số phiếu", "Responses"), responses],
    [
      tx("Giá trị", "Values"),
      `${meta.index.display === "percent" ? pick(tx("tỷ lệ %", "percent"), lang) : pick(tx("điểm", "points"), lang)}, ${
        meta.precision === "full"
          ? pick(tx("đủ độ chính xác", "full precision"), lang)
          : lang === "vi"
            ? `làm tròn ${meta.index.decimals} chữ số thập phân`
            : `rounded to ${meta.index.decimals} decimals`
      }`,
    ],
    ...(meta.compare ? [[tx("So với đợt", "Compared with"), `${pick(meta.compare.title, lang)} (${meta.compare.id})`] as [Text, string]] : []),
    ...extra,
    [tx("Lập ngày", "Made on"), vietnamTime(meta.made)],
  ];
  return rows.map(([label, value]) => [pick(label, lang), value]);
}

/** Notes under a table: the small-cell rule, and responses the registry mapping left out. */
function tableNotes(meta: AppendixMeta, results: ResultsResponse): string[] {
  const { lang } = meta;
  const notes = [
    lang === "vi"
      ? `Ô trống: xem cột Ghi chú. Đơn vị hoặc nhóm dưới ${results.minCellSize} phiếu không hiển thị giá trị để bảo vệ người trả lời.`
      : `Empty cells: see the Note column. A unit or group with fewer than ${results.minCellSize} responses shows no value, to protect respondents.`,
  ];
  const partial = results.mapping.partial.reduce((s, p) => s + p.responses, 0);
  const unmapped = results.mapping.unmapped.reduce((s, p) => s + p.responses, 0);
  if (partial) {
    notes.push(
      lang === "vi"
        ? `${partial} phiếu của đơn vị cũ bị chia tách không quy được về một đơn vị mới nên không tính vào các dòng theo đơn vị.`
        : `${partial} responses of former units split between new units cannot be allocated and are left out of the unit rows.`,
    );
  }
  if (unmapped) {
    notes.push(
      lang === "vi"
        ? `${unmapped} phiếu thuộc đơn vị không có đơn vị tương ứng ở cấp này.`
        : `${unmapped} responses belong to units with no counterpart at this level.`,
    );
  }
  return notes;
}

// ------------------------------------------------------------------ one unit's tree

export interface TreeContext {
  meta: AppendixMeta;
  results: ResultsResponse;
  round: (v: number | null | undefined) => number | null;
  /** Which optional columns have anything to show. */
  has: { max: boolean; rank: boolean; compare: boolean; target: boolean; missing: boolean; uncertainty: boolean };
}

export interface TreeColumn {
  key: string;
  label: (c: TreeContext) => Text;
  kind: "text" | "value" | "integer";
  width: number;
  show?: (c: TreeContext) => boolean;
  cell: (node: ResultNode, c: TreeContext) => Cell;
}

const valueUnit = (c: TreeContext, change = false) => ({
  vi: measureUnit(c.meta.index.display, "vi", change),
  en: measureUnit(c.meta.index.display, "en", change),
});

/** The columns of the one-unit appendix, in order; a column whose `show` is false is left out of the file. */
/** A statistic at a fixed number of decimals (design effects, effective n), null kept. */
function roundTo(v: number | null | undefined, decimals: number): number | null {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  const f = 10 ** decimals;
  return Math.round(v * f) / f;
}

export const TREE_COLUMNS: TreeColumn[] = [
  { key: "code", label: () => tx("Mã", "Code"), kind: "text", width: 9, cell: (n) => n.code },
  { key: "name", label: () => tx("Tiêu chí / nội dung", "Criterion"), kind: "text", width: 58, cell: (n, c) => n.label[c.meta.lang] },
  { key: "level", label: () => tx("Cấp", "Level"), kind: "text", width: 19, cell: (n, c) => indexLevelName(n.level, c.meta.lang) },
  { key: "max", label: () => tx("Điểm tối đa", "Maximum (points)"), kind: "value", width: 9, show: (c) => c.has.max, cell: (n, c) => c.round(n.max) },
  { key: "points", label: () => tx("Điểm đạt được", "Points"), kind: "value", width: 9, show: (c) => c.has.max, cell: (n, c) => c.round(n.points) },
  { key: "percent", label: () => tx("Tỷ lệ (%)", "Percent"), kind: "value", width: 9, cell: (n, c) => c.round(n.percent) },
  { key: "rank", label: () => tx("Xếp hạng", "Rank"), kind: "integer", width: 8, show: (c) => c.has.rank, cell: (n) => n.rank ?? null },
  { key: "of", label: () => tx("Trên số đơn vị", "Out of"), kind: "integer", width: 8, show: (c) => c.has.rank, cell: (n) => (n.rank ? (n.of ?? null) : null) },
  {
    key: "previous",
    label: (c) => ({ vi: `Năm trước (${valueUnit(c).vi})`, en: `Previous year (${valueUnit(c).en})` }),
    kind: "value",
    width: 10,
    show: (c) => c.has.compare,
    cell: (n, c) => c.round(n.previous?.value),
  },
  {
    key: "change",
    label: (c) => ({ vi: `Tăng/giảm (${valueUnit(c, true).vi})`, en: `Change (${valueUnit(c, true).en})` }),
    kind: "value",
    width: 10,
    show: (c) => c.has.compare,
    cell: (n, c) => c.round(n.delta?.value),
  },
  {
    key: "rank_previous",
    label: () => tx("Xếp hạng năm trước", "Previous rank"),
    kind: "integer",
    width: 8,
    show: (c) => c.has.compare && c.has.rank,
    cell: (n) => n.previous?.rank ?? null,
  },
  {
    key: "target",
    label: (c) => ({ vi: `Mục tiêu (${valueUnit(c).vi})`, en: `Target (${valueUnit(c).en})` }),
    kind: "value",
    width: 9,
    show: (c) => c.has.target,
    cell: (n, c) => c.round(n.target?.value),
  },
  {
    key: "gap",
    label: () => tx("Còn thiếu so với mục tiêu", "Gap to target"),
    kind: "value",
    width: 10,
    show: (c) => c.has.target,
    cell: (n, c) => c.round(n.target?.gap),
  },
  {
    key: "valid",
    label: () => tx("Số câu trả lời hợp lệ", "Valid answers"),
    kind: "integer",
    width: 9,
    cell: (n, c) => (c.results.suppressed ? null : n.valid),
  },
  // The value's uncertainty under the round's sampling design (docs/statistics.md), in its own measure.
  { key: "n", label: () => tx("Số người trả lời (n)", "Respondents (n)"), kind: "integer", width: 9, show: (c) => c.has.uncertainty, cell: (n) => n.n ?? null },
  {
    key: "se",
    label: (c) => ({ vi: `Sai số chuẩn (${valueUnit(c, true).vi})`, en: `Standard error (${valueUnit(c, true).en})` }),
    kind: "value",
    width: 9,
    show: (c) => c.has.uncertainty,
    cell: (n, c) => c.round(n.se),
  },
  {
    key: "ci_lo",
    label: () => tx("KTC 95%: cận dưới", "95% CI: lower"),
    kind: "value",
    width: 9,
    show: (c) => c.has.uncertainty,
    cell: (n, c) => c.round(n.ci?.lo),
  },
  {
    key: "ci_hi",
    label: () => tx("KTC 95%: cận trên", "95% CI: upper"),
    kind: "value",
    width: 9,
    show: (c) => c.has.uncertainty,
    cell: (n, c) => c.round(n.ci?.hi),
  },
  {
    key: "deff",
    label: () => tx("Hệ số thiết kế (deff)", "Design effect"),
    kind: "value",
    width: 9,
    show: (c) => c.has.uncertainty,
    cell: (n) => roundTo(n.deff, 2),
  },
  {
    key: "n_eff",
    label: () => tx("Cỡ mẫu hiệu dụng", "Effective n"),
    kind: "value",
    width: 9,
    show: (c) => c.has.uncertainty,
    cell: (n) => roundTo(n.nEff, 1),
  },
  {
    key: "reliability",
    label: () => tx("Độ tin cậy", "Reliability"),
    kind: "text",
    width: 14,
    show: (c) => c.has.uncertainty,
    cell: (n, c) => (n.unreliable ? tx("Không đủ tin cậy", "Unreliable")[c.meta.lang] : null),
  },
  {
    key: "change_significant",
    label: () => tx("Thay đổi có ý nghĩa (95%)", "Change significant (95%)"),
    kind: "text",
    width: 11,
    show: (c) => c.has.compare && c.has.uncertainty,
    cell: (n, c) => (n.change ? (n.change.significant ? tx("Có", "Yes") : tx("Không", "No"))[c.meta.lang] : null),
  },
  {
    key: "note",
    label: () => tx("Ghi chú", "Note"),
    kind: "text",
    width: 28,
    show: (c) => c.has.missing,
    cell: (n, c) => {
      const reason = missingReason(c.results, n);
      return reason ? missingText(reason, c.meta.lang, { responses: c.results.responses, min: c.results.minCellSize }) : null;
    },
  },
];

function numberColumn(key: string, label: Text, kind: "value" | "integer", width: number, decimals: number): Column {
  return { key, label, type: "number", width, numFmt: kind === "integer" ? "0" : valueFormat(decimals) };
}

/** The appendix of one unit (or the whole round): one row per node of the index tree, depth-first. */
export function treeAppendix(results: ResultsResponse, meta: AppendixMeta): Table {
  const nodes: Array<{ node: ResultNode; depth: number }> = [];
  walk<ResultNode>(results.root, (node, depth) => nodes.push({ node, depth }));
  const c: TreeContext = {
    meta,
    results,
    round: rounder(meta),
    has: {
      max: nodes.some(({ node }) => node.max !== null),
      rank: nodes.some(({ node }) => node.rank !== undefined),
      compare: results.compare !== null,
      target: nodes.some(({ node }) => node.target),
      missing: nodes.some(({ node }) => missingReason(results, node) !== null),
      uncertainty: nodes.some(({ node }) => node.se !== undefined && node.se !== null),
    },
  };
  const columns = TREE_COLUMNS.filter((col) => col.show?.(c) ?? true);
  const rows = nodes.map(({ node }) => columns.map((col) => col.cell(node, c)));
  const { lang } = meta;
  const title =
    lang === "vi"
      ? `Phụ lục: Kết quả ${meta.index.title.vi}${meta.unit ? ` — ${meta.unit.fullName}` : ""}`
      : `Appendix: ${meta.index.title.en} results${meta.unit ? ` — ${meta.unit.fullName}` : ""}`;
  const rootRank = results.root.rank ? [[tx("Xếp hạng chung", "Overall rank"), `${results.root.rank}/${results.root.of ?? ""}`] as [Text, string]] : [];
  const sheet: TableSheet = {
    lang,
    title,
    titles: meta.titles ? titleRows(meta, results, rootRank) : [],
    notes: meta.titles ? tableNotes(meta, results) : [],
    depths: nodes.map(({ depth }) => depth),
    indent: "name",
  };
  return {
    name: `${results.round}-results`,
    columns: columns.map((col) =>
      col.kind === "text"
        ? { key: col.key, label: col.label(c), type: "text", width: col.width }
        : numberColumn(col.key, col.label(c), col.kind, col.width, meta.index.decimals),
    ),
    total: rows.length,
    sheet,
    async *rows() {
      yield* rows;
    },
  };
}

// ------------------------------------------------------------------ units (or groups) side by side

export interface NodeMeasureContext {
  meta: AppendixMeta;
  /** "%" or "điểm", in the reader's language. */
  unit: string;
  round: (v: number | null | undefined) => number | null;
  root: ResultNode;
}

/** What a ranking shows of each node, in order; a new measure of a node is one entry more. */
export interface NodeMeasure {
  /** Appended to the node's code for the column key ("" → "II.3", "_rank" → "II.3_rank"). */
  suffix: string;
  label: (node: ResultNode, c: NodeMeasureContext) => Text;
  kind: "value" | "integer";
  width: (node: ResultNode, c: NodeMeasureContext) => number;
  /** `rank` is the row's rank at the node among the rows shown. */
  cell: (node: ResultNode | undefined, rank: number | null, c: NodeMeasureContext) => Cell;
}

export const NODE_MEASURES: NodeMeasure[] = [
  {
    suffix: "",
    label: (n, c) => {
      const head = n === c.root ? `${n.code} (${c.unit})` : `${n.code} ${(n.short ?? n.label)[c.meta.lang]} (${c.unit})`;
      return { vi: head, en: head };
    },
    kind: "value",
    width: (n, c) => (n === c.root ? 10 : 11),
    cell: (node, _rank, c) => c.round(node?.value),
  },
  { suffix: "_rank", label: (n) => tx(`Hạng ${n.code}`, `Rank ${n.code}`), kind: "integer", width: () => 7, cell: (_node, rank) => rank },
];

export interface BreakdownOptions {
  /** The index level of the node columns (default: component when the index has it, else the level below the root). */
  cols: string | null;
  /** The node rows are ordered by (default: the root). */
  node: string | null;
}

/** Index levels below the root, in tree order. */
export function levelsBelowRoot(root: ResultNode): string[] {
  const levels: string[] = [];
  walk(root, (n) => {
    if (n !== root && !levels.includes(n.level)) levels.push(n.level);
  });
  return levels;
}

export function defaultColumnsLevel(root: ResultNode): string {
  const levels = levelsBelowRoot(root);
  return levels.includes("component") ? "component" : (levels[0] ?? root.level);
}

/**
 * The ranking appendix: one row per unit of the level `results.by` under the unit shown (or per
 * respondent group), one value and one rank column per node of a level and for the total, ordered
 * by rank at `node`. With a peer group the rows are its members, ranked among themselves, and the
 * total keeps its rank among every unit of the level. Units with no responses are rows too (`empty`).
 */
export function breakdownAppendix(results: ResultsResponse, meta: AppendixMeta, options: BreakdownOptions, empty: readonly UnitRef[]): Table {
  const { lang } = meta;
  const round = rounder(meta);
  const by = results.by!;
  const all = results.rows ?? [];
  const cols = options.cols ?? defaultColumnsLevel(results.root);
  const colNodes: ResultNode[] = [];
  walk(results.root, (n) => {
    if (n.level === cols && n !== results.root) colNodes.push(n);
  });
  const sortCode = options.node ?? results.root.code;
  // The node the rows are ordered by is always a column, even from another level than `cols`.
  const sortNode = nodeMap(results.root).get(sortCode);
  const sortColumn = sortNode && sortNode !== results.root && !colNodes.includes(sortNode) ? [sortNode] : [];
  const nodes = [...colNodes, ...sortColumn, results.root];
  const rowsShown: Array<BreakdownRow | { unit: UnitRef; group: null; responses: 0; suppressed: false; root: null }> = [
    ...(meta.peers ? all.filter((r) => r.unit && meta.peers!.members.has(r.unit.key)) : all),
    ...empty
      .filter((u) => !all.some((r) => r.unit?.key === u.key) && (!meta.peers || meta.peers.members.has(u.key)))
      .map((unit) => ({ unit, group: null, responses: 0 as const, suppressed: false as const, root: null })),
  ];
  const maps = rowsShown.map((r) => (r.root ? nodeMap(r.root) : new Map<string, ResultNode>()));
  // Ranks among the rows shown: the breakdown's own ranks, or among the peer group's members.
  const rankOf = new Map<string, Array<number | null>>();
  for (const n of nodes) {
    rankOf.set(
      n.code,
      meta.peers
        ? competitionRanks(
            maps.map((m) => m.get(n.code)?.value ?? null),
            meta.index.decimals,
          )
        : maps.map((m) => m.get(n.code)?.rank ?? null),
    );
  }
  const order = rowsShown.map((_, i) => i);
  const sortRanks = rankOf.get(sortCode)!;
  const name = (r: (typeof rowsShown)[number]) => (r.unit ? ownName(r.unit) : r.group ? pick(meta.groupLabels.get(r.group) ?? tx(r.group, r.group), lang) : "");
  order.sort((a, b) => (sortRanks[a] ?? Infinity) - (sortRanks[b] ?? Infinity) || name(rowsShown[a]!).localeCompare(name(rowsShown[b]!), "vi"));
  const groups = meta.index.performanceGroups?.length
    ? performanceGroups(
        all.map((r) => r.root.value),
        meta.index.performanceGroups.length,
      )
    : null;
  const groupOf = new Map(all.map((r, i) => [r, groups?.groups[i] ?? null]));

  const unit = measureUnit(meta.index.display, lang);
  const columns: Column[] = [
    numberColumn("order", tx("STT", "No."), "integer", 5, 0),
    { key: "code", label: by === "group" ? tx("Mã nhóm", "Group code") : tx("Mã đơn vị", "Unit code"), type: "text", width: 10 },
    { key: "name", label: UNIT_LEVEL_NAMES[by] ?? tx(by, by), type: "text", width: 28 },
    numberColumn("responses", tx("Số phiếu", "Responses"), "integer", 8, 0),
  ];
  const measure: NodeMeasureContext = { meta, unit, round, root: results.root };
  for (const n of nodes)
    for (const m of NODE_MEASURES) columns.push(numberColumn(`${n.code}${m.suffix}`, m.label(n, measure), m.kind, m.width(n, measure), meta.index.decimals));
  if (meta.peers)
    columns.push(
      numberColumn(
        `${results.root.code}_rank_all`,
        tx(`Hạng ${results.root.code} trong tất cả đơn vị`, `Rank ${results.root.code} among all units`),
        "integer",
        9,
        0,
      ),
    );
  if (groups) columns.push({ key: "performance_group", label: tx("Nhóm xếp hạng", "Performance group"), type: "text", width: 21 });
  if (results.compare) {
    columns.push(
      numberColumn(
        "previous",
        tx(`${results.root.code} năm trước (${unit})`, `${results.root.code} previous year (${unit})`),
        "value",
        10,
        meta.index.decimals,
      ),
    );
    columns.push(
      numberColumn(
        "change",
        tx(`Tăng/giảm (${measureUnit(meta.index.display, "vi", true)})`, `Change (${measureUnit(meta.index.display, "en", true)})`),
        "value",
        10,
        meta.index.decimals,
      ),
    );
    columns.push(numberColumn("rank_previous", tx("Hạng năm trước", "Previous rank"), "integer", 8, 0));
    columns.push(numberColumn("rank_change", tx("Bậc tăng/giảm", "Places gained"), "integer", 8, 0));
  }

  const rows: Cell[][] = order.map((i, position) => {
    const r = rowsShown[i]!;
    const m = maps[i]!;
    const cells: Cell[] = [position + 1, r.unit ? r.unit.code : r.group, name(r), r.responses];
    const reasons: string[] = [];
    for (const n of nodes) {
      const node = m.get(n.code);
      for (const x of NODE_MEASURES) cells.push(x.cell(node, rankOf.get(n.code)![i] ?? null, measure));
      const reason = missingReason(r, node);
      if (reason && !reasons.includes(reason)) reasons.push(reason);
    }
    const root = r.root;
    if (meta.peers) cells.push(root?.rank ?? null);
    if (groups) {
      const g = root ? groupOf.get(r as BreakdownRow) : null;
      cells.push(g === null || g === undefined ? null : pick(meta.index.performanceGroups![g]!, lang));
    }
    if (results.compare)
      cells.push(round(root?.previous?.value), round(root?.delta?.value), root?.previous?.rank ?? null, meta.peers ? null : (root?.delta?.rank ?? null));
    cells.push(
      reasons.length ? reasons.map((x) => missingText(x as MissingReason, lang, { responses: r.responses, min: results.minCellSize })).join("; ") : null,
    );
    return cells;
  });

  // The note column only when some value is missing, so that a complete table prints narrower.
  if (rows.some((r) => r[r.length - 1] !== null)) columns.push({ key: "note", label: tx("Ghi chú", "Note"), type: "text", width: 28 });
  else rows.forEach((r) => r.pop());
  const where = meta.unit ? ` — ${meta.unit.fullName}` : "";
  const plural = pick(UNIT_LEVEL_PLURALS[by] ?? tx(by, by), lang);
  const peers = meta.peers ? ` (${pick(meta.peers.label, lang)})` : "";
  const title =
    lang === "vi"
      ? `Phụ lục: Kết quả ${meta.index.title.vi} của ${plural}${peers}${where}`
      : `Appendix: ${meta.index.title.en} results of ${plural}${peers}${where}`;
  const extra: Array<[Text, string]> = [
    [tx("Dòng", "Rows"), `${pick(UNIT_LEVEL_NAMES[by] ?? tx(by, by), lang)}: ${rows.length}`],
    [tx("Cột", "Columns"), `${indexLevelName(cols, lang)} ${pick(tx("và", "and"), lang)} ${results.root.code}`],
    [
      tx("Xếp theo", "Ordered by"),
      lang === "vi" ? `hạng ${sortCode} (hạng bằng nhau khi giá trị bằng nhau)` : `rank at ${sortCode} (equal values share a rank)`,
    ],
    ...(meta.peers ? [[tx("Nhóm so sánh", "Peer group"), `${pick(meta.peers.label, lang)} (${meta.peers.members.size})`] as [Text, string]] : []),
  ];
  const sheet: TableSheet = {
    lang,
    title,
    titles: meta.titles ? titleRows(meta, results, extra) : [],
    notes: meta.titles ? tableNotes(meta, results) : [],
  };
  return {
    name: `${results.round}-results-${by}`,
    columns,
    total: rows.length,
    sheet,
    async *rows() {
      yield* rows;
    },
  };
}
